package conformance

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/lifecycles"
)

func TestLifecyclesLegacy(t *testing.T) {
	env, err := environments.Add(octo, environments.NewEnvironment(uniqueName("lifecycle env")))
	must(t, err, "adding an environment")
	lc := lifecycles.NewLifecycle(uniqueName("legacy lifecycle"))
	phase := lifecycles.NewPhase("Dev")
	phase.AutomaticDeploymentTargets = []string{env.ID}
	phase.ReleaseRetentionPolicy = core.CountBasedRetentionPeriod(3, core.RetentionUnitItems)
	lc.Phases = append(lc.Phases, phase)
	created, err := octo.Lifecycles.Add(lc)
	must(t, err, "Add")
	if created.Phases[0].ID == "" {
		t.Fatal("the POST response has no phase id: the server assigns phase ids")
	}
	got, err := octo.Lifecycles.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if !reflect.DeepEqual(created.Phases, got.Phases) || !reflect.DeepEqual(created.ReleaseRetentionPolicy, got.ReleaseRetentionPolicy) {
		t.Fatalf("POST and GET disagree:\n%+v\n%+v", created.Phases[0], got.Phases[0])
	}
	byName, err := octo.Lifecycles.GetByName(lc.Name)
	must(t, err, "GetByName")
	if byName.ID != created.ID {
		t.Fatalf("GetByName = %s", byName.ID)
	}
	projects, err := octo.Lifecycles.GetProjects(created)
	must(t, err, "GetProjects (a bare array)")
	if len(projects) != 0 {
		t.Fatalf("GetProjects = %d", len(projects))
	}

	// An environment in a lifecycle's phase cannot be deleted.
	err = environments.DeleteByID(octo, env.SpaceID, env.ID)
	wantStatus(t, err, http.StatusBadRequest, "deleting an environment a lifecycle uses")

	got.Phases = append(got.Phases, lifecycles.NewPhase("dev"))
	_, err = octo.Lifecycles.Update(got)
	wantStatus(t, err, http.StatusBadRequest, "two phases with one name")
	got.Phases = got.Phases[:1]
	got.Description = "updated"
	updated, err := octo.Lifecycles.Update(got)
	must(t, err, "Update")
	if updated.Description != "updated" || updated.Phases[0].ID != created.Phases[0].ID {
		t.Fatalf("Update = %+v", updated)
	}
	_, err = octo.Lifecycles.Add(lifecycles.NewLifecycle(lc.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	must(t, lifecycles.DeleteByID(octo, created.SpaceID, created.ID), "DeleteByID")
	_, err = octo.Lifecycles.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	must(t, environments.DeleteByID(octo, env.SpaceID, env.ID), "deleting the environment")
}

// TestLifecycleRetention is the official e2e test of retention
// strategies: what is sent comes back.
func TestLifecycleRetention(t *testing.T) {
	space := newSpace(t)
	lc := lifecycles.NewLifecycle("Random Lifecycle Name")
	lc.SpaceID = space
	lc.ReleaseRetentionPolicy = core.SpaceDefaultRetentionPeriod()
	lc.TentacleRetentionPolicy = core.KeepForeverRetentionPeriod()
	created, err := lifecycles.Add(octo, lc)
	must(t, err, "Add")
	got, err := lifecycles.GetByID(octo, space, created.ID)
	must(t, err, "GetByID")
	if got.ReleaseRetentionPolicy.Strategy != core.RetentionStrategyDefault || got.TentacleRetentionPolicy.Strategy != core.RetentionStrategyForever {
		t.Fatalf("retention = %+v / %+v", got.ReleaseRetentionPolicy, got.TentacleRetentionPolicy)
	}
	phase := lifecycles.NewPhase("Test Phase")
	phase.ReleaseRetentionPolicy = core.CountBasedRetentionPeriod(99, core.RetentionUnitItems)
	phase.TentacleRetentionPolicy = core.SpaceDefaultRetentionPeriod()
	got.Phases = append(got.Phases, phase)
	updated, err := lifecycles.Update(octo, got)
	must(t, err, "Update")
	if updated.Phases[0].ReleaseRetentionPolicy.Strategy != core.RetentionStrategyCount || updated.Phases[0].ReleaseRetentionPolicy.QuantityToKeep != 99 ||
		updated.Phases[0].TentacleRetentionPolicy.Strategy != core.RetentionStrategyDefault {
		t.Fatalf("phase retention = %+v / %+v", updated.Phases[0].ReleaseRetentionPolicy, updated.Phases[0].TentacleRetentionPolicy)
	}
	all, err := lifecycles.GetAll(octo, space)
	must(t, err, "GetAll")
	if len(all) != 2 {
		t.Fatalf("GetAll = %d lifecycles (the Default Lifecycle and this one)", len(all))
	}
	page, err := lifecycles.Get(octo, space, lifecycles.Query{PartialName: "random"})
	must(t, err, "Get by partial name")
	if page.TotalResults != 1 {
		t.Fatalf("partial name found %d", page.TotalResults)
	}
}
