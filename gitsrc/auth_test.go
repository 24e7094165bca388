package gitsrc

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

const testToken = "ghs_s3cr3tT0k3nValue"

func TestCredentialsFromEnv(t *testing.T) {
	env := map[string]string{EnvGitHubToken: "from-github"}
	if got := CredentialsFromEnv(mapEnv(env)).Token; got != "from-github" {
		t.Errorf("Token = %q, want GITHUB_TOKEN's", got)
	}
	env[EnvToken] = testToken
	env[EnvSSHKeyPassphrase] = "p4ssphrase"
	env[EnvSSHKeyFile] = "/keys/deploy"
	env[EnvUsername] = "oauth2"
	c := CredentialsFromEnv(mapEnv(env))
	want := Credentials{Token: testToken, Username: "oauth2", SSHKeyFile: "/keys/deploy", SSHKeyPassphrase: "p4ssphrase"}
	if c != want {
		t.Errorf("CredentialsFromEnv = %+v, want GIT_TOKEN to win", c)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, c); strings.Contains(out, testToken) || strings.Contains(out, "p4ssphrase") {
			t.Errorf("Printf(%s) leaks a secret: %s", format, out)
		}
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestAuthFor(t *testing.T) {
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	plainKey := writeKey(t, dir, "plain", priv, "")
	encKey := writeKey(t, dir, "enc", priv, "p4ssphrase")
	t.Setenv("SSH_AUTH_SOCK", "") // no agent, whatever the machine has

	for _, tc := range []struct {
		name     string
		url      string
		creds    Credentials
		want     string // the auth method's String(), or "" for none
		wantErr  error
		mentions string
	}{
		{"https with a token", "https://github.com/acme/platform.git", Credentials{Token: testToken}, "http-basic-auth - x-access-token:*******", nil, ""},
		{"https, user overridden", "https://gitlab.com/acme/platform.git", Credentials{Token: testToken, Username: "oauth2"}, "http-basic-auth - oauth2:*******", nil, ""},
		{"https, anonymous", "https://github.com/acme/platform.git", Credentials{}, "", nil, ""},
		{"https, credentials in the URL win", "https://bob:pw@github.com/acme/platform.git", Credentials{Token: testToken}, "", nil, ""},
		{"http never gets the token", "http://git.internal/acme/platform.git", Credentials{Token: testToken}, "", nil, ""},
		{"file", "file:///srv/git/platform.git", Credentials{Token: testToken}, "", nil, ""},
		{"git protocol", "git://git.internal/platform.git", Credentials{Token: testToken}, "", nil, ""},
		{"scp-like with a key file", "git@github.com:acme/platform.git", Credentials{SSHKeyFile: plainKey}, "user: git, name: ssh-public-keys", nil, ""},
		{"ssh URL keeps its user", "ssh://deploy@git.internal:2222/platform.git", Credentials{SSHKeyFile: plainKey}, "user: deploy, name: ssh-public-keys", nil, ""},
		{"ssh URL without a user", "ssh://git.internal/platform.git", Credentials{SSHKeyFile: encKey, SSHKeyPassphrase: "p4ssphrase"}, "user: git, name: ssh-public-keys", nil, ""},
		{"wrong passphrase", "git@github.com:acme/platform.git", Credentials{SSHKeyFile: encKey, SSHKeyPassphrase: "wr0ng-p4ss"}, "", ErrAuth, EnvSSHKeyFile},
		{"missing key file", "git@github.com:acme/platform.git", Credentials{SSHKeyFile: filepath.Join(dir, "missing")}, "", ErrAuth, EnvSSHKeyFile},
		{"no key and no agent", "git@github.com:acme/platform.git", Credentials{}, "", ErrAuth, "ssh-agent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep, err := transport.NewEndpoint(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := authFor(ep, tc.creds)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.mentions) {
					t.Fatalf("err = %v, want %v mentioning %s", err, tc.wantErr, tc.mentions)
				}
				if strings.Contains(err.Error(), tc.creds.SSHKeyPassphrase) && tc.creds.SSHKeyPassphrase != "" {
					t.Errorf("error leaks the passphrase: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if auth != nil {
				got = auth.String()
			}
			if got != tc.want {
				t.Errorf("auth = %q, want %q", got, tc.want)
			}
			if basic, ok := auth.(*githttp.BasicAuth); ok && basic.Password != testToken {
				t.Errorf("basic auth password = %q, want the token", basic.Password)
			}
		})
	}
}

