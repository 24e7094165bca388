package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The state file is JSON:
//
//	{"Format": "octosync-emulator-state", "Version": 1,
//	 "Instances": {"default": {...}, "<name>": {...}}}
//
// Each instance holds its counters, documents by kind, singleton
// documents, write-only values and API key hashes. Instances in the file
// that are not configured now are written back untouched.
const (
	stateFormat  = "octosync-emulator-state"
	stateVersion = 1
)

type stateFile struct {
	Format    string                     `json:"Format"`
	Version   int                        `json:"Version"`
	Instances map[string]json.RawMessage `json:"Instances"`
}

type instanceState struct {
	InstallationID string                       `json:"InstallationId"`
	Counters       map[string]int               `json:"Counters"`
	Collections    map[string][]Doc             `json:"Collections"`
	Singletons     map[string]Doc               `json:"Singletons"`
	Secrets        map[string]map[string]string `json:"Secrets"`
	Keys           map[string]string            `json:"Keys"`
	// Unknown holds collections of kinds this build does not serve, kept
	// so that an older emulator does not lose a newer one's documents.
	Unknown map[string]json.RawMessage `json:"Unknown,omitempty"`
}

// load reads the state file, if there is one, into the configured
// instances and reports which instances it loaded.
func (s *Server) load() (map[string]bool, error) {
	loaded := map[string]bool{}
	if s.opts.StatePath == "" {
		return loaded, nil
	}
	b, err := os.ReadFile(s.opts.StatePath)
	if errors.Is(err, fs.ErrNotExist) {
		return loaded, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state file: %w", err)
	}
	notState := func(why string) error {
		return fmt.Errorf("%s is not an octosync emulator state file (%s); it was left untouched: remove it or choose another --state path", s.opts.StatePath, why)
	}
	var sf stateFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&sf); err != nil {
		return nil, notState(fmt.Sprintf("it is not valid JSON: %v", err))
	}
	if sf.Format != stateFormat {
		return nil, notState(fmt.Sprintf("its Format is %q, not %q", sf.Format, stateFormat))
	}
	if sf.Version > stateVersion || sf.Version < 1 {
		return nil, fmt.Errorf("%s has state format version %d; this emulator reads version %d: it was left untouched", s.opts.StatePath, sf.Version, stateVersion)
	}
	for key, raw := range sf.Instances {
		name := key
		if key == "default" {
			name = ""
		}
		in := s.instances[name]
		if in == nil {
			s.foreign[key] = raw
			continue
		}
		if err := in.restore(raw); err != nil {
			return nil, fmt.Errorf("%s: instance %s: %w; the file was left untouched", s.opts.StatePath, key, err)
		}
		loaded[name] = true
	}
	return loaded, nil
}

// restore loads an instance's state from its part of the state file.
func (in *instance) restore(raw json.RawMessage) error {
	var is instanceState
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&is); err != nil {
		return fmt.Errorf("decoding: %w", err)
	}
	st := newState()
	for k, v := range is.Counters {
		st.counters[k] = v
	}
	for name, docs := range is.Collections {
		k := in.kinds[name]
		if k == nil {
			b, err := json.Marshal(docs)
			if err != nil {
				return err
			}
			if st.unknown == nil {
				st.unknown = map[string]json.RawMessage{}
			}
			st.unknown[name] = b
			continue
		}
		coll := st.coll(k)
		for i, d := range docs {
			if asString(d["Id"]) == "" {
				return fmt.Errorf("document %d of %s has no Id", i, name)
			}
			coll.put(k, bucketOf(k, d), d)
		}
	}
	for name, raw := range is.Unknown {
		if st.unknown == nil {
			st.unknown = map[string]json.RawMessage{}
		}
		st.unknown[name] = raw
	}
	for id, d := range is.Singletons {
		st.singletons[id] = d
	}
	for id, m := range is.Secrets {
		st.secrets[id] = m
	}
	for h, id := range is.Keys {
		st.keys[h] = id
	}
	if is.InstallationID == "" {
		return errors.New("it has no InstallationId")
	}
	in.st = st
	in.installationID = is.InstallationID
	return nil
}

// snapshot encodes an instance's state for the state file.
func (in *instance) snapshot() (json.RawMessage, error) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	is := instanceState{
		InstallationID: in.installationID,
		Counters:       in.st.counters,
		Collections:    map[string][]Doc{},
		Singletons:     in.st.singletons,
		Secrets:        in.st.secrets,
		Keys:           in.st.keys,
		Unknown:        in.st.unknown,
	}
	for name, coll := range in.st.colls {
		docs := coll.all(in.kinds[name])
		if len(docs) > 0 {
			is.Collections[name] = docs
		}
	}
	return json.Marshal(is)
}

// persist writes the state file after a change; a failure is logged, and
// the next change tries again.
func (s *Server) persist() {
	if s.opts.StatePath == "" {
		return
	}
	if err := s.writeState(); err != nil {
		s.opts.Logf("emulator: %v", err)
	}
}

// writeState writes every instance's state atomically: to a temporary
// file in the same directory, synced, then renamed over the state file.
func (s *Server) writeState() error {
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	sf := stateFile{Format: stateFormat, Version: stateVersion, Instances: map[string]json.RawMessage{}}
	for key, raw := range s.foreign {
		sf.Instances[key] = raw
	}
	for _, name := range s.names {
		raw, err := s.instances[name].snapshot()
		if err != nil {
			return fmt.Errorf("encoding state: %w", err)
		}
		sf.Instances[s.instances[name].label()] = raw
	}
	b, err := json.MarshalIndent(sf, "", " ")
	if err != nil {
		return fmt.Errorf("encoding state: %w", err)
	}
	dir := filepath.Dir(s.opts.StatePath)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.opts.StatePath)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.opts.StatePath); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	return nil
}
