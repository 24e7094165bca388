package gitsrc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"
)

// TestMain keeps the machine's git configuration out of the tests: the
// file:// transport runs git-upload-pack, which would otherwise read
// /etc/gitconfig and ~/.gitconfig (uploadpack.* settings change what it
// serves).
func TestMain(m *testing.M) {
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	os.Exit(m.Run())
}

// workRepo is a repository with a work tree on disk, built by a test.
type workRepo struct {
	t    *testing.T
	dir  string
	repo *git.Repository
	tick int
}

// newWorkRepo initialises a repository whose default branch is main.
func newWorkRepo(t *testing.T) *workRepo {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.Main},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &workRepo{t: t, dir: dir, repo: repo}
}

// write writes files (slash paths) into the work tree; a nil value deletes.
func (w *workRepo) write(files map[string]*string) {
	w.t.Helper()
	for name, content := range files {
		p := filepath.Join(w.dir, filepath.FromSlash(name))
		if content == nil {
			if err := os.Remove(p); err != nil {
				w.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(*content), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// commit writes files, stages everything and commits, at a fixed clock.
func (w *workRepo) commit(msg string, files map[string]*string) plumbing.Hash {
	w.t.Helper()
	w.write(files)
	wt, err := w.repo.Worktree()
	if err != nil {
		w.t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		w.t.Fatal(err)
	}
	w.tick++
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: testEpoch.Add(time.Duration(w.tick) * time.Minute)}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}

// branch points a new branch at h.
func (w *workRepo) branch(name string, h plumbing.Hash) {
	w.t.Helper()
	if err := w.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), h)); err != nil {
		w.t.Fatal(err)
	}
}

// tag creates an annotated tag (lightweight when annotated is false).
func (w *workRepo) tag(name string, h plumbing.Hash, annotated bool) {
	w.t.Helper()
	var opts *git.CreateTagOptions
	if annotated {
		opts = &git.CreateTagOptions{Message: "release " + name, Tagger: &object.Signature{Name: "Test", Email: "test@example.com", When: testEpoch}}
	}
	if _, err := w.repo.CreateTag(name, h, opts); err != nil {
		w.t.Fatal(err)
	}
}

var testEpoch = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func str(s string) *string { return &s }

// bareCopy copies every object and ref of src into a new bare repository
// and returns its directory; cfg, if set, edits the copy's configuration.
func bareCopy(t *testing.T, src *git.Repository, cfg func(*config.Config)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "remote.git")
	dst, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := src.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		t.Fatal(err)
	}
	if err := objs.ForEach(func(o plumbing.EncodedObject) error {
		_, err := dst.Storer.SetEncodedObject(o)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	refs, err := src.Storer.IterReferences()
	if err != nil {
		t.Fatal(err)
	}
	if err := refs.ForEach(func(r *plumbing.Reference) error {
		return dst.Storer.SetReference(r)
	}); err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		c, err := dst.Config()
		if err != nil {
			t.Fatal(err)
		}
		cfg(c)
		if err := dst.SetConfig(c); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// allowSHA1InWant lets clients fetch any reachable commit by hash, as
// GitHub does.
func allowSHA1InWant(c *config.Config) {
	c.Raw.Section("uploadpack").SetOption("allowReachableSHA1InWant", "true")
}

// requireGit skips tests that serve a repository through git's own
// upload-pack, which go-git's file:// transport runs.
func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the file:// transport runs git-upload-pack")
	}
}

func isShallow(t *testing.T, s storage.Storer) bool {
	t.Helper()
	shallow, err := s.Shallow()
	if err != nil {
		t.Fatal(err)
	}
	return len(shallow) > 0
}
