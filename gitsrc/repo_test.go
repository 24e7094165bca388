package gitsrc

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
)

// history is a small configuration repository:
//
//	c1 ── c2 ── c3   main
//	 │     └─ c4     feature
//	 v1 (annotated), light (lightweight)
type history struct {
	w              *workRepo
	c1, c2, c3, c4 plumbing.Hash
}

func newHistory(t *testing.T) *history {
	t.Helper()
	w := newWorkRepo(t)
	h := &history{w: w}
	h.c1 = w.commit("first", map[string]*string{
		"README.md":                 str("# platform\n"),
		"config/octosync.cue":       str("package platform\n\nversion: 1\n"),
		"config/instances/hub.cue":  str("package platform\n\ninstances: hub: {}\n"),
		"config/instances/edge.cue": str("package platform\n\ninstances: edge: {}\n"),
	})
	h.c2 = w.commit("second", map[string]*string{
		"config/octosync.cue": str("package platform\n\nversion: 2\n"),
		"docs/notes.md":       str("notes\n"),
	})
	h.c3 = w.commit("third", map[string]*string{
		"config/instances/edge.cue": nil,
		"config/instances/dr.cue":   str("package platform\n\ninstances: dr: {}\n"),
	})
	w.tag("v1", h.c1, true)
	w.tag("light", h.c1, false)
	// feature forks from c2: commit it from a second checkout-free branch.
	w.branch("feature", h.c2)
	wt, err := w.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("feature")}); err != nil {
		t.Fatal(err)
	}
	h.c4 = w.commit("feature work", map[string]*string{"config/instances/hub.cue": str("package platform\n\ninstances: hub: {url: \"x\"}\n")})
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.Main}); err != nil {
		t.Fatal(err)
	}
	return h
}

