package reconcile

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// Secrets resolves secret references to their values and fingerprints
// them. A value is read when a plan or an apply needs it, held only in
// memory, and never written anywhere but to Octopus as the secret itself.
//
// Octopus never returns a secret, so a plan cannot compare a secret in git
// with the one in Octopus. Instead, each time octosync writes a secret it
// records a fingerprint of the value in a ledger kept in Octopus (see
// ledger.go); the next plan fingerprints the value git now references and
// compares the two. A fingerprint is HMAC-SHA256 keyed with Key when one
// is given (OCTOSYNC_FINGERPRINT_KEY), so it reveals nothing to anyone
// without the key; without a key it is PBKDF2-SHA256 with a random salt
// kept in the ledger and many iterations, which makes guessing a weak
// secret from its fingerprint expensive.
type Secrets struct {
	// Getenv and ReadFile read references; os.Getenv and os.ReadFile when
	// nil.
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
	// BaseDir resolves relative file references (the configuration root).
	BaseDir string
	// Key keys the fingerprints.
	Key []byte

	mu     sync.Mutex
	values map[model.SecretRef]resolved
}

type resolved struct {
	value string
	err   error
}

// ErrSecretMissing reports a reference whose variable is unset or whose
// file cannot be read.
var ErrSecretMissing = errors.New("secret not available")

// pbkdf2Iterations makes an unkeyed fingerprint slow to guess from.
const pbkdf2Iterations = 20000

// Resolve returns the value a reference points to. The error names the
// reference, never the value.
func (s *Secrets) Resolve(ref model.SecretRef) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: %s", ErrSecretMissing, ref)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.values[ref]; ok {
		return r.value, r.err
	}
	var r resolved
	switch {
	case ref.Env != "":
		getenv := s.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		if r.value = getenv(ref.Env); r.value == "" {
			r.err = fmt.Errorf("%w: environment variable %s is not set", ErrSecretMissing, ref.Env)
		}
	case ref.File != "":
		read := s.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		p := ref.File
		if !filepath.IsAbs(p) && s.BaseDir != "" {
			p = filepath.Join(s.BaseDir, p)
		}
		b, err := read(p)
		if err != nil {
			r.err = fmt.Errorf("%w: file %s cannot be read", ErrSecretMissing, ref.File)
		}
		r.value = strings.TrimRight(string(b), "\r\n")
	default:
		r.err = fmt.Errorf("%w: empty secret reference", ErrSecretMissing)
	}
	if s.values == nil {
		s.values = map[model.SecretRef]resolved{}
	}
	s.values[ref] = r
	return r.value, r.err
}

// Fingerprint returns the fingerprint of a secret value written to the
// resource with the given ledger key, salted with the ledger's salt.
func (s *Secrets) Fingerprint(resource, salt, value string) string {
	msg := resource + "\x00" + value
	if s != nil && len(s.Key) > 0 {
		m := hmac.New(sha256.New, s.Key)
		m.Write([]byte(salt + "\x00" + msg))
		return "k1:" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
	}
	sum, err := pbkdf2.Key(sha256.New, msg, []byte("octosync\x00"+salt), pbkdf2Iterations, 18)
	if err != nil {
		return ""
	}
	return "p1:" + base64.RawURLEncoding.EncodeToString(sum)
}

// newSalt returns a random salt for a new ledger.
func newSalt() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// withFingerprints replaces the secret references in a desired document
// with Sensitive values carrying the fingerprints of what they point to.
func (b *builder) withFingerprints(key model.Key, salt string, doc model.Doc) model.Doc {
	return mapSecrets(doc, func(ref model.SecretRef) any {
		v, err := b.secrets.Resolve(ref)
		if err != nil {
			return Sensitive{Set: true, Ref: ref, Unresolved: true}
		}
		return Sensitive{Set: true, Ref: ref, Fingerprint: b.secrets.Fingerprint(ledgerKey(key), salt, v)}
	}).(map[string]any)
}

// mapSecrets returns v with every SecretRef replaced by fn's result.
func mapSecrets(v any, fn func(model.SecretRef) any) any {
	switch t := v.(type) {
	case model.SecretRef:
		return fn(t)
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = mapSecrets(e, fn)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = mapSecrets(e, fn)
		}
		return a
	}
	return v
}

// LedgerName is the library variable set, in each space, where octosync
// keeps the fingerprints of the secrets it wrote. Instance-level secrets
// (SMTP, authentication providers, the audit stream) are kept in the
// default space's ledger.
const LedgerName = "octosync fingerprints"

const ledgerDescription = "Fingerprints of the secrets octosync wrote, so that it can tell when a secret in git changes. No secret can be read from them. Managed by octosync; do not edit. salt="

// ledger is one space's record of secret fingerprints.
type ledger struct {
	mu    sync.Mutex
	space *LiveSpace
	lvs   *LiveDoc // the ledger's library variable set, nil until created
	vars  *LiveDoc // its variable set
	salt  string
	// entries maps a resource's ledger key to its secrets' readable paths
	// and their fingerprints.
	entries map[string]map[string]string
	// dirty says apply changed entries that are not saved yet.
	dirty bool
}

type ledgers struct {
	instance *ledger
	spaces   map[*LiveSpace]*ledger
}

// ledgerKey names a resource in the ledger: its kind, owner and name.
// Instance-level resources are prefixed so they cannot collide with a
// space's.
func ledgerKey(k model.Key) string {
	s := k.Kind + "/" + k.Owner + "/" + k.Name
	if k.Space == "" {
		return "instance/" + s
	}
	return s
}

func isLedger(d *LiveDoc) bool {
	return (d.Kind.Name == "libraryVariableSets" || d.Kind.Name == "libraryVariables") && (d.Name == LedgerName || d.Owner == LedgerName)
}

// readLedgers finds the ledger of every space read, and the default
// space's ledger for instance-level resources.
func readLedgers(li *LiveInstance, _ map[*LiveSpace]*index) ledgers {
	ls := ledgers{spaces: map[*LiveSpace]*ledger{}}
	for _, s := range li.Spaces {
		l := &ledger{space: s, entries: map[string]map[string]string{}}
		for _, d := range s.Docs["libraryVariableSets"] {
			if d.Name == LedgerName {
				l.lvs = d
				desc, _ := d.Doc["Description"].(string)
				if i := strings.LastIndex(desc, "salt="); i >= 0 {
					l.salt = desc[i+len("salt="):]
				}
			}
		}
		for _, d := range s.Docs["libraryVariables"] {
			if d.Owner == LedgerName {
				l.vars = d
				vars, _ := d.Doc["Variables"].([]any)
				for _, v := range vars {
					m, _ := v.(map[string]any)
					name, _ := m["Name"].(string)
					value, _ := m["Value"].(string)
					var fps map[string]string
					if json.Unmarshal([]byte(value), &fps) == nil {
						l.entries[name] = fps
					}
				}
			}
		}
		ls.spaces[s] = l
		if isDefault, _ := spaceDoc(li, s)["IsDefault"].(bool); isDefault {
			ls.instance = l
		}
	}
	if ls.instance == nil {
		ls.instance = &ledger{entries: map[string]map[string]string{}}
	}
	return ls
}

func spaceDoc(li *LiveInstance, s *LiveSpace) model.Doc {
	for _, d := range li.Docs["spaces"] {
		if d.ID == s.ID {
			return d.Doc
		}
	}
	return nil
}

// ledgerKind is the kind of a ledger's documents.
var ledgerKind = octopus.KindByName("libraryVariableSets")