func writeKey(t *testing.T, dir, name string, priv ed25519.PrivateKey, passphrase string) string {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// gitHTTPServer serves the repositories under root with git's smart HTTP
// backend, asking for basic auth x-access-token:token when token is set.
// Every request's Authorization header is recorded in seen. When echo is
// set, a refusal echoes the credentials it was sent, as a careless server
// might.
type gitHTTPServer struct {
	root, token string
	echo        bool
	mu          sync.Mutex
	seen        []string
}

func (s *gitHTTPServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seen = append(s.seen, r.Header.Get("Authorization"))
	s.mu.Unlock()
	if s.token != "" {
		user, pass, ok := r.BasicAuth()
		if !ok || user != DefaultTokenUser || pass != s.token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			w.WriteHeader(http.StatusUnauthorized)
			if s.echo {
				fmt.Fprintf(w, "bad credentials %s:%s\n", user, pass)
			}
			return
		}
	}
	backend := filepath.Join(gitExecPath(), "git-http-backend")
	h := &cgi.Handler{Path: backend, Env: []string{
		"GIT_PROJECT_ROOT=" + s.root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
	}, Stderr: io.Discard}
	h.ServeHTTP(w, r)
}

func gitExecPath() string {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func requireHTTPBackend(t *testing.T) {
	t.Helper()
	requireGit(t)
	if _, err := os.Stat(filepath.Join(gitExecPath(), "git-http-backend")); err != nil {
		t.Skip("git-http-backend is not installed")
	}
}

func TestHTTPSToken(t *testing.T) {
	requireHTTPBackend(t)
	h := newHistory(t)
	bare := bareCopy(t, h.w.repo, nil)
	gs := &gitHTTPServer{root: filepath.Dir(bare), token: testToken, echo: true}
	srv := httptest.NewTLSServer(gs)
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	url := srv.URL + "/remote.git"
	ctx := context.Background()

	snap, err := At(ctx, url, "main", Options{Credentials: Credentials{Token: testToken}, CABundle: ca})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Commit != h.c3.String() {
		t.Errorf("Commit = %s, want %s", snap.Commit, h.c3)
	}
	want := "Basic " + basic(DefaultTokenUser, testToken)
	if !containsString(gs.seen, want) {
		t.Errorf("the server never saw basic auth %s:<token>; saw %q", DefaultTokenUser, gs.seen)
	}

	for _, tc := range []struct {
		name  string
		url   string
		creds Credentials
		want  error
		leak  string
	}{
		{"wrong token, echoed back", url, Credentials{Token: "ghs_wr0ngT0k3n"}, ErrAuth, "ghs_wr0ngT0k3n"},
		{"no token", url, Credentials{}, ErrAuth, ""},
		{"password in the URL", strings.Replace(url, "https://", "https://bob:hunter22@", 1), Credentials{}, ErrAuth, "hunter22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := At(ctx, tc.url, "main", Options{Credentials: tc.creds, CABundle: ca})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.leak != "" && strings.Contains(err.Error(), tc.leak) {
				t.Errorf("the error shows a secret: %v", err)
			}
			if !strings.Contains(err.Error(), EnvToken) {
				t.Errorf("the error does not say which variable to set: %v", err)
			}
		})
	}

	gs.token = ""
	if _, err := At(ctx, srv.URL+"/missing.git", "main", Options{CABundle: ca}); !errors.Is(err, ErrRepoNotFound) {
		t.Errorf("missing repository over HTTPS: %v, want ErrRepoNotFound", err)
	}
}

