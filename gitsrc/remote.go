package gitsrc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

const remoteName = "origin"

// remote is a remote repository mirrored, ref by ref, into a bare
// in-memory store. Its methods are called with the owning Repository's
// lock held.
type remote struct {
	url     string   // as given, for go-git; may carry credentials
	shown   string   // redacted, for messages
	secrets []string // never to appear in a message: the token, the URL's password
	auth    transport.AuthMethod
	ca      []byte

	repo    *git.Repository
	refs    map[plumbing.ReferenceName]*plumbing.Reference // advertised
	peeled  map[plumbing.ReferenceName]plumbing.Hash       // annotated tag → its commit
	fetched map[plumbing.ReferenceName]bool                // fetched by name
	exact   []plumbing.Hash                                // fetched by hash
	deep    bool                                           // every branch and tag fetched with full history
}

// target is what a ref resolves to among the advertised refs.
type target struct {
	ref    string
	name   plumbing.ReferenceName // an advertised ref to fetch by name, or ""
	hash   plumbing.Hash          // the object name points at, or the commit asked for
	prefix string                 // an abbreviated hash, resolvable only from full history
}

func openRemote(ctx context.Context, url, shown string, ep *transport.Endpoint, opts Options) (*remote, error) {
	secrets := append(opts.Credentials.secrets(), ep.Password)
	auth, err := authFor(ep, opts.Credentials)
	if err != nil {
		return nil, scrub(fmt.Errorf("%s: %w", shown, err), secrets...)
	}
	m := &remote{
		url: url, shown: shown, secrets: secrets, auth: auth, ca: opts.CABundle,
		peeled: map[plumbing.ReferenceName]plumbing.Hash{}, fetched: map[plumbing.ReferenceName]bool{},
	}
	if m.repo, err = m.newStore(); err != nil {
		return nil, err
	}
	rem, err := m.repo.Remote(remoteName)
	if err != nil {
		return nil, err
	}
	list, err := rem.ListContext(ctx, &git.ListOptions{Auth: auth, CABundle: m.ca, PeelingOption: git.AppendPeeled})
	if err != nil {
		return nil, m.classify(ctx, "list the refs of", err)
	}
	m.refs = make(map[plumbing.ReferenceName]*plumbing.Reference, len(list))
	for _, ref := range list {
		if tag, ok := strings.CutSuffix(ref.Name().String(), "^{}"); ok {
			m.peeled[plumbing.ReferenceName(tag)] = ref.Hash()
			continue
		}
		m.refs[ref.Name()] = ref
	}
	return m, nil
}

// newStore creates an empty bare repository in memory, with the remote.
func (m *remote) newStore() (*git.Repository, error) {
	repo, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		return nil, err
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: remoteName, URLs: []string{m.url}}); err != nil {
		return nil, err
	}
	return repo, nil
}

// target resolves ref against the advertised refs, in git's order: HEAD, a
// full ref name, a tag, a branch; then a full commit hash, preferring a ref
// whose tip it is; then an abbreviated hash.
func (m *remote) target(ref string) (target, error) {
	name := ref
	if name == "" {
		name = "HEAD"
	}
	if head, ok := m.refs[plumbing.HEAD]; ok && name == "HEAD" {
		if head.Type() == plumbing.SymbolicReference {
			name = head.Target().String()
		} else {
			name = head.Hash().String()
		}
	}
	for _, rule := range plumbing.RefRevParseRules {
		full := plumbing.ReferenceName(fmt.Sprintf(rule, name))
		if r, ok := m.refs[full]; ok && r.Type() == plumbing.HashReference {
			return target{ref: ref, name: full, hash: r.Hash()}, nil
		}
	}
	if plumbing.IsHash(name) {
		h := plumbing.NewHash(name)
		names := make([]plumbing.ReferenceName, 0, len(m.refs))
		for n, r := range m.refs {
			if r.Type() == plumbing.HashReference && n != plumbing.HEAD && (r.Hash() == h || m.peeled[n] == h) {
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			slices.Sort(names)
			return target{ref: ref, name: names[0], hash: m.refs[names[0]].Hash()}, nil
		}
		return target{ref: ref, hash: h}, nil
	}
	if isHashPrefix(name) {
		return target{ref: ref, prefix: strings.ToLower(name)}, nil
	}
	return target{}, fmt.Errorf("%w: %s in %s: no branch, tag or commit of that name (list them with git ls-remote %s)",
		ErrRefNotFound, refName(ref), m.shown, m.shown)
}

// fetch fetches refs, in one request where it can, and records their
// commits. A branch, a tag or a commit at a ref's tip is fetched at depth 1.
// Another commit is fetched by hash at depth 1 if the server allows it;
// otherwise, and for an abbreviated hash, the store is replaced by one
// holding every branch and tag with full history (see Repository.Snapshot).
func (m *remote) fetch(ctx context.Context, refs []string, commits map[string]plumbing.Hash) error {
	targets := make([]target, 0, len(refs))
	var specs []config.RefSpec
	deep := false
	for _, ref := range refs {
		t, err := m.target(ref)
		if err != nil {
			return err
		}
		targets = append(targets, t)
		switch {
		case t.prefix != "":
			deep = true
		case t.name != "":
			if !m.fetched[t.name] {
				specs = append(specs, nameSpec(t.name))
			}
		case !m.deep && !slices.Contains(m.exact, t.hash):
			specs = append(specs, hashSpec(t.hash))
		}
	}
	switch {
	case m.deep:
		// The store has full history: only refs it lacks by name (never a
		// hash, see above) are fetched, with theirs.
		if err := m.do(ctx, m.repo, specs, 0); err != nil {
			return m.classify(ctx, "fetch from", err)
		}
	case !deep && len(specs) > 0:
		err := m.do(ctx, m.repo, specs, 1)
		if errors.Is(err, git.ErrExactSHA1NotSupported) {
			deep = true
			specs = slices.DeleteFunc(specs, config.RefSpec.IsExactSHA1)
			break
		}
		if err != nil {
			return m.classify(ctx, "fetch from", err)
		}
	}
	if deep && !m.deep {
		specs = slices.DeleteFunc(specs, config.RefSpec.IsExactSHA1)
		if err := m.deepen(ctx, specs); err != nil {
			return err
		}
	}
	for _, spec := range specs {
		if spec.IsExactSHA1() {
			m.exact = append(m.exact, plumbing.NewHash(spec.Src()))
		} else {
			m.fetched[plumbing.ReferenceName(spec.Src())] = true
		}
	}
	for _, t := range targets {
		h, err := m.commit(t)
		if err != nil {
			return err
		}
		commits[t.ref] = h
	}
	return nil
}

// deepen replaces the shallow store by one holding every branch and tag
// with full history, plus the refs fetched so far and those in specs.
func (m *remote) deepen(ctx context.Context, specs []config.RefSpec) error {
	repo, err := m.newStore()
	if err != nil {
		return err
	}
	all := []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}
	for name := range m.fetched {
		if !strings.HasPrefix(name.String(), "refs/heads/") && !strings.HasPrefix(name.String(), "refs/tags/") {
			all = append(all, nameSpec(name))
		}
	}
	for _, h := range m.exact {
		all = append(all, hashSpec(h)) // the server allowed fetching by hash before
	}
	for _, s := range specs {
		if !slices.Contains(all, s) {
			all = append(all, s)
		}
	}
	if err := m.do(ctx, repo, all, 0); err != nil {
		return m.classify(ctx, "fetch the full history of", err)
	}
	m.repo, m.deep = repo, true
	return nil
}

