package gitsrc

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// maxLinkHops bounds symbolic-link resolution, as the kernel's ELOOP does.
const maxLinkHops = 40

// treeFS is a read-only fs.FS over one git tree. Names are resolved from
// the tree objects on demand and blobs are read only when a file is read, so
// opening a large repository costs nothing until the loader asks for files.
//
// Symbolic links are followed the way a checkout would: a link's target is
// resolved against the whole repository tree (it may leave the snapshot's
// subdirectory but not the repository). Gitlinks (submodules) appear as
// empty directories, as they do in a checkout that has not initialised them.
//
// go-git's object storage is not safe for concurrent use, so every access to
// it is serialised by mu; the FS itself may be used from many goroutines.
type treeFS struct {
	mu      *sync.Mutex
	s       storer.EncodedObjectStorer
	root    *object.Tree // the repository's root tree
	sub     string       // the snapshot's directory inside root; "" for root
	modTime time.Time    // the commit's committer time, for every entry
	trees   map[plumbing.Hash]*object.Tree
}

var (
	_ fs.ReadFileFS = (*treeFS)(nil)
	_ fs.ReadDirFS  = (*treeFS)(nil)
	_ fs.StatFS     = (*treeFS)(nil)
	_ fs.ReadLinkFS = (*treeFS)(nil)
)

// newTreeFS returns the file system of root, rooted at its directory sub.
// mu guards the object store s, which a Repository may write to later.
func newTreeFS(mu *sync.Mutex, s storer.EncodedObjectStorer, root *object.Tree, sub string, modTime time.Time) *treeFS {
	return &treeFS{
		mu:      mu,
		s:       s,
		root:    root,
		sub:     sub,
		modTime: modTime,
		trees:   map[plumbing.Hash]*object.Tree{root.Hash: root},
	}
}

// node is a resolved tree entry: where it is in the repository, and what.
type node struct {
	full string // slash path from the repository root; "" for the root
	hash plumbing.Hash
	mode filemode.FileMode
}

func (n node) isDir() bool { return n.mode == filemode.Dir || n.mode == filemode.Submodule }

func (n node) fileMode() fs.FileMode {
	switch n.mode {
	case filemode.Dir, filemode.Submodule:
		return fs.ModeDir | 0o755
	case filemode.Symlink:
		return fs.ModeSymlink | 0o777
	case filemode.Executable:
		return 0o755
	}
	return 0o644
}

func (f *treeFS) tree(h plumbing.Hash) (*object.Tree, error) {
	if t, ok := f.trees[h]; ok {
		return t, nil
	}
	t, err := object.GetTree(f.s, h)
	if err != nil {
		return nil, err
	}
	f.trees[h] = t
	return t, nil
}