func readFile(t *testing.T, fsys fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRemoteRefs(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	url := "file://" + bareCopy(t, h.w.repo, nil)
	ctx := context.Background()

	r, err := Open(ctx, url, []string{"main", "v1", "feature"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !isShallow(t, r.r.Storer) {
		t.Error("the store is not shallow: refs were not fetched at depth 1")
	}
	for _, tc := range []struct {
		ref     string
		commit  plumbing.Hash
		version string
	}{
		{"main", h.c3, "2"},
		{"", h.c3, "2"},     // the remote's HEAD
		{"HEAD", h.c3, "2"}, // the same, spelled out
		{"v1", h.c1, "1"},   // annotated tag, peeled
		{"light", h.c1, "1"},
		{"refs/tags/v1", h.c1, "1"},
		{"feature", h.c4, "2"},
		{"refs/heads/feature", h.c4, "2"},
		{h.c3.String(), h.c3, "2"}, // a hash at a branch tip
		{h.c1.String(), h.c1, "1"}, // a hash an annotated tag points at
	} {
		snap, err := r.Snapshot(ctx, tc.ref)
		if err != nil {
			t.Errorf("Snapshot(%q): %v", tc.ref, err)
			continue
		}
		if snap.Commit != tc.commit.String() || snap.Ref != tc.ref || snap.Repo != url {
			t.Errorf("Snapshot(%q) = {Repo %s, Ref %q, Commit %s}, want {%s, %q, %s}", tc.ref, snap.Repo, snap.Ref, snap.Commit, url, tc.ref, tc.commit)
		}
		if got := readFile(t, snap.FS, "config/octosync.cue"); !strings.Contains(got, "version: "+tc.version) {
			t.Errorf("Snapshot(%q): config/octosync.cue = %q, want version %s", tc.ref, got, tc.version)
		}
	}
	if r.remote.deep {
		t.Error("refs at tips needed a full-history fetch")
	}
}

func TestRemoteCommitNotAtTip(t *testing.T) {
	requireGit(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		cfg      func(c *config.Config)
		wantDeep bool
	}{
		{"server refuses fetch by hash: full history", nil, true},
		{"server allows fetch by hash: depth 1", allowSHA1InWant, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory(t)
			url := "file://" + bareCopy(t, h.w.repo, tc.cfg)
			r, err := Open(ctx, url, []string{"main", h.c2.String()}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			snap, err := r.Snapshot(ctx, h.c2.String())
			if err != nil {
				t.Fatal(err)
			}
			if snap.Commit != h.c2.String() {
				t.Errorf("Commit = %s, want %s", snap.Commit, h.c2)
			}
			if _, err := fs.Stat(snap.FS, "config/instances/edge.cue"); err != nil {
				t.Errorf("edge.cue, deleted after c2, is missing at c2: %v", err)
			}
			if r.remote.deep != tc.wantDeep {
				t.Errorf("deep = %v, want %v", r.remote.deep, tc.wantDeep)
			}
			if got := isShallow(t, r.r.Storer); got == tc.wantDeep {
				t.Errorf("shallow = %v, want %v", got, !tc.wantDeep)
			}
			// main, fetched before, still resolves from the replaced store.
			if snap, err := r.Snapshot(ctx, "main"); err != nil || snap.Commit != h.c3.String() {
				t.Errorf("Snapshot(main) = %v, %v; want commit %s", snap, err, h.c3)
			}
		})
	}
}

func TestRemoteAbbreviatedHash(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	url := "file://" + bareCopy(t, h.w.repo, nil)
	snap, err := At(context.Background(), url, h.c2.String()[:10], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Commit != h.c2.String() {
		t.Errorf("Commit = %s, want %s", snap.Commit, h.c2)
	}
}

func TestRemoteErrors(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	url := "file://" + bareCopy(t, h.w.repo, nil)
	empty := "file://" + bareCopy(t, newWorkRepo(t).repo, nil)
	missing := "file://" + filepath.Join(t.TempDir(), "nothing.git")
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		repo, ref string
		path      string
		want      error
		mentions  []string
	}{
		{"missing branch", url, "nope", "", ErrRefNotFound, []string{`"nope"`, url, "git ls-remote"}},
		{"missing commit", url, strings.Repeat("ab", 20), "", ErrRefNotFound, []string{strings.Repeat("ab", 20), url}},
		{"missing abbreviated commit", url, "abcdef12", "", ErrRefNotFound, []string{`"abcdef12"`, url}},
		{"missing repository", missing, "main", "", ErrRepoNotFound, []string{missing, "check the URL"}},
		{"empty repository", empty, "main", "", ErrRepoEmpty, []string{empty}},
		{"missing path", url, "main", "nowhere", ErrPathNotFound, []string{`"nowhere"`, url, `"main"`, h.c3.String()}},
		{"path is a file", url, "main", "README.md", ErrPathNotFound, []string{`"README.md"`}},
		{"path escapes", url, "main", "../x", ErrPathNotFound, []string{`"../x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := At(ctx, tc.repo, tc.ref, Options{Path: tc.path})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestLocalPath(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	r, err := Open(ctx, h.w.dir, nil, Options{Path: "config"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ref    string
		commit plumbing.Hash
	}{
		{"", h.c3},
		{"main", h.c3},
		{"main~1", h.c2}, // any revision git understands
		{"v1", h.c1},
		{"feature", h.c4},
		{h.c2.String()[:8], h.c2},
	} {
		snap, err := r.Snapshot(ctx, tc.ref)
		if err != nil {
			t.Errorf("Snapshot(%q): %v", tc.ref, err)
			continue
		}
		if snap.Commit != tc.commit.String() || snap.Path != "config" || snap.Repo != h.w.dir {
			t.Errorf("Snapshot(%q) = {%s %s %s}, want {%s config %s}", tc.ref, snap.Repo, snap.Path, snap.Commit, h.w.dir, tc.commit)
		}
		if _, err := fs.Stat(snap.FS, "octosync.cue"); err != nil {
			t.Errorf("Snapshot(%q) is not rooted at config/: %v", tc.ref, err)
		}
	}
	if _, err := r.Snapshot(ctx, "nope"); !errors.Is(err, ErrRefNotFound) || !strings.Contains(err.Error(), h.w.dir) {
		t.Errorf("Snapshot(nope) = %v, want ErrRefNotFound naming the repository", err)
	}
	if _, err := Open(ctx, filepath.Join(h.w.dir, "config"), nil, Options{}); !errors.Is(err, ErrRepoNotFound) {
		t.Errorf("Open(subdirectory) = %v, want ErrRepoNotFound", err)
	}
}

func TestSubdirectory(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	url := "file://" + bareCopy(t, h.w.repo, nil)
	snap, err := At(context.Background(), url, "main", Options{Path: "/config/"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Path != "config" {
		t.Errorf("Path = %q, want config", snap.Path)
	}
	if err := fstest.TestFS(snap.FS, "octosync.cue", "instances/hub.cue", "instances/dr.cue"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"README.md", "config/octosync.cue", "instances/edge.cue", "../README.md"} {
		if _, err := fs.Stat(snap.FS, name); err == nil {
			t.Errorf("Stat(%q) succeeded outside the subdirectory or at the wrong commit", name)
		}
	}
}

func TestChanged(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	url := "file://" + bareCopy(t, h.w.repo, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		repo       string
		path       string
		base, head string
		want       []string
	}{
		{"remote, two commits", url, "", "v1", "main", []string{
			"config/instances/dr.cue", "config/instances/edge.cue", "config/octosync.cue", "docs/notes.md",
		}},
		{"remote, subdirectory", url, "config", h.c1.String(), "main", []string{
			"instances/dr.cue", "instances/edge.cue", "octosync.cue",
		}},
		{"remote, branches", url, "config", "main", "feature", []string{
			"instances/dr.cue", "instances/edge.cue", "instances/hub.cue",
		}},
		{"remote, same commit", url, "", "v1", "light", nil},
		{"local, revisions", h.w.dir, "config", "main~2", "main~1", []string{"octosync.cue"}},
		{"local, path absent at base", h.w.dir, "docs", "v1", "main", []string{"notes.md"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Changed(ctx, tc.repo, tc.base, tc.head, Options{Path: tc.path})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Changed(%s, %s) = %q, want %q", tc.base, tc.head, got, tc.want)
			}
		})
	}
}

func TestOneCloneTwoRefs(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	url := "file://" + bareCopy(t, h.w.repo, nil)
	ctx := context.Background()
	r, err := Open(ctx, url, []string{"main", "feature"}, Options{Path: "config"})
	if err != nil {
		t.Fatal(err)
	}
	store := r.r
	base, err := r.Snapshot(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.Snapshot(ctx, "feature")
	if err != nil {
		t.Fatal(err)
	}
	changed, err := r.Changed(ctx, "main", "feature")
	if err != nil {
		t.Fatal(err)
	}
	if r.r != store || len(r.remote.fetched) != 2 {
		t.Errorf("the two refs were not served from the one fetch (fetched %v)", r.remote.fetched)
	}
	if base.Commit != h.c3.String() || head.Commit != h.c4.String() {
		t.Errorf("commits = %s, %s; want %s, %s", base.Commit, head.Commit, h.c3, h.c4)
	}
	if !slices.Contains(changed, "instances/hub.cue") {
		t.Errorf("Changed = %q, want instances/hub.cue among them", changed)
	}
	// A ref not named at Open is fetched on demand into the same store.
	tag, err := r.Snapshot(ctx, "v1")
	if err != nil || tag.Commit != h.c1.String() {
		t.Errorf("Snapshot(v1) = %v, %v; want commit %s", tag, err, h.c1)
	}
	if got := readFile(t, base.FS, "octosync.cue"); !strings.Contains(got, "version: 2") {
		t.Errorf("an earlier snapshot changed after a later fetch: %q", got)
	}
}

func TestUnparsableURLIsNotEchoed(t *testing.T) {
	_, err := At(context.Background(), "https://bob:hunter22@host:port/x.git", "main", Options{})
	if !errors.Is(err, ErrRepoNotFound) || strings.Contains(err.Error(), "hunter22") {
		t.Errorf("err = %v, want ErrRepoNotFound without the password", err)
	}
}

func TestLocalShallowCloneHint(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	dir := t.TempDir()
	if _, err := git.PlainClone(dir, false, &git.CloneOptions{URL: "file://" + bareCopy(t, h.w.repo, nil), Depth: 1, SingleBranch: true, Tags: git.NoTags}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := Open(ctx, dir, []string{"HEAD"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if snap, err := r.Snapshot(ctx, "HEAD"); err != nil || snap.Commit != h.c3.String() {
		t.Errorf("Snapshot(HEAD) = %v, %v", snap, err)
	}
	_, err = r.Snapshot(ctx, h.c1.String())
	if !errors.Is(err, ErrRefNotFound) || !strings.Contains(err.Error(), "shallow clone") || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("a commit beyond a shallow clone: %v, want ErrRefNotFound explaining the shallow clone", err)
	}
}
