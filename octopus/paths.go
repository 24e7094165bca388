package octopus

import (
	"fmt"
	"net/url"
)

// ownerSubdocument names the derived kinds whose document hangs below its
// owner's document instead of living at a derived id: tenant variables are
// at /api/{spaceId}/tenants/{tenantId}/variables.
var ownerSubdocument = map[string]string{"tenantVariables": "variables"}

// CollectionPath returns the API path of a collection kind's collection,
// where its documents are listed and created: /api/<Path> for an
// instance-level kind, /api/<spaceID>/<Path> for a space kind. For a kind
// that lives at both levels (teams, role grants), an empty spaceID means the
// instance level. For a child kind (channels, runbooks) this collection
// holds every owner's documents; [Kind.OwnerPath] lists one owner's.
//
// It panics for a kind that is not a collection and for a space kind
// without spaceID: both are programming errors.
func (k *Kind) CollectionPath(spaceID string) string {
	if k.Shape != Collection {
		panic(fmt.Sprintf("octopus: kind %s is not a collection", k.Name))
	}
	return k.root(spaceID) + "/" + k.Path
}

// DocPath returns the API path of the document of kind k with the given
// id, where it is read, replaced and (for collection kinds) deleted:
//
//   - collection kinds: the collection, then the id:
//     /api/Spaces-1/projects/Projects-1;
//   - derived kinds: /api/<spaceID>/<Path>/<id>, with id from
//     [Kind.DerivedID]: /api/Spaces-1/variables/variableset-Projects-1;
//     tenant variables hang below the tenant:
//     /api/Spaces-1/tenants/Tenants-1/variables;
//   - singletons, whose ids are the values of [Kind.Fixed]: /api/<Path>
//     when the id is the Path (/api/smtpconfiguration, /api/audit-stream),
//     otherwise a configuration section's values,
//     /api/configuration/authentication-od/values.
//
// spaceID is as for [Kind.CollectionPath]; singletons ignore it.
func (k *Kind) DocPath(spaceID, id string) string {
	id = url.PathEscape(id)
	switch k.Shape {
	case Collection:
		return k.CollectionPath(spaceID) + "/" + id
	case Derived:
		if sub, ok := ownerSubdocument[k.Name]; ok {
			return k.root(spaceID) + "/" + k.Path + "/" + id + "/" + sub
		}
		return k.root(spaceID) + "/" + k.Path + "/" + id
	}
	if id == k.Path {
		return "/api/" + k.Path
	}
	return "/api/" + k.Path + "/" + id + "/values"
}

// DerivedID returns the id of the document of derived kind k that belongs
// to the owner with ownerID: IDPrefix and the owner's id,
// "deploymentprocess-Projects-1", "RunbookProcess-Runbooks-1"; for tenant
// variables, which have no IDPrefix, the tenant's id. It panics for a kind
// that is not derived.
func (k *Kind) DerivedID(ownerID string) string {
	if k.Shape != Derived {
		panic(fmt.Sprintf("octopus: kind %s is not derived", k.Name))
	}
	return k.IDPrefix + ownerID
}

// OwnerPath returns where the documents of child kind k that belong to one
// owner live: for a collection kind, the owner's own list of them
// (/api/Spaces-1/projects/Projects-1/channels), read with [Client.List];
// for a derived kind, the one document ([Kind.DocPath] of
// [Kind.DerivedID]). It panics for a kind without an owner.
func (k *Kind) OwnerPath(spaceID, ownerID string) string {
	switch {
	case k.Owner == "":
		panic(fmt.Sprintf("octopus: kind %s has no owner", k.Name))
	case k.Shape == Derived:
		return k.DocPath(spaceID, k.DerivedID(ownerID))
	}
	return KindByName(k.Owner).DocPath(spaceID, ownerID) + "/" + k.Path
}

// root returns /api/<spaceID> for a space kind given a space, /api for an
// instance kind, and panics for a space-only kind without a space.
func (k *Kind) root(spaceID string) string {
	switch {
	case spaceID != "" && k.Scope.Has(ScopeSpace):
		return "/api/" + url.PathEscape(spaceID)
	case k.Scope.Has(ScopeInstance):
		return "/api"
	}
	panic(fmt.Sprintf("octopus: kind %s lives in a space: its paths need a space id", k.Name))
}
