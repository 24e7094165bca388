package gitsrc

import (
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"
)

// spec is one entry of a tree built by buildTree: content for a blob or a
// link target, a mode, or a gitlink commit.
type spec struct {
	mode    filemode.FileMode
	content string
}

func regular(s string) spec { return spec{filemode.Regular, s} }
func symlink(s string) spec { return spec{filemode.Symlink, s} }

// buildTree writes the tree holding files (slash paths) into s, entries in
// git's order, and returns it.
func buildTree(t *testing.T, s storer.EncodedObjectStorer, files map[string]spec) *object.Tree {
	t.Helper()
	h := writeTree(t, s, files)
	tree, err := object.GetTree(s, h)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func writeTree(t *testing.T, s storer.EncodedObjectStorer, files map[string]spec) plumbing.Hash {
	t.Helper()
	subs := map[string]map[string]spec{}
	var entries []object.TreeEntry
	for name, sp := range files {
		if dir, rest, ok := strings.Cut(name, "/"); ok {
			if subs[dir] == nil {
				subs[dir] = map[string]spec{}
			}
			subs[dir][rest] = sp
			continue
		}
		var h plumbing.Hash
		if sp.mode == filemode.Submodule {
			h = plumbing.NewHash(strings.Repeat("5", 40))
		} else {
			obj := s.NewEncodedObject()
			obj.SetType(plumbing.BlobObject)
			w, err := obj.Writer()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(w, sp.content); err != nil {
				t.Fatal(err)
			}
			w.Close()
			if h, err = s.SetEncodedObject(obj); err != nil {
				t.Fatal(err)
			}
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: sp.mode, Hash: h})
	}
	for dir, files := range subs {
		entries = append(entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: writeTree(t, s, files)})
	}
	gitName := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(gitName(a), gitName(b)) })
	obj := s.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func testTreeFS(t *testing.T, sub string, files map[string]spec) *treeFS {
	t.Helper()
	s := memory.NewStorage()
	return newTreeFS(new(sync.Mutex), s, buildTree(t, s, files), sub, testEpoch)
}

var sampleTree = map[string]spec{
	"a.cue":              regular("package a\n"),
	"b-c.cue":            regular("// sorts before the directory b\n"),
	"b/x.cue":            regular("package b\n"),
	"b/deep/y.cue":       regular("package deep\n"),
	"run.sh":             {filemode.Executable, "#!/bin/sh\n"},
	"link.cue":           symlink("a.cue"),
	"blink":              symlink("b"),
	"shared/common.cue":  regular("package shared\n"),
	"config/main.cue":    regular("package config\n"),
	"config/common.cue":  symlink("../shared/common.cue"),
	"vendor/module":      {filemode.Submodule, ""},
	"bad/escape":         symlink("../../outside"),
	"bad/absolute":       symlink("/etc/passwd"),
	"bad/loop1":          symlink("loop2"),
	"bad/loop2":          symlink("loop1"),
	"bad/dangling":       symlink("nothing-here"),
	".hidden/.dot.cue":   regular("dot\n"),
	"with space/f i.cue": regular("space\n"),
}

// withoutBadLinks is sampleTree without the links that cannot be opened,
// which fstest.TestFS rightly treats as errors.
func withoutBadLinks() map[string]spec {
	files := map[string]spec{}
	for name, sp := range sampleTree {
		if !strings.HasPrefix(name, "bad/") {
			files[name] = sp
		}
	}
	return files
}

func TestTreeFSConformance(t *testing.T) {
	fsys := testTreeFS(t, "", withoutBadLinks())
	if err := fstest.TestFS(fsys, "a.cue", "b/x.cue", "b/deep/y.cue", "run.sh", "link.cue", "config/common.cue", ".hidden/.dot.cue", "with space/f i.cue"); err != nil {
		t.Fatal(err)
	}
	sub := testTreeFS(t, "config", withoutBadLinks())
	if err := fstest.TestFS(sub, "main.cue", "common.cue"); err != nil {
		t.Fatal(err)
	}
}