func (f *treeFS) blob(h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(f.s, h)
	if err != nil {
		return nil, err
	}
	r, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func (f *treeFS) size(n node) (int64, error) {
	if n.isDir() {
		return 0, nil
	}
	o, err := f.s.EncodedObject(plumbing.BlobObject, n.hash)
	if err != nil {
		return 0, err
	}
	return o.Size(), nil
}

// lookup resolves an fs.FS name to a node, following symbolic links in
// every element and, when follow is set, in the last one. Callers hold mu.
func (f *treeFS) lookup(op, name string, follow bool) (node, error) {
	if !fs.ValidPath(name) {
		return node{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n, err := f.resolve(path.Join(f.sub, name), follow)
	if err != nil {
		return node{}, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return n, nil
}

// resolve walks a slash path from the repository root.
func (f *treeFS) resolve(full string, follow bool) (node, error) {
	cur := node{hash: f.root.Hash, mode: filemode.Dir}
	rest := full
	if rest == "." {
		rest = ""
	}
	for hops := 0; rest != ""; {
		elem, after, _ := strings.Cut(rest, "/")
		rest = after
		if !cur.isDir() {
			return node{}, fs.ErrNotExist
		}
		entry, err := f.entry(cur, elem)
		if err != nil {
			return node{}, err
		}
		next := node{full: path.Join(cur.full, elem), hash: entry.Hash, mode: entry.Mode}
		if next.mode != filemode.Symlink || (rest == "" && !follow) {
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return node{}, errors.New("too many levels of symbolic links")
		}
		target, err := f.blob(next.hash)
		if err != nil {
			return node{}, err
		}
		t := string(target)
		if path.IsAbs(t) {
			return node{}, fs.ErrNotExist
		}
		joined := path.Join(cur.full, t, rest)
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return node{}, fs.ErrNotExist // outside the repository
		}
		cur = node{hash: f.root.Hash, mode: filemode.Dir}
		rest = joined
		if rest == "." {
			rest = ""
		}
	}
	return cur, nil
}

func (f *treeFS) entry(dir node, name string) (object.TreeEntry, error) {
	if dir.mode == filemode.Submodule {
		return object.TreeEntry{}, fs.ErrNotExist
	}
	t, err := f.tree(dir.hash)
	if err != nil {
		return object.TreeEntry{}, err
	}
	for _, e := range t.Entries {
		if e.Name == name {
			return e, nil
		}
	}
	return object.TreeEntry{}, fs.ErrNotExist
}

// entries lists a directory node sorted by name, as fs.ReadDir requires
// (git sorts directories as if their names ended in a slash).
func (f *treeFS) entries(dir node) ([]fs.DirEntry, error) {
	if dir.mode == filemode.Submodule {
		return []fs.DirEntry{}, nil
	}
	t, err := f.tree(dir.hash)
	if err != nil {
		return nil, err
	}
	list := make([]fs.DirEntry, 0, len(t.Entries))
	for _, e := range t.Entries {
		n := node{full: path.Join(dir.full, e.Name), hash: e.Hash, mode: e.Mode}
		list = append(list, &dirEntry{fsys: f, name: e.Name, n: n})
	}
	slices.SortFunc(list, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return list, nil
}

func (f *treeFS) info(name string, n node) (*fileInfo, error) {
	size, err := f.size(n)
	if err != nil {
		return nil, err
	}
	return &fileInfo{name: path.Base(name), size: size, mode: n.fileMode(), modTime: f.modTime}, nil
}

// Open opens the named file or directory. Files are read from their blob on
// the first Read.
func (f *treeFS) Open(name string) (fs.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	fi, err := f.info(name, n)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if n.isDir() {
		return &dir{fsys: f, name: name, n: n, info: fi}, nil
	}
	return &file{fsys: f, name: name, n: n, info: fi}, nil
}

// ReadFile reads the named file's blob.
func (f *treeFS) ReadFile(name string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("read", name, true)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	b, err := f.blob(n.hash)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}

// ReadDir lists the named directory, sorted by name.
func (f *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	list, err := f.entries(n)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return list, nil
}

// Stat describes the named file, following symbolic links.
func (f *treeFS) Stat(name string) (fs.FileInfo, error) {
	return f.stat("stat", name, true)
}

// Lstat describes the named file without following a final symbolic link.
func (f *treeFS) Lstat(name string) (fs.FileInfo, error) {
	return f.stat("lstat", name, false)
}

func (f *treeFS) stat(op, name string, follow bool) (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup(op, name, follow)
	if err != nil {
		return nil, err
	}
	fi, err := f.info(name, n)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return fi, nil
}

// ReadLink returns the target of the named symbolic link.
func (f *treeFS) ReadLink(name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	if n.mode != filemode.Symlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	b, err := f.blob(n.hash)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return string(b), nil
}

type fileInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) Mode() fs.FileMode  { return i.mode }
func (i *fileInfo) ModTime() time.Time { return i.modTime }
func (i *fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *fileInfo) Sys() any           { return nil }

type dirEntry struct {
	fsys *treeFS
	name string
	n    node
}

func (e *dirEntry) Name() string      { return e.name }
func (e *dirEntry) IsDir() bool       { return e.n.isDir() }
func (e *dirEntry) Type() fs.FileMode { return e.n.fileMode().Type() }
func (e *dirEntry) Info() (fs.FileInfo, error) {
	e.fsys.mu.Lock()
	defer e.fsys.mu.Unlock()
	return e.fsys.info(e.name, e.n)
}

// file is an open regular file. Its content is read from the blob on the
// first Read, Seek or ReadAt.
type file struct {
	fsys   *treeFS
	name   string
	n      node
	info   *fileInfo
	r      *bytes.Reader
	closed bool
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *file) load(op string) error {
	if f.closed {
		return &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed}
	}
	if f.r != nil {
		return nil
	}
	f.fsys.mu.Lock()
	b, err := f.fsys.blob(f.n.hash)
	f.fsys.mu.Unlock()
	if err != nil {
		return &fs.PathError{Op: op, Path: f.name, Err: err}
	}
	f.r = bytes.NewReader(b)
	return nil
}

func (f *file) Read(p []byte) (int, error) {
	if err := f.load("read"); err != nil {
		return 0, err
	}
	return f.r.Read(p)
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if err := f.load("read"); err != nil {
		return 0, err
	}
	return f.r.ReadAt(p, off)
}

func (f *file) Seek(offset int64, whence int) (int64, error) {
	if err := f.load("seek"); err != nil {
		return 0, err
	}
	return f.r.Seek(offset, whence)
}

func (f *file) Close() error {
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	f.closed = true
	f.r = nil
	return nil
}

// dir is an open directory; ReadDir pages through its entries.
type dir struct {
	fsys    *treeFS
	name    string
	n       node
	info    *fileInfo
	entries []fs.DirEntry // nil until the first ReadDir
	offset  int
	closed  bool
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }

func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}

func (d *dir) Close() error {
	if d.closed {
		return &fs.PathError{Op: "close", Path: d.name, Err: fs.ErrClosed}
	}
	d.closed = true
	return nil
}

func (d *dir) ReadDir(count int) ([]fs.DirEntry, error) {
	if d.closed {
		return nil, &fs.PathError{Op: "readdir", Path: d.name, Err: fs.ErrClosed}
	}
	if d.entries == nil {
		d.fsys.mu.Lock()
		list, err := d.fsys.entries(d.n)
		d.fsys.mu.Unlock()
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.name, Err: err}
		}
		d.entries = list
	}
	rest := d.entries[d.offset:]
	if count <= 0 {
		d.offset = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	count = min(count, len(rest))
	d.offset += count
	return slices.Clone(rest[:count]), nil
}
