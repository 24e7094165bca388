package gitsrc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestDirOutsideGit(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.cue"), []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Repo != "" || snap.Commit != "" || snap.Ref != "" || snap.Dirty {
		t.Errorf("Dir outside git = %+v, want no git provenance", snap)
	}
	if got := readFile(t, snap.FS, "a.cue"); got != "package a\n" {
		t.Errorf("a.cue = %q", got)
	}
	if _, err := Dir(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Dir(missing) = %v, want fs.ErrNotExist", err)
	}
	if _, err := Dir(filepath.Join(dir, "a.cue")); err == nil {
		t.Error("Dir(file) succeeded")
	}
	if _, err := WorkTreeChanged(dir, "main"); !errors.Is(err, ErrNotWorkTree) {
		t.Errorf("WorkTreeChanged outside git = %v, want ErrNotWorkTree", err)
	}
}

func TestDir(t *testing.T) {
	w := newWorkRepo(t)
	head := w.commit("config", map[string]*string{
		".gitignore":          str("*.local.cue\n"),
		"config/octosync.cue": str("package platform\n"),
		"src/main.go":         str("package main\n"),
	})
	configDir := filepath.Join(w.dir, "config")
	check := func(when string, dirty bool) {
		t.Helper()
		snap, err := Dir(configDir)
		if err != nil {
			t.Fatal(err)
		}
		want := Snapshot{Repo: w.dir, Ref: "main", Commit: head.String(), Path: "config", Dirty: dirty}
		snap.FS = nil
		if *snap != want {
			t.Errorf("%s: Dir = %+v, want %+v", when, *snap, want)
		}
	}
	check("clean", false)
	w.write(map[string]*string{"src/main.go": str("package main // edited\n"), "notes.txt": str("untracked\n")})
	check("changes outside the directory", false)
	w.write(map[string]*string{"config/dev.local.cue": str("package platform\n")})
	check("an ignored file", false)
	w.write(map[string]*string{"config/new.cue": str("package platform\n")})
	check("an untracked file", true)
	w.write(map[string]*string{"config/new.cue": nil, "config/octosync.cue": str("package platform // edited\n")})
	check("a modified file", true)

	snap, err := Dir(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Path != "" || !snap.Dirty {
		t.Errorf("Dir(top) = Path %q Dirty %v, want the root and dirty", snap.Path, snap.Dirty)
	}
}

func TestDirDetachedAndUnborn(t *testing.T) {
	w := newWorkRepo(t)
	snap, err := Dir(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Commit != "" || snap.Ref != "HEAD" || snap.Repo != w.dir {
		t.Errorf("Dir(no commits) = %+v", snap)
	}
	c := w.commit("one", map[string]*string{"a.cue": str("a\n")})
	if err := w.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.HEAD, c)); err != nil {
		t.Fatal(err)
	}
	if snap, err = Dir(w.dir); err != nil || snap.Ref != "HEAD" || snap.Commit != c.String() {
		t.Errorf("Dir(detached) = %+v, %v", snap, err)
	}
}

func TestWorkTreeChanged(t *testing.T) {
	w := newWorkRepo(t)
	base := w.commit("base", map[string]*string{
		"config/a.cue": str("a\n"),
		"config/b.cue": str("b\n"),
		"config/c.cue": str("c\n"),
		"other.txt":    str("o\n"),
	})
	w.branch("base", base)
	w.commit("head", map[string]*string{"config/a.cue": str("a2\n"), "other.txt": str("o2\n")})
	w.write(map[string]*string{
		"config/b.cue": str("b2\n"),  // modified, not committed
		"config/c.cue": nil,          // deleted, not committed
		"config/d.cue": str("new\n"), // untracked
	})
	got, err := WorkTreeChanged(filepath.Join(w.dir, "config"), "base")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.cue", "b.cue", "c.cue", "d.cue"}; !slices.Equal(got, want) {
		t.Errorf("WorkTreeChanged = %q, want %q", got, want)
	}
	if _, err := WorkTreeChanged(w.dir, "nope"); !errors.Is(err, ErrRefNotFound) {
		t.Errorf("WorkTreeChanged(nope) = %v, want ErrRefNotFound", err)
	}
}