func TestHTTPNeverSendsToken(t *testing.T) {
	requireHTTPBackend(t)
	h := newHistory(t)
	gs := &gitHTTPServer{root: filepath.Dir(bareCopy(t, h.w.repo, nil))}
	srv := httptest.NewServer(gs)
	defer srv.Close()
	if _, err := At(context.Background(), srv.URL+"/remote.git", "main", Options{Credentials: Credentials{Token: testToken}}); err != nil {
		t.Fatal(err)
	}
	for _, a := range gs.seen {
		if a != "" {
			t.Errorf("a plain-HTTP request carried credentials: %q", a)
		}
	}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sshGitServer is an SSH server on loopback that runs git-upload-pack for
// repositories under root, for clients holding the authorised key.
type sshGitServer struct {
	addr    string
	hostKey ssh.PublicKey
}

func startSSHGitServer(t *testing.T, root string, authorized ssh.PublicKey) *sshGitServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
		if bytes.Equal(key.Marshal(), authorized.Marshal()) {
			return nil, nil
		}
		return nil, errors.New("unknown key")
	}}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serveSSH(conn, cfg, root) })
		}
	})
	return &sshGitServer{addr: ln.Addr().String(), hostKey: hostSigner.PublicKey()}
}

func serveSSH(conn net.Conn, cfg *ssh.ServerConfig, root string) {
	defer conn.Close()
	_, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "sessions only")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			defer ch.Close()
			for req := range chReqs {
				if req.Type != "exec" || len(req.Payload) < 4 {
					req.Reply(false, nil)
					continue
				}
				command := string(req.Payload[4 : 4+binary.BigEndian.Uint32(req.Payload)])
				prog, arg, _ := strings.Cut(command, " ")
				if prog != "git-upload-pack" {
					req.Reply(false, nil)
					continue
				}
				req.Reply(true, nil)
				cmd := exec.Command("git-upload-pack", filepath.Join(root, strings.Trim(arg, "'")))
				stdin, _ := cmd.StdinPipe()
				cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
				status := uint32(0)
				if err := cmd.Start(); err != nil {
					status = 127
				} else {
					go func() { io.Copy(stdin, ch); stdin.Close() }()
					if err := cmd.Wait(); err != nil {
						status = 1
					}
				}
				ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, status))
				return
			}
		}()
	}
}

func TestSSH(t *testing.T) {
	requireGit(t)
	h := newHistory(t)
	bare := bareCopy(t, h.w.repo, nil)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	srv := startSSHGitServer(t, filepath.Dir(bare), sshPub)
	dir := t.TempDir()
	knownHosts := filepath.Join(dir, "known_hosts")
	url := "ssh://git@" + srv.addr + "/remote.git"
	ctx := context.Background()

	// An unknown host key is refused, with a hint.
	if err := os.WriteFile(knownHosts, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSH_KNOWN_HOSTS", knownHosts)
	keyFile := writeKey(t, dir, "id_ed25519", priv, "")
	if _, err := At(ctx, url, "main", Options{Credentials: Credentials{SSHKeyFile: keyFile}}); !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "SSH_KNOWN_HOSTS") {
		t.Errorf("unknown host key: %v, want ErrAuth naming SSH_KNOWN_HOSTS", err)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(srv.addr)}, srv.hostKey)
	if err := os.WriteFile(knownHosts, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("key file", func(t *testing.T) {
		snap, err := At(ctx, url, "main", Options{Credentials: Credentials{SSHKeyFile: keyFile}})
		if err != nil {
			t.Fatal(err)
		}
		if snap.Commit != h.c3.String() {
			t.Errorf("Commit = %s, want %s", snap.Commit, h.c3)
		}
	})
	t.Run("ssh-agent", func(t *testing.T) {
		keyring := agent.NewKeyring()
		if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
			t.Fatal(err)
		}
		sock := filepath.Join(dir, "agent.sock")
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Skipf("no unix sockets: %v", err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go agent.ServeAgent(keyring, c)
			}
		}()
		t.Setenv("SSH_AUTH_SOCK", sock)
		snap, err := At(ctx, url, "v1", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if snap.Commit != h.c1.String() {
			t.Errorf("Commit = %s, want %s", snap.Commit, h.c1)
		}
	})
	t.Run("key not authorised", func(t *testing.T) {
		_, other, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		_, err = At(ctx, url, "main", Options{Credentials: Credentials{SSHKeyFile: writeKey(t, t.TempDir(), "other", other, "")}})
		if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), EnvSSHKeyFile) {
			t.Errorf("err = %v, want ErrAuth naming %s", err, EnvSSHKeyFile)
		}
	})
}
