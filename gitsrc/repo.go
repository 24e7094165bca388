package gitsrc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Snapshot is the configuration at one commit (or in one work tree): a
// read-only file system and the provenance to stamp on plans and reports.
type Snapshot struct {
	// FS holds the configuration. For a ref it is read from the commit's
	// tree; for a work tree it is os.DirFS. Paths are relative to Path.
	FS fs.FS
	// Repo is the repository as given to [Open] (credentials in a URL
	// redacted), or for [Dir] the work tree's top directory; empty when the
	// directory is not in a git work tree.
	Repo string
	// Ref is the ref as asked for ("main", "v1.4.0", a hash); for [Dir], the
	// checked-out branch, or "HEAD" when detached.
	Ref string
	// Commit is the full hash of the commit; empty for a directory outside
	// git, or a work tree with no commit yet.
	Commit string
	// Path is the slash-separated directory inside the repository that FS
	// is rooted at; empty for the repository root.
	Path string
	// Dirty reports, for [Dir] only, that files under Path differ from
	// Commit (modified, staged, deleted or untracked and not ignored).
	Dirty bool
}

// Options say how [Open] reaches a repository and what part of it to read.
type Options struct {
	// Path restricts snapshots and [Repository.Changed] to a directory inside
	// the repository (slash-separated, relative to its root; "" or "." for
	// the root).
	Path string
	// Credentials for remotes; see [CredentialsFromEnv].
	Credentials Credentials
	// CABundle holds PEM certificates trusted for https:// remotes in
	// addition to the system pool (a GitHub Enterprise Server behind a
	// private CA, say).
	CABundle []byte
}

// Repository is a repository opened for reading. A remote one lives in
// memory: each ref asked for is fetched shallowly into one bare in-memory
// store, so two refs cost one clone and two tips. A local path is read in
// place. A Repository is safe for concurrent use, and so are the file
// systems of its snapshots.
type Repository struct {
	repo string // as given, redacted
	sub  string // Options.Path, cleaned; "" for the root

	mu      sync.Mutex // guards everything below and the object store
	r       *git.Repository
	commits map[string]plumbing.Hash // ref as given → commit
	remote  *remote                  // nil for a local repository
}

// Open opens the repository at repo, which is a URL (https://, http://,
// ssh://, git@host:path, git://, file://) or a local path, and fetches refs
// from it in one request. More refs can be read later through
// [Repository.Snapshot]; listing them here saves round trips.
//
// A local path (one not written as a file:// URL) is opened in place, with
// no copy: any revision git understands works, including "origin/main",
// "HEAD~1" and abbreviated hashes. Anything else, file:// included, is
// treated as a remote: its refs are listed, and each ref is fetched at
// depth 1 (see [Repository.Snapshot] for commit hashes).
func Open(ctx context.Context, repo string, refs []string, opts Options) (*Repository, error) {
	sub, err := cleanPath(opts.Path)
	if err != nil {
		return nil, err
	}
	shown := redactURL(repo)
	ep, err := transport.NewEndpoint(repo)
	if err != nil {
		// The text may hold credentials that could not be parsed out to
		// redact them: say what is wrong without repeating it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, scrub(fmt.Errorf("%w: the repository is neither a URL nor a path: %w", ErrRepoNotFound, err), opts.Credentials.secrets()...)
	}
	r := &Repository{repo: shown, sub: sub, commits: map[string]plumbing.Hash{}}
	if ep.Protocol == "file" && !strings.HasPrefix(repo, "file://") {
		r.r, err = git.PlainOpenWithOptions(repo, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
		if err != nil {
			if errors.Is(err, git.ErrRepositoryNotExists) {
				return nil, fmt.Errorf("%w: no git repository at %s: give the repository's top directory, and the directory inside it as the path", ErrRepoNotFound, shown)
			}
			return nil, fmt.Errorf("open %s: %w", shown, err)
		}
	} else {
		r.remote, err = openRemote(ctx, repo, shown, ep, opts)
		if err != nil {
			return nil, err
		}
		r.r = r.remote.repo
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.resolve(ctx, refs); err != nil {
		return nil, err
	}
	return r, nil
}

// At reads the configuration at one ref of repo: [Open] then
// [Repository.Snapshot].
func At(ctx context.Context, repo, ref string, opts Options) (*Snapshot, error) {
	r, err := Open(ctx, repo, []string{ref}, opts)
	if err != nil {
		return nil, err
	}
	return r.Snapshot(ctx, ref)
}

// Changed lists the files that differ between two refs of repo, fetching
// both in one request: [Open] then [Repository.Changed].
func Changed(ctx context.Context, repo, baseRef, headRef string, opts Options) ([]string, error) {
	r, err := Open(ctx, repo, []string{baseRef, headRef}, opts)
	if err != nil {
		return nil, err
	}
	return r.Changed(ctx, baseRef, headRef)
}

// Snapshot returns the configuration at ref. An empty ref means the
// remote's default branch (HEAD). A ref names, in git's order, a full ref
// ("refs/pull/7/head"), a tag, a branch, or a commit hash.
//
// For a remote, a branch or tag costs a depth-1 fetch of that ref. A commit
// hash that is the tip of a branch or tag costs the same. Any other commit
// is fetched by hash at depth 1 when the server allows it
// (uploadpack.allowReachableSHA1InWant, as GitHub does); otherwise, and
// for an abbreviated hash, every branch and tag is fetched with full
// history, which on a large repository costs as much as a full clone.
func (r *Repository) Snapshot(ctx context.Context, ref string) (*Snapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.resolve(ctx, []string{ref}); err != nil {
		return nil, err
	}
	h := r.commits[ref]
	c, err := r.r.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s of %s: %w", h, r.repo, err)
	}
	root, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of commit %s of %s: %w", h, r.repo, err)
	}
	fsys := newTreeFS(&r.mu, r.r.Storer, root, r.sub, c.Committer.When)
	if r.sub != "" {
		n, err := fsys.resolve(r.sub, true)
		if err != nil || !n.isDir() {
			return nil, fmt.Errorf("%w: no directory %q in %s at %s (commit %s): check the path is relative to the repository root",
				ErrPathNotFound, r.sub, r.repo, refName(ref), h)
		}
	}
	return &Snapshot{FS: fsys, Repo: r.repo, Ref: ref, Commit: h.String(), Path: r.sub}, nil
}

