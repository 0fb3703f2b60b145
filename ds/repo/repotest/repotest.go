// Package repotest makes signed DS files, keys and repositories for tests
// of the repository, the download client and the commands that use them.
package repotest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/verify"
)

// Key is a publisher key pair for tests.
type Key struct {
	Signing *verify.SigningKey
	Public  []byte          // armoured
	Ring    *verify.Keyring // holding only this key
}

// NewKey generates an Ed25519 publisher key created at created.
func NewKey(t testing.TB, name string, created time.Time) *Key {
	t.Helper()
	pub, sec, err := verify.GenerateKey(name, "publisher@example.com", "ed25519", created, 0)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	sk, err := verify.ParseSigningKey(name+".sec.asc", sec, nil)
	if err != nil {
		t.Fatalf("ParseSigningKey: %v", err)
	}
	ring, err := verify.ParseKeyring(name+".asc", pub)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return &Key{Signing: sk, Public: pub, Ring: ring}
}

// Sign returns the armoured detached signature of data made at now.
func (k *Key) Sign(t testing.TB, data []byte, now time.Time) []byte {
	t.Helper()
	asc, err := k.Signing.SignDetached(data, now)
	if err != nil {
		t.Fatalf("SignDetached: %v", err)
	}
	return asc
}

// DSXML is a small valid DS file of the given id and revision; note
// makes files of the same id and revision differ.
func DSXML(id, rev, note string) []byte {
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="%[1]s" revision="%[2]s">
  <Name>Test%[1]s</Name>
  <Description>test DS %[1]s revision %[2]s %[3]s</Description>
  <Events>
    <Event id="e1" type="syslog" pattern="%%TEST-5-DS%[1]s: .*"/>
  </Events>
  <Actions>
    <Action type="message" to="syslog" severity="notice">DS ${ds_signature_id} ran</Action>
  </Actions>
</DiagnosticSignature>
`, id, rev, note)
}

// WriteDS writes dir/<id>.xml and its signature made at now, as a
// publisher's input to repo.Build.
func (k *Key) WriteDS(t testing.TB, dir, id, rev, note string, now time.Time) {
	t.Helper()
	data := DSXML(id, rev, note)
	write(t, filepath.Join(dir, id+".xml"), data)
	write(t, filepath.Join(dir, id+".xml.asc"), k.Sign(t, data, now))
}

// write writes a world-readable file.
func write(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Versions is an in-memory download.VersionStore.
type Versions struct {
	mu sync.Mutex
	m  map[string]string
}

// Value returns a stored value.
func (v *Versions) Value(key string) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.m[key]
	return s, ok
}

// SetValue stores a value; an empty one deletes it.
func (v *Versions) SetValue(key, value string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]string{}
	}
	if value == "" {
		delete(v.m, key)
	} else {
		v.m[key] = value
	}
	return nil
}

// All returns a copy of the stored values.
func (v *Versions) All() map[string]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]string, len(v.m))
	for k, s := range v.m {
		out[k] = s
	}
	return out
}
