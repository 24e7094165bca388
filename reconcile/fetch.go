package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// API is what reconcile needs of an Octopus client: raw JSON documents
// over the REST API. *octopus.Client implements it.
type API interface {
	Get(ctx context.Context, path string) (json.RawMessage, error)
	List(ctx context.Context, path string) ([]json.RawMessage, error)
	Post(ctx context.Context, path string, body any) (json.RawMessage, error)
	Put(ctx context.Context, path string, body any) (json.RawMessage, error)
	Delete(ctx context.Context, path string) (json.RawMessage, error)
}

// FetchOptions say what to read from one instance.
type FetchOptions struct {
	// Spaces limits the spaces whose contents are read, by name; nil reads
	// every space.
	Spaces []string
	// Settings lists the singleton documents to read, by kind and name
	// ("authentication/okta", "smtp/smtp"); nil reads all of them.
	Settings []model.Key
	// Parallelism bounds the requests in flight; 8 when zero.
	Parallelism int
	// Progress, when set, is called each time a space has been read.
	Progress func(done, total int)
}

// Fetch reads an instance: its spaces, instance-level documents and
// settings, and the contents of the selected spaces — one list request per
// kind per space, plus the documents each project, runbook, library
// variable set and tenant owns. A kind that cannot be read is recorded in
// Missing (of the instance or the space) with its error; Fetch fails only
// when the instance cannot be read at all.
func Fetch(ctx context.Context, api API, name string, opts FetchOptions) (*LiveInstance, error) {
	f := &fetcher{api: api, sem: make(chan struct{}, max(opts.Parallelism, 1))}
	if opts.Parallelism == 0 {
		f.sem = make(chan struct{}, 8)
	}
	li := &LiveInstance{Name: name, Docs: map[string][]*LiveDoc{}, Missing: map[string]error{}}

	spaceKind := octopus.KindByName("spaces")
	raw, err := f.list(ctx, spaceKind.CollectionPath(""))
	if err != nil {
		return nil, err // the client's error names the instance and the request
	}
	li.Docs["spaces"] = f.decode(spaceKind, raw, "", "")

	// Instance-level collections and settings, concurrently.
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, k := range octopus.Kinds() {
		if !k.Scope.Has(octopus.ScopeInstance) || k.Name == "spaces" {
			continue
		}
		switch k.Shape {
		case octopus.Collection:
			wg.Go(func() {
				path := k.CollectionPath("")
				if k.Name == "teams" || k.Name == "scopedUserRoles" {
					path += "?includeSystem=true"
				}
				raw, err := f.list(ctx, path)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					li.Missing[k.Name] = err
					return
				}
				li.Docs[k.Name] = f.decode(k, raw, "", "")
			})
		case octopus.Singleton:
			for _, n := range sortedFixed(k) {
				if opts.Settings != nil && !slices.Contains(opts.Settings, model.Key{Kind: k.Name, Name: n}) {
					continue
				}
				wg.Go(func() {
					raw, err := f.get(ctx, k.DocPath("", k.Fixed[n]))
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						li.Missing[k.Name+"/"+n] = err
						return
					}
					if d := f.decodeOne(k, raw, "", ""); d != nil {
						d.Name, d.ID = n, k.Fixed[n]
						li.Docs[k.Name] = append(li.Docs[k.Name], d)
					}
				})
			}
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var spaces []*LiveDoc
	var defaultSpace *LiveDoc
	for _, d := range li.Docs["spaces"] {
		if opts.Spaces == nil || slices.ContainsFunc(opts.Spaces, func(s string) bool { return strings.EqualFold(s, d.Name) }) {
			spaces = append(spaces, d)
		} else if isDefault, _ := d.Doc["IsDefault"].(bool); isDefault {
			defaultSpace = d
		}
	}
	li.Spaces = make([]*LiveSpace, len(spaces))
	if defaultSpace != nil {
		// The default space keeps the fingerprints of instance-level
		// secrets: read its ledger even when its contents are not wanted.
		wg.Go(func() {
			ls := f.ledgerOnly(ctx, defaultSpace)
			mu.Lock()
			li.Spaces = append(li.Spaces, ls)
			mu.Unlock()
		})
	}
	var done int
	for i, sd := range spaces {
		wg.Go(func() {
			ls := f.space(ctx, sd)
			mu.Lock()
			li.Spaces[i] = ls
			mu.Unlock()
			mu.Lock()
			done++
			if opts.Progress != nil {
				opts.Progress(done, len(spaces))
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	distributeSpaceDocs(li)
	buildIndexes(li) // names child documents' owners and composite identities
	return li, nil
}

// fetcher holds what one Fetch shares: the API and the bound on requests.
type fetcher struct {
	api API
	sem chan struct{}
}

func (f *fetcher) list(ctx context.Context, path string) ([]json.RawMessage, error) {
	f.sem <- struct{}{}
	defer func() { <-f.sem }()
	return f.api.List(ctx, path)
}

func (f *fetcher) get(ctx context.Context, path string) (json.RawMessage, error) {
	f.sem <- struct{}{}
	defer func() { <-f.sem }()
	return f.api.Get(ctx, path)
}

// space reads one space's contents.
func (f *fetcher) space(ctx context.Context, sd *LiveDoc) *LiveSpace {
	ls := &LiveSpace{ID: sd.ID, Name: sd.Name, Docs: map[string][]*LiveDoc{}, Missing: map[string]error{}}
	var mu sync.Mutex
	record := func(kind string, docs []*LiveDoc, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			ls.Missing[kind] = err
			return
		}
		ls.Docs[kind] = append(ls.Docs[kind], docs...)
	}

	// One list per collection path; kinds sharing a path (library variable
	// sets and script modules) split one response by their filters.
	byPath := map[string][]*octopus.Kind{}
	var paths []string
	for _, k := range octopus.Kinds() {
		if k.Scope != octopus.ScopeSpace || k.Shape != octopus.Collection {
			continue
		}
		p := k.CollectionPath(ls.ID)
		if byPath[p] == nil {
			paths = append(paths, p)
		}
		byPath[p] = append(byPath[p], k)
	}
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Go(func() {
			raw, err := f.list(ctx, p)
			for _, k := range byPath[p] {
				if err != nil {
					record(k.Name, nil, err)
					continue
				}
				record(k.Name, filterDocs(k, f.decode(k, raw, "", "")), nil)
			}
		})
	}
	wg.Wait()

	// Documents owned by projects, runbooks, library variable sets and
	// tenants: one request each. The owners are all read by now; list them
	// before any request records its answer.
	type owned struct {
		k      *octopus.Kind
		owners []*LiveDoc
	}
	var derived []owned
	for _, k := range octopus.Kinds() {
		if k.Scope != octopus.ScopeSpace || k.Shape != octopus.Derived {
			continue
		}
		owners := slices.Clone(ls.Docs[k.Owner])
		if k.Owner == "libraryVariableSets" {
			owners = append(owners, ls.Docs["scriptModules"]...)
		}
		derived = append(derived, owned{k, owners})
	}
	for _, dk := range derived {
		k := dk.k
		for _, o := range dk.owners {
			wg.Go(func() {
				raw, err := f.get(ctx, k.DocPath(ls.ID, k.DerivedID(o.ID)))
				if err != nil {
					record(k.Name, nil, fmt.Errorf("%s of %s %q: %w", k.Label, o.Kind.Label, o.Name, err))
					return
				}
				d := f.decodeOne(k, raw, o.Name, o.ID)
				if d == nil {
					return
				}
				if k.Owner == "runbooks" {
					// A runbook's process is keyed by the runbook's project
					// and the runbook's name.
					d.Owner, d.OwnerID, d.Name = o.Owner, o.OwnerID, o.Name
				}
				record(k.Name, []*LiveDoc{d}, nil)
			})
		}
	}
	wg.Wait()
	return ls
}

// ledgerOnly reads just a space's fingerprint ledger.
func (f *fetcher) ledgerOnly(ctx context.Context, sd *LiveDoc) *LiveSpace {
	ls := &LiveSpace{ID: sd.ID, Name: sd.Name, Docs: map[string][]*LiveDoc{}, Missing: map[string]error{}, LedgerOnly: true}
	raw, err := f.list(ctx, ledgerKind.CollectionPath(ls.ID)+"?partialName="+url.QueryEscape(LedgerName))
	if err != nil {
		return ls
	}
	for _, d := range f.decode(ledgerKind, raw, "", "") {
		if d.Name != LedgerName {
			continue
		}
		ls.Docs[ledgerKind.Name] = []*LiveDoc{d}
		vk := octopus.KindByName("libraryVariables")
		if raw, err := f.get(ctx, vk.DocPath(ls.ID, vk.DerivedID(d.ID))); err == nil {
			if v := f.decodeOne(vk, raw, d.Name, d.ID); v != nil {
				ls.Docs[vk.Name] = []*LiveDoc{v}
			}
		}
	}
	return ls
}

// distributeSpaceDocs moves the teams and role grants that belong to a
// space from the instance's lists into the space.
func distributeSpaceDocs(li *LiveInstance) {
	byID := map[string]*LiveSpace{}
	for _, s := range li.Spaces {
		byID[s.ID] = s
	}
	spaceTeams := map[string]bool{}
	for _, t := range li.Docs["teams"] {
		if s, _ := t.Doc["SpaceId"].(string); s != "" {
			spaceTeams[t.ID] = true
		}
	}
	for _, kind := range []string{"teams", "scopedUserRoles"} {
		var keep []*LiveDoc
		for _, d := range li.Docs[kind] {
			spaceID, _ := d.Doc["SpaceId"].(string)
			if spaceID == "" {
				keep = append(keep, d)
				continue
			}
			if teamID, _ := d.Doc["TeamId"].(string); kind == "scopedUserRoles" && !spaceTeams[teamID] {
				keep = append(keep, d) // a system team's grant in a space
				continue
			}
			if s := byID[spaceID]; s != nil {
				s.Docs[kind] = append(s.Docs[kind], d)
			}
		}
		li.Docs[kind] = keep
	}
	for _, s := range li.Spaces {
		if err := li.Missing["teams"]; err != nil {
			s.Missing["teams"] = err
		}
		if err := li.Missing["scopedUserRoles"]; err != nil {
			s.Missing["scopedUserRoles"] = err
		}
	}
}

// filterDocs keeps the documents matching a kind's Filter.
func filterDocs(k *octopus.Kind, docs []*LiveDoc) []*LiveDoc {
	if len(k.Filter) == 0 {
		return docs
	}
	out := docs[:0]
	for _, d := range docs {
		ok := true
		for f, want := range k.Filter {
			got, _ := d.Doc[f].(string)
			if got == "" && f == "ContentType" {
				got = "Variables"
			}
			if got != want {
				ok = false
			}
		}
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// decode turns raw documents into LiveDocs, skipping any that do not decode.
func (f *fetcher) decode(k *octopus.Kind, raw []json.RawMessage, owner, ownerID string) []*LiveDoc {
	out := make([]*LiveDoc, 0, len(raw))
	for _, r := range raw {
		if d := f.decodeOne(k, r, owner, ownerID); d != nil {
			out = append(out, d)
		}
	}
	return out
}

func (f *fetcher) decodeOne(k *octopus.Kind, raw json.RawMessage, owner, ownerID string) *LiveDoc {
	doc, err := octopus.DecodeDoc(raw)
	if err != nil || doc == nil {
		return nil
	}
	d := &LiveDoc{Kind: k, Doc: doc, Raw: raw, Owner: owner, OwnerID: ownerID}
	d.ID, _ = doc["Id"].(string)
	if len(k.Identity) == 1 {
		d.Name, _ = doc[k.Identity[0]].(string)
	}
	if k.Shape == octopus.Derived {
		d.Name = ""
	}
	if k.OwnerRef != "" && ownerID == "" {
		d.OwnerID, _ = doc[k.OwnerRef].(string)
	}
	return d
}

func sortedFixed(k *octopus.Kind) []string {
	names := make([]string, 0, len(k.Fixed))
	for n := range k.Fixed {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// SettingsOf returns the singleton documents (authentication providers,
// SMTP, the audit stream) an instance's configuration declares: the ones a
// plan needs to read. The result is never nil, so it reads no others.
func SettingsOf(in *model.Instance) []model.Key {
	out := []model.Key{}
	for _, r := range in.Resources {
		if k := octopus.KindByName(r.Key.Kind); k != nil && k.Shape == octopus.Singleton {
			out = append(out, model.Key{Kind: r.Key.Kind, Name: r.Key.Name})
		}
	}
	return out
}