// Changed lists the files that differ between the trees of baseRef and
// headRef: added, deleted and modified, a rename as both its old and new
// path, as sorted slash paths relative to the repository's Path.
//
// The trees are compared directly ("git diff base head", not
// "base...head"), which needs no history, so both refs stay shallow. When
// head is a pull request's merge ref (refs/pull/N/merge, which
// actions/checkout checks out) and base is the base branch, that is exactly
// the pull request's change. When head is a branch that base has moved on
// from, files changed on base since are listed too: more than the pull
// request touched, never less.
func (r *Repository) Changed(ctx context.Context, baseRef, headRef string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.resolve(ctx, []string{baseRef, headRef}); err != nil {
		return nil, err
	}
	base, err := r.subtree(r.commits[baseRef])
	if err != nil {
		return nil, err
	}
	head, err := r.subtree(r.commits[headRef])
	if err != nil {
		return nil, err
	}
	changes, err := object.DiffTreeContext(ctx, base, head)
	if err != nil {
		return nil, fmt.Errorf("compare %s and %s in %s: %w", refName(baseRef), refName(headRef), r.repo, err)
	}
	var paths []string
	for _, ch := range changes {
		for _, name := range []string{ch.From.Name, ch.To.Name} {
			if name != "" {
				paths = append(paths, name)
			}
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// subtree returns the tree of the repository's Path at commit h, or nil
// (an empty tree) when Path does not exist there.
func (r *Repository) subtree(h plumbing.Hash) (*object.Tree, error) {
	c, err := r.r.CommitObject(h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s of %s: %w", h, r.repo, err)
	}
	root, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of commit %s of %s: %w", h, r.repo, err)
	}
	if r.sub == "" {
		return root, nil
	}
	fsys := newTreeFS(&r.mu, r.r.Storer, root, "", c.Committer.When)
	n, err := fsys.resolve(r.sub, true)
	if err != nil || !n.isDir() {
		return nil, nil
	}
	return fsys.tree(n.hash)
}

// resolve makes sure every ref has a commit in r.commits, fetching what a
// remote is missing in one request. Callers hold r.mu.
func (r *Repository) resolve(ctx context.Context, refs []string) error {
	var missing []string
	for _, ref := range refs {
		if _, ok := r.commits[ref]; !ok && !slices.Contains(missing, ref) {
			missing = append(missing, ref)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if r.remote != nil {
		err := r.remote.fetch(ctx, missing, r.commits)
		r.r = r.remote.repo // a deepening fetch replaces the store
		return err
	}
	for _, ref := range missing {
		h, err := r.resolveLocal(ref)
		if err != nil {
			return err
		}
		r.commits[ref] = h
	}
	return nil
}

func (r *Repository) resolveLocal(ref string) (plumbing.Hash, error) {
	rev := ref
	if rev == "" {
		rev = "HEAD"
	}
	h, err := r.r.ResolveRevision(plumbing.Revision(rev))
	if err == nil {
		return *h, nil
	}
	hint := "check the branch, tag or commit exists in that repository (git rev-parse " + rev + ")"
	if shallow, _ := r.r.Storer.Shallow(); len(shallow) > 0 {
		hint = "the repository is a shallow clone: fetch the ref first (git fetch origin " + rev +
			", or actions/checkout with fetch-depth: 0)"
	}
	return plumbing.ZeroHash, fmt.Errorf("%w: %s in %s: %s", ErrRefNotFound, refName(ref), r.repo, hint)
}

// cleanPath validates a subdirectory given in Options.Path.
func cleanPath(p string) (string, error) {
	p = strings.Trim(p, "/")
	if p == "" || p == "." {
		return "", nil
	}
	clean := path.Clean(p)
	if !fs.ValidPath(clean) {
		return "", fmt.Errorf("%w: %q: a path inside the repository must be relative and stay inside it", ErrPathNotFound, p)
	}
	return clean, nil
}

// refName quotes a ref for messages, naming the default branch when empty.
func refName(ref string) string {
	if ref == "" {
		return "HEAD"
	}
	return fmt.Sprintf("%q", ref)
}
