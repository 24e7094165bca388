// Package gitsrc reads octosync's configuration out of git: at any ref of a
// local or remote repository, or from a directory on disk, always as an
// [io/fs.FS] stamped with the commit it came from. It is the only package
// that imports go-git (pinned to v5), so moving to another git library, or
// to go-git v6, touches nothing else.
//
// # Reading a ref
//
// [Open] opens a repository and [Repository.Snapshot] returns the
// configuration at a ref as a [Snapshot]: a file system plus the
// repository, the ref as asked for, and the full commit hash that plans and
// drift reports carry. [At] does both for one ref.
//
// A remote repository (https://, http://, ssh://, git@host:path, git://, and
// file:// URLs) is cloned bare into memory: nothing is written to disk and
// no work tree is checked out. The refs are listed first (one round trip),
// each ref is resolved against that list, and the refs asked for are then
// fetched together, at depth 1, in one request. Two refs therefore cost one
// clone and two tips, not two clones; that is what plan --base needs. A ref
// is resolved in git's order: a full ref name ("refs/pull/7/head"), a tag, a
// branch, then a commit hash. A hash at the tip of a branch or tag is
// fetched through that ref. Any other commit is fetched by hash at depth 1
// when the server allows it (GitHub does); when it does not, and for an
// abbreviated hash, every branch and tag is fetched with its full history,
// which costs as much as a full clone. File reads come from the commit's
// tree objects on demand, so a snapshot costs only the blobs the loader
// opens.
//
// A local path (not written as a file:// URL) is read in place from its
// object store, with no copy; there any revision git understands works,
// "origin/main" and "HEAD~1" included. In a CI checkout made with depth 1
// the base ref has to be fetched before it can be read; the error says so.
//
// [Options.Path] restricts snapshots to a directory inside the repository,
// for configuration that lives beside other code (--repo URL --ref REF plus
// a path).
//
// # The file system
//
// A snapshot's FS implements [io/fs.ReadFileFS], [io/fs.ReadDirFS],
// [io/fs.StatFS] and [io/fs.ReadLinkFS], and passes [testing/fstest.TestFS].
// Names follow [io/fs.ValidPath]; a missing name is [io/fs.ErrNotExist].
// Symbolic links are followed as in a checkout, anywhere inside the
// repository; submodules are empty directories. Every entry's modification
// time is the commit's. The file system is read-only and safe for
// concurrent use.
//
// # Work trees
//
// [Dir] reads a directory on disk through [os.DirFS]. When the directory is
// inside a git work tree, the snapshot also names the work tree, the
// branch, the HEAD commit, and whether files under the directory have
// uncommitted changes, so a plan made from a dirty tree can say so.
//
// # What changed
//
// [Repository.Changed] (and [Changed]) lists the files that differ between
// two refs, compared tree to tree so both can stay shallow; [WorkTreeChanged]
// does the same between a ref and a work tree, uncommitted files included.
// plan --base maps these paths to the instances and spaces to plan.
//
// # Credentials
//
// [CredentialsFromEnv] reads a token for HTTPS from GIT_TOKEN or
// GITHUB_TOKEN, sent as basic auth with the user x-access-token (GIT_USERNAME
// overrides it), to https:// remotes only, never over plain http://. SSH
// remotes use the private key named by GIT_SSH_KEY_FILE (decrypted with
// GIT_SSH_KEY_PASSPHRASE), or else the ssh-agent at SSH_AUTH_SOCK; the SSH
// user is the URL's, or "git", and the server's host key must be in a
// known_hosts file ($SSH_KNOWN_HOSTS, else ~/.ssh/known_hosts). Secrets never
// appear in an error or a [Snapshot]: a URL's embedded password is redacted
// and every error message is scrubbed of the token.
//
// # Errors
//
// Failures wrap one of the sentinels ([ErrRepoNotFound], [ErrRefNotFound],
// [ErrPathNotFound], [ErrAuth], [ErrRepoEmpty], [ErrNotWorkTree]) in a
// message that names the repository and the ref and says what to do next.
package gitsrc
