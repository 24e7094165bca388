package octopus

import "testing"

func TestConfigPath(t *testing.T) {
	for _, tc := range []struct{ path, config, want string }{
		{"LifecycleId", "", "Lifecycle"},
		{"EnvironmentIds[]", "", "Environments[]"},
		{"Phases[].AutomaticDeploymentTargets[]", "", "Phases[].AutomaticDeploymentTargets[]"},
		{"Steps[].Actions[].WorkerPoolId", "", "Steps[].Actions[].WorkerPool"},
		{"Steps[].Actions[].Packages[].FeedId", "", "Steps[].Actions[].Packages[].Feed"},
		{`Steps[].Actions[].Properties["Octopus.Action.Template.Id"]`, "", `Steps[].Actions[].Properties["Octopus.Action.Template.Id"]`},
		{"ProjectEnvironments{key}", "", "ProjectEnvironments{key}"},
		{"SpaceId", "Space", "Space"},
		{"MemberUserIds[]", "", "MemberUsers[]"},
	} {
		if got := (Ref{Path: tc.path, Config: tc.config}).ConfigPath(); got != tc.want {
			t.Errorf("ConfigPath(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestRegistryIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if seen[k.Name] {
			t.Errorf("kind %q listed twice", k.Name)
		}
		seen[k.Name] = true
		if k.Label == "" || k.Path == "" || k.Scope == 0 {
			t.Errorf("kind %q: Label, Path and Scope are required", k.Name)
		}
		if k.Owner != "" && KindByName(k.Owner) == nil {
			t.Errorf("kind %q: unknown owner %q", k.Name, k.Owner)
		}
		if k.Owner != "" && k.OwnerRef == "" {
			t.Errorf("kind %q: a child kind needs OwnerRef", k.Name)
		}
		for _, r := range k.Refs {
			if r.Kind != "actions" && KindByName(r.Kind) == nil {
				t.Errorf("kind %q: ref %s names unknown kind %q", k.Name, r.Path, r.Kind)
			}
		}
		if k.Shape == Collection && k.Managed && (k.IDPrefix == "" || k.ItemType == "" || len(k.Identity) == 0) {
			t.Errorf("kind %q: a managed collection needs IDPrefix, ItemType and Identity", k.Name)
		}
	}
}
