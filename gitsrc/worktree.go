package gitsrc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Dir reads the configuration in a directory on disk: FS is os.DirFS(dir).
// When dir is inside a git work tree (found by walking up to the .git
// directory or file, so linked work trees count too), the snapshot also
// names the work tree, the directory's path inside it, the checked-out
// branch and HEAD commit, and whether files under dir differ from HEAD.
//
// Working that out hashes the files of the whole work tree that git does
// not ignore (go-git's status), which is quick for a configuration
// repository and slower in a large monorepo.
func Dir(dir string) (*Snapshot, error) {
	abs, err := configDir(dir)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{FS: os.DirFS(abs)}
	wt, err := openWorkTree(abs)
	if errors.Is(err, ErrNotWorkTree) {
		return snap, nil
	}
	if err != nil {
		return nil, err
	}
	snap.Repo, snap.Path = wt.root, wt.rel
	head, err := wt.repo.Head()
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		snap.Ref = "HEAD" // no commit yet
	case err != nil:
		return nil, fmt.Errorf("read HEAD of %s: %w", wt.root, err)
	default:
		snap.Commit = head.Hash().String()
		snap.Ref = "HEAD"
		if head.Name().IsBranch() {
			snap.Ref = head.Name().Short()
		}
	}
	changed, err := wt.uncommitted()
	if err != nil {
		return nil, err
	}
	snap.Dirty = len(changed) > 0
	return snap, nil
}

// WorkTreeChanged lists the files under dir that differ between baseRef
// and what is on disk now, as sorted slash paths relative to dir: the
// files changed between baseRef and HEAD, plus those modified, staged,
// deleted or untracked (and not ignored) since HEAD. It is what
// [Repository.Changed] is for refs, when the head side is a work tree (a
// pull request checked out by CI). baseRef is any revision of the local
// repository ("origin/main", a hash); in a shallow CI checkout it has to
// be fetched first.
func WorkTreeChanged(dir, baseRef string) ([]string, error) {
	abs, err := configDir(dir)
	if err != nil {
		return nil, err
	}
	wt, err := openWorkTree(abs)
	if err != nil {
		return nil, err
	}
	r := &Repository{repo: wt.root, sub: wt.rel, r: wt.repo, commits: map[string]plumbing.Hash{}}
	baseHash, err := r.resolveLocal(baseRef)
	if err != nil {
		return nil, err
	}
	base, err := r.subtree(baseHash)
	if err != nil {
		return nil, err
	}
	var head *object.Tree
	if ref, err := wt.repo.Head(); err == nil {
		if head, err = r.subtree(ref.Hash()); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, fmt.Errorf("read HEAD of %s: %w", wt.root, err)
	}
	changes, err := object.DiffTree(base, head)
	if err != nil {
		return nil, fmt.Errorf("compare %s with HEAD in %s: %w", refName(baseRef), wt.root, err)
	}
	paths, err := wt.uncommitted()
	if err != nil {
		return nil, err
	}
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

// workTree is a directory's place in the git work tree that holds it.
type workTree struct {
	repo *git.Repository
	wt   *git.Worktree
	root string // the work tree's top directory
	rel  string // the directory, slash-separated, relative to root; "" for root
}

func configDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("configuration directory: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("configuration directory %s: not a directory", dir)
	}
	return abs, nil
}

func openWorkTree(abs string) (*workTree, error) {
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%w: %s", ErrNotWorkTree, abs)
	}
	if err != nil {
		return nil, fmt.Errorf("open the git repository holding %s: %w", abs, err)
	}
	wt, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return nil, fmt.Errorf("%w: %s is inside a bare repository", ErrNotWorkTree, abs)
	}
	if err != nil {
		return nil, fmt.Errorf("open the work tree holding %s: %w", abs, err)
	}
	root := wt.Filesystem.Root()
	rel, err := filepath.Rel(evalSymlinks(root), evalSymlinks(abs))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%w: %s is outside the work tree %s", ErrNotWorkTree, abs, root)
	}
	rel = filepath.ToSlash(rel)
	if rel == "." {
		rel = ""
	}
	return &workTree{repo: repo, wt: wt, root: root, rel: rel}, nil
}

// uncommitted lists the files under the directory, relative to it, whose
// staged or on-disk state differs from HEAD.
func (w *workTree) uncommitted() ([]string, error) {
	status, err := w.wt.Status()
	if err != nil {
		return nil, fmt.Errorf("read the status of %s: %w", w.root, err)
	}
	var paths []string
	for name, st := range status {
		if st.Staging == git.Unmodified && st.Worktree == git.Unmodified {
			continue
		}
		if w.rel == "" {
			paths = append(paths, name)
		} else if rest, ok := strings.CutPrefix(name, w.rel+"/"); ok {
			paths = append(paths, rest)
		}
	}
	slices.Sort(paths)
	return paths, nil
}

func evalSymlinks(p string) string {
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		return resolved
	}
	return filepath.Clean(p)
}