func TestTreeFSEntries(t *testing.T) {
	fsys := testTreeFS(t, "", sampleTree)
	for _, tc := range []struct {
		name string
		mode fs.FileMode
		size int64
	}{
		{".", fs.ModeDir | 0o755, 0},
		{"a.cue", 0o644, 10},
		{"run.sh", 0o755, 10},
		{"link.cue", 0o644, 10}, // Stat follows the link
		{"blink", fs.ModeDir | 0o755, 0},
		{"blink/deep/y.cue", 0o644, 13},
		{"vendor/module", fs.ModeDir | 0o755, 0},
	} {
		fi, err := fsys.Stat(tc.name)
		if err != nil {
			t.Errorf("Stat(%q): %v", tc.name, err)
			continue
		}
		if fi.Mode() != tc.mode || fi.Size() != tc.size || !fi.ModTime().Equal(testEpoch) {
			t.Errorf("Stat(%q) = %v %d %v, want %v %d %v", tc.name, fi.Mode(), fi.Size(), fi.ModTime(), tc.mode, tc.size, testEpoch)
		}
	}
	if fi, err := fsys.Lstat("link.cue"); err != nil || fi.Mode().Type() != fs.ModeSymlink {
		t.Errorf("Lstat(link.cue) = %v, %v; want a symbolic link", fi, err)
	}
	if target, err := fsys.ReadLink("config/common.cue"); err != nil || target != "../shared/common.cue" {
		t.Errorf("ReadLink = %q, %v", target, err)
	}
	if got := readFile(t, fsys, "config/common.cue"); got != "package shared\n" {
		t.Errorf("a link out of config/ into the repository reads %q", got)
	}
	entries, err := fsys.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{".hidden", "a.cue", "b", "b-c.cue", "bad", "blink", "config", "link.cue", "run.sh", "shared", "vendor", "with space"}
	if !slices.Equal(names, want) {
		t.Errorf("ReadDir(.) = %q, want %q (sorted by name, not git's order)", names, want)
	}
	if sub, err := fsys.ReadDir("vendor/module"); err != nil || len(sub) != 0 {
		t.Errorf("a submodule reads as %v, %v; want an empty directory", sub, err)
	}
}

func TestTreeFSErrors(t *testing.T) {
	fsys := testTreeFS(t, "", sampleTree)
	for _, tc := range []struct {
		name string
		want error
	}{
		{"missing.cue", fs.ErrNotExist},
		{"a.cue/x", fs.ErrNotExist},
		{"vendor/module/x", fs.ErrNotExist},
		{"bad/escape", fs.ErrNotExist},
		{"bad/absolute", fs.ErrNotExist},
		{"bad/dangling", fs.ErrNotExist},
		{"/a.cue", fs.ErrInvalid},
		{"b/../a.cue", fs.ErrInvalid},
		{"b/", fs.ErrInvalid},
		{"", fs.ErrInvalid},
	} {
		_, err := fsys.Open(tc.name)
		var pe *fs.PathError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) || pe.Path != tc.name {
			t.Errorf("Open(%q) = %v, want a *fs.PathError for %q wrapping %v", tc.name, err, tc.name, tc.want)
		}
		if _, err := fsys.ReadFile(tc.name); !errors.Is(err, tc.want) {
			t.Errorf("ReadFile(%q) = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := fsys.Open("bad/loop1"); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("Open(a link loop) = %v", err)
	}
	if _, err := fsys.ReadFile("b"); err == nil {
		t.Error("ReadFile(directory) succeeded")
	}
	if _, err := fsys.ReadDir("a.cue"); err == nil {
		t.Error("ReadDir(file) succeeded")
	}
	if _, err := fsys.ReadLink("a.cue"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadLink(regular file) = %v, want fs.ErrInvalid", err)
	}
	sub := testTreeFS(t, "config", sampleTree)
	if _, err := sub.Open("../a.cue"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Open(../a.cue) in a subdirectory = %v, want fs.ErrInvalid", err)
	}
	f, err := fsys.Open("a.cue")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Read after Close = %v, want fs.ErrClosed", err)
	}
}

func TestTreeFSConcurrent(t *testing.T) {
	fsys := testTreeFS(t, "", sampleTree)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
					return err
				}
				_, err = fs.ReadFile(fsys, name)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