func (m *remote) do(ctx context.Context, repo *git.Repository, specs []config.RefSpec, depth int) error {
	if len(specs) == 0 {
		return nil
	}
	err := repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   specs,
		Depth:      depth,
		Auth:       m.auth,
		Tags:       git.NoTags,
		CABundle:   m.ca,
	})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return err
}

// commit peels a fetched target to its commit.
func (m *remote) commit(t target) (plumbing.Hash, error) {
	if t.prefix != "" {
		h, err := m.repo.ResolveRevision(plumbing.Revision(t.prefix))
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: %s in %s: no commit of any branch or tag starts with it",
				ErrRefNotFound, refName(t.ref), m.shown)
		}
		return *h, nil
	}
	h := t.hash
	for range maxLinkHops {
		obj, err := m.repo.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			if t.name != "" {
				return plumbing.ZeroHash, fmt.Errorf("read %s of %s: %w", t.name, m.shown, err)
			}
			return plumbing.ZeroHash, fmt.Errorf("%w: commit %s is not in any branch or tag of %s: give a ref that contains it (refs/pull/N/head, say)",
				ErrRefNotFound, h, m.shown)
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			return h, nil
		case plumbing.TagObject:
			tag, err := object.DecodeTag(m.repo.Storer, obj)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("read tag %s of %s: %w", t.name, m.shown, err)
			}
			h = tag.Target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%w: %s in %s names a %s, not a commit", ErrRefNotFound, refName(t.ref), m.shown, obj.Type())
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%w: %s in %s: too many nested tags", ErrRefNotFound, refName(t.ref), m.shown)
}

// classify turns a transport error into one of the package's sentinels,
// with the repository named, a hint, and no secret in its message.
func (m *remote) classify(ctx context.Context, doing string, err error) error {
	msg := err.Error()
	var out error
	switch {
	case ctx.Err() != nil:
		out = fmt.Errorf("%s %s: %w", doing, m.shown, ctx.Err())
	case errors.Is(err, transport.ErrRepositoryNotFound):
		out = fmt.Errorf("%w: %s: check the URL; a private repository also needs credentials (%s or %s for HTTPS, %s or an ssh-agent for SSH): %w",
			ErrRepoNotFound, m.shown, EnvToken, EnvGitHubToken, EnvSSHKeyFile, err)
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		out = fmt.Errorf("%w: %s: push a commit to it first", ErrRepoEmpty, m.shown)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		out = fmt.Errorf("%w: %s refused the credentials: set %s or %s to a token that can read it: %w",
			ErrAuth, m.shown, EnvToken, EnvGitHubToken, err)
	case strings.Contains(msg, "unable to authenticate"):
		out = fmt.Errorf("%w: %s refused the SSH key: check %s or the keys in the ssh-agent: %w", ErrAuth, m.shown, EnvSSHKeyFile, err)
	case strings.Contains(msg, "knownhosts"), strings.Contains(msg, "known_hosts"):
		out = fmt.Errorf("%w: %s: the server's host key is not trusted: add it to a known_hosts file (ssh-keyscan) and point SSH_KNOWN_HOSTS at it: %w",
			ErrAuth, m.shown, err)
	default:
		out = fmt.Errorf("%s %s: %w", doing, m.shown, err)
	}
	return scrub(out, m.secrets...)
}

func nameSpec(name plumbing.ReferenceName) config.RefSpec {
	return config.RefSpec("+" + name.String() + ":" + name.String())
}

func hashSpec(h plumbing.Hash) config.RefSpec {
	return config.RefSpec(h.String() + ":refs/gitsrc/" + h.String())
}

// isHashPrefix reports whether s could be an abbreviated commit hash.
func isHashPrefix(s string) bool {
	if len(s) < 4 || len(s) >= 40 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
