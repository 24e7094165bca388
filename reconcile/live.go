package reconcile

import (
	"cmp"
	"encoding/json"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// LiveDoc is one document read from Octopus, in the API's own form.
type LiveDoc struct {
	Kind *octopus.Kind
	// ID is the document's id ("Projects-3", "deploymentprocess-Projects-3").
	ID string
	// Name is the document's identity in configuration terms: its name, or
	// for composite identities the joined names. Derived documents take the
	// empty name, as their keys do.
	Name string
	// Owner and OwnerID name the owning resource of a child document (the
	// project of a channel); empty for top-level documents.
	Owner, OwnerID string
	// Doc is the decoded API document; Raw the bytes it was decoded from.
	Doc model.Doc
	Raw json.RawMessage
}

// LiveSpace is everything read from one space.
type LiveSpace struct {
	ID, Name string
	// Docs holds the space's documents by kind name.
	Docs map[string][]*LiveDoc
	// Missing lists kinds that could not be read, with why, so a partial
	// read never looks like an empty space.
	Missing map[string]error
	// LedgerOnly marks the default space when only its fingerprint ledger
	// was read.
	LedgerOnly bool
}

// LiveInstance is everything read from one instance.
type LiveInstance struct {
	Name string
	// Docs holds instance-level documents by kind name (spaces, teams,
	// user roles, role grants, users, settings).
	Docs    map[string][]*LiveDoc
	Spaces  []*LiveSpace
	Missing map[string]error
}

// Space returns the live space with the given name (case-insensitively, as
// Octopus compares names), or nil.
func (li *LiveInstance) Space(name string) *LiveSpace {
	for _, s := range li.Spaces {
		if s.Name == name && !s.LedgerOnly {
			return s
		}
	}
	for _, s := range li.Spaces {
		if strings.EqualFold(s.Name, name) && !s.LedgerOnly {
			return s
		}
	}
	return nil
}

// index maps between ids and names for the kinds of one scope. Child kinds
// (channels, runbooks) are indexed per owner id.
type index struct {
	byID   map[string]map[string]string // kind → id → name
	byName map[string]map[string]string // kind → owner id + "\x00" + lower(name) → id
	parent *index                       // instance-level index, for kinds that live there
	// children are the spaces' indexes, below an instance's: ids are unique
	// across an instance, so an instance-level document (a role grant
	// restricted to a space's environments) names them through these.
	children []*index
}

func newIndex(parent *index) *index {
	return &index{byID: map[string]map[string]string{}, byName: map[string]map[string]string{}, parent: parent}
}

func nameKey(ownerID, name string) string { return ownerID + "\x00" + strings.ToLower(name) }

// add records that the document of kind with id is called name.
func (x *index) add(kind, ownerID, id, name string) {
	if x.byID[kind] == nil {
		x.byID[kind] = map[string]string{}
		x.byName[kind] = map[string]string{}
	}
	x.byID[kind][id] = name
	x.byName[kind][nameKey(ownerID, name)] = id
}

// name returns the name of the document of kind with id.
func (x *index) name(kind, id string) (string, bool) {
	for i := x; i != nil; i = i.parent {
		if n, ok := i.byID[kind][id]; ok {
			return n, true
		}
	}
	for _, c := range x.children {
		if n, ok := c.byID[kind][id]; ok {
			return n, true
		}
	}
	return "", false
}

// id returns the id of the document of kind called name, owned by ownerID
// for child kinds.
func (x *index) id(kind, ownerID, name string) (string, bool) {
	for i := x; i != nil; i = i.parent {
		if id, ok := i.byName[kind][nameKey(ownerID, name)]; ok {
			return id, true
		}
	}
	return "", false
}

// buildIndexes indexes the ids and names of everything read from an
// instance, fills in the owner names of child documents and the composite
// names of role grants, and returns the instance's index with one index
// per space (whose parent is the instance's).
func buildIndexes(li *LiveInstance) (*index, map[*LiveSpace]*index) {
	inst := newIndex(nil)
	for kind, docs := range li.Docs {
		for _, d := range docs {
			if d.ID != "" && d.Name != "" {
				inst.add(kind, "", d.ID, d.Name)
			}
		}
	}
	spaces := map[*LiveSpace]*index{}
	for _, s := range li.Spaces {
		x := newIndex(inst)
		spaces[s] = x
		inst.children = append(inst.children, x)
		for kind, docs := range s.Docs {
			for _, d := range docs {
				if d.ID == "" || d.Name == "" || d.Kind.Shape == octopus.Derived {
					continue
				}
				owner := ""
				if d.Kind.Owner != "" {
					owner = d.OwnerID
				}
				x.add(kind, owner, d.ID, d.Name)
				if kind == "scriptModules" {
					x.add("libraryVariableSets", owner, d.ID, d.Name)
				}
				if kind == "projects" {
					// A variable's ProcessOwner scope names a runbook or,
					// for the deployment process, the project itself.
					x.add("runbooks", d.ID, d.ID, d.Name)
				}
			}
		}
		for _, kind := range []string{"deploymentProcess", "runbookProcess"} {
			for _, d := range s.Docs[kind] {
				indexActions(x, d)
			}
		}
		for _, docs := range s.Docs {
			for _, d := range docs {
				if d.OwnerID != "" && d.Owner == "" {
					d.Owner, _ = x.name(ownerLookupKind(d.Kind), d.OwnerID)
				}
			}
		}
		for _, d := range s.Docs["scopedUserRoles"] {
			d.Name = grantName(x, d, false)
		}
	}
	for _, d := range li.Docs["scopedUserRoles"] {
		d.Name = grantName(inst, d, true)
	}
	return inst, spaces
}

// ownerLookupKind is the kind whose index names a child document's owner:
// every child of a project — a runbook's process included — is keyed by
// the project.
func ownerLookupKind(k *octopus.Kind) string {
	switch k.Owner {
	case "runbooks", "projects":
		return "projects"
	}
	return k.Owner
}

// indexActions records the ids and names of a process's steps' actions,
// which variable scopes and channel rules refer to, under the owning
// project.
func indexActions(x *index, d *LiveDoc) {
	steps, _ := d.Doc["Steps"].([]any)
	for _, s := range steps {
		step, _ := s.(map[string]any)
		actions, _ := step["Actions"].([]any)
		for _, a := range actions {
			action, _ := a.(map[string]any)
			id, _ := action["Id"].(string)
			name, _ := action["Name"].(string)
			if id != "" && name != "" {
				x.add("actions", d.OwnerID, id, name)
			}
		}
	}
}

// grantName names a role grant "team/role", adding "/space" for a system
// team's grant inside a space.
func grantName(x *index, d *LiveDoc, instanceLevel bool) string {
	str := func(f string) string { s, _ := d.Doc[f].(string); return s }
	team, _ := x.name("teams", str("TeamId"))
	role, _ := x.name("userRoles", str("UserRoleId"))
	team, role = cmp.Or(team, str("TeamId")), cmp.Or(role, str("UserRoleId"))
	name := team + "/" + role
	if sp := str("SpaceId"); instanceLevel && sp != "" {
		space, _ := x.name("spaces", sp)
		name += "/" + cmp.Or(space, sp)
	}
	return name
}
