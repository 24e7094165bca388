package gitsrc

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// Environment variables read by [CredentialsFromEnv].
const (
	// EnvToken holds a token for HTTPS remotes. It is tried first.
	EnvToken = "GIT_TOKEN"
	// EnvGitHubToken holds a token for HTTPS remotes when EnvToken is unset;
	// GitHub Actions sets it for every job.
	EnvGitHubToken = "GITHUB_TOKEN"
	// EnvUsername overrides the HTTPS user name sent with the token
	// (default [DefaultTokenUser]); GitLab, for example, wants "oauth2".
	EnvUsername = "GIT_USERNAME"
	// EnvSSHKeyFile names a private key file for SSH remotes. Without it
	// SSH remotes authenticate through the ssh-agent at SSH_AUTH_SOCK.
	EnvSSHKeyFile = "GIT_SSH_KEY_FILE"
	// EnvSSHKeyPassphrase decrypts the key named by EnvSSHKeyFile.
	EnvSSHKeyPassphrase = "GIT_SSH_KEY_PASSPHRASE"
)

// DefaultTokenUser is the HTTPS user name sent with a token. GitHub accepts
// any non-empty name with an installation or personal token, and documents
// this one.
const DefaultTokenUser = "x-access-token"

// Credentials are what [Open] may present to a remote. The zero value is
// anonymous access. Credentials never print their secrets: String and
// GoString redact them.
type Credentials struct {
	// Token is sent as the password of HTTP basic auth to https:// remotes,
	// and never to http:// ones.
	Token string
	// Username goes with Token; empty means DefaultTokenUser.
	Username string
	// SSHKeyFile is a private key (OpenSSH, PEM or PKCS#8) for ssh:// and
	// scp-like (git@host:path) remotes. Empty means use the ssh-agent.
	SSHKeyFile string
	// SSHKeyPassphrase decrypts SSHKeyFile when it is encrypted.
	SSHKeyPassphrase string
}

// CredentialsFromEnv reads credentials from the variables named by the Env
// constants through getenv (os.Getenv in production).
func CredentialsFromEnv(getenv func(string) string) Credentials {
	token := getenv(EnvToken)
	if token == "" {
		token = getenv(EnvGitHubToken)
	}
	return Credentials{
		Token:            token,
		Username:         getenv(EnvUsername),
		SSHKeyFile:       getenv(EnvSSHKeyFile),
		SSHKeyPassphrase: getenv(EnvSSHKeyPassphrase),
	}
}

// String describes the credentials without their secrets.
func (c Credentials) String() string {
	set := func(s string) string {
		if s == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("gitsrc.Credentials{Token: %s, Username: %q, SSHKeyFile: %q, SSHKeyPassphrase: %s}",
		set(c.Token), c.Username, c.SSHKeyFile, set(c.SSHKeyPassphrase))
}

// GoString is String, so that %#v redacts too.
func (c Credentials) GoString() string { return c.String() }

// secrets lists the values that must never appear in a message.
func (c Credentials) secrets() []string { return []string{c.Token, c.SSHKeyPassphrase} }

// authFor picks the go-git auth method for an endpoint:
//
//   - file and git:// remotes: none;
//   - https://: basic auth Username:Token when a token is set, else none
//     (a public repository, or credentials written into the URL, which
//     go-git uses itself);
//   - http://: none; a token is never sent in the clear;
//   - ssh:// and scp-like: the key file when set, else the ssh-agent. The
//     SSH user is the URL's, or "git". Host keys are checked against
//     known_hosts ($SSH_KNOWN_HOSTS, else ~/.ssh/known_hosts and
//     /etc/ssh/ssh_known_hosts).
func authFor(ep *transport.Endpoint, c Credentials) (transport.AuthMethod, error) {
	switch ep.Protocol {
	case "https":
		if c.Token == "" || ep.Password != "" {
			return nil, nil
		}
		user := c.Username
		if user == "" {
			user = DefaultTokenUser
		}
		return &githttp.BasicAuth{Username: user, Password: c.Token}, nil
	case "ssh":
		user := ep.User
		if user == "" {
			user = gitssh.DefaultUsername
		}
		if c.SSHKeyFile != "" {
			auth, err := gitssh.NewPublicKeysFromFile(user, c.SSHKeyFile, c.SSHKeyPassphrase)
			if err != nil {
				return nil, fmt.Errorf("%w: read SSH key %s (from %s): %v", ErrAuth, c.SSHKeyFile, EnvSSHKeyFile, err)
			}
			return auth, nil
		}
		auth, err := gitssh.NewSSHAgentAuth(user)
		if err != nil {
			return nil, fmt.Errorf("%w: no SSH key: set %s to a private key file, or start an ssh-agent (SSH_AUTH_SOCK): %v",
				ErrAuth, EnvSSHKeyFile, err)
		}
		return auth, nil
	}
	return nil, nil
}
