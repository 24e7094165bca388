package conformance

import (
	"net/http"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/workerpools"
)

func TestWorkerPools(t *testing.T) {
	static := workerpools.NewStaticWorkerPool(uniqueName("static pool"))
	created, err := octo.WorkerPools.Add(static)
	must(t, err, "Add static")
	got, err := octo.WorkerPools.GetByID(created.GetID())
	must(t, err, "GetByID")
	sameLinks(t, created.GetLinks(), got.GetLinks(), "POST vs GET")
	if got.GetWorkerPoolType() != workerpools.WorkerPoolTypeStatic || !got.(*workerpools.StaticWorkerPool).CanAddWorkers {
		t.Fatalf("GetByID = %+v", got)
	}

	types, err := octo.WorkerPools.GetDynamicWorkerTypes()
	must(t, err, "GetDynamicWorkerTypes")
	if len(types) == 0 {
		t.Fatal("no dynamic worker types")
	}
	dynamic := workerpools.NewDynamicWorkerPool(uniqueName("dynamic pool"), types[0].Type)
	dyn, err := workerpools.Add(octo, dynamic)
	must(t, err, "Add dynamic (new client)")
	dgot, err := workerpools.GetByID(octo, "Spaces-1", dyn.GetID())
	must(t, err, "GetByID (new client)")
	if dgot.(*workerpools.DynamicWorkerPool).WorkerType != types[0].Type {
		t.Fatalf("dynamic pool = %+v", dgot)
	}
	_, err = workerpools.Add(octo, workerpools.NewDynamicWorkerPool(uniqueName("bad pool"), "Commodore64"))
	wantStatus(t, err, http.StatusBadRequest, "unknown worker type")

	pools, err := octo.WorkerPools.GetAll()
	must(t, err, "GetAll")
	if len(pools) < 3 {
		t.Fatalf("GetAll = %d pools", len(pools))
	}
	byName, err := octo.WorkerPools.GetByName(static.Name)
	must(t, err, "GetByName")
	if len(byName) != 1 {
		t.Fatalf("GetByName = %d", len(byName))
	}
	got.SetDescription("updated")
	updated, err := workerpools.Update(octo, got)
	must(t, err, "Update")
	if updated.GetDescription() != "updated" {
		t.Fatalf("Update = %+v", updated)
	}
	_, err = octo.WorkerPools.Add(workerpools.NewStaticWorkerPool(static.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")

	page, err := workerpools.Get(octo, "Spaces-1", workerpools.WorkerPoolsQuery{})
	must(t, err, "Get")
	for _, p := range page.Items {
		if p.GetIsDefault() {
			must(t, nil, "")
			err := workerpools.DeleteByID(octo, "Spaces-1", p.GetID())
			wantStatus(t, err, http.StatusBadRequest, "deleting the default worker pool")
		}
	}
	must(t, workerpools.DeleteByID(octo, "Spaces-1", created.GetID()), "DeleteByID")
	must(t, workerpools.DeleteByID(octo, "Spaces-1", dyn.GetID()), "DeleteByID")
	_, err = workerpools.GetByID(octo, "Spaces-1", created.GetID())
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}
