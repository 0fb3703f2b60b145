package lifecycle

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/verify"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// publisher signs DS files with a fresh Ed25519 key.
type publisher struct {
	key  *verify.SigningKey
	keys *verify.Keyring
}

func newPublisher(t testing.TB) publisher {
	t.Helper()
	pub, sec, err := verify.GenerateKey("Test", "test@example.com", "ed25519", testNow.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	key, err := verify.ParseSigningKey("test-secret.asc", sec, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := verify.ParseKeyring("test-public.asc", pub)
	if err != nil {
		t.Fatal(err)
	}
	return publisher{key, keys}
}

// file writes <dir>/<id>.xml and its signature.
func (p publisher) file(t testing.TB, dir, id string, xml []byte) string {
	t.Helper()
	path := filepath.Join(dir, id+".xml")
	asc, err := p.key.SignDetached(xml, testNow.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, xml, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".asc", asc, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func openManager(t testing.TB, root string, p publisher, env map[string]string, host Host) (*bootflash.Store, *Manager) {
	t.Helper()
	now := func() time.Time { return testNow }
	check := Checker(p.keys, now)
	store, err := bootflash.Open(root, bootflash.Options{Check: check, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, New(store, check, host, env, now)
}

var linux = Host{Hostname: "edge-1", Platform: "linux", EngineVersion: EngineVersion}

const withVariables = `<?xml version="1.0"?>
<DiagnosticSignature id="7200" revision="1.0">
  <Name>Vars</Name>
  <Variables>
    <Variable name="ds_env1" source="environment"/>
    <Variable name="ds_intf" source="prompt" prompt="Interface" default="Gi0/0/1"/>
  </Variables>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface ${ds_intf}, changed state to down"/></Events>
  <Actions><Action type="command">show interfaces ${ds_intf} ${ds_env1}</Action></Actions>
</DiagnosticSignature>
`

func TestPendingUntilVariablesResolve(t *testing.T) {
	p := newPublisher(t)
	dir := t.TempDir()
	path := p.file(t, dir, "7200", []byte(withVariables))
	env := map[string]string{}
	store, mgr := openManager(t, t.TempDir(), p, env, linux)

	res, err := mgr.InstallFile(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != ds.StatusPending || len(res.Missing) != 2 {
		t.Fatalf("without values: %+v, want pending on two variables", res)
	}
	// The prompt answered on a "terminal": the asker is called with the
	// variable, and its answer is kept.
	var asked []string
	res, err = mgr.Install("7200", nil, func(v ds.Variable) (string, error) {
		asked = append(asked, v.Name+"|"+v.Default)
		return "Gi1/0/9", nil
	})
	if err != nil || res.Status != ds.StatusPending || len(res.Missing) != 1 || res.Missing[0].Name != "ds_env1" {
		t.Fatalf("after the prompt: %+v, %v; want pending on ds_env1 only", res, err)
	}
	if strings.Join(asked, ",") != "ds_intf|Gi0/0/1" {
		t.Errorf("asked %v", asked)
	}
	// The environment gets its value (a reload): the DS registers.
	env["ds_env1"] = "abc"
	changed, err := mgr.Evaluate()
	if err != nil || len(changed) != 1 || changed[0].Status != ds.StatusRegistered {
		t.Fatalf("Evaluate after the environment changed: %+v, %v", changed, err)
	}
	e, _ := store.Get("7200")
	if e.Status != ds.StatusRegistered || e.PromptAnswers["ds_intf"] != "Gi1/0/9" || e.FailureReason != "" {
		t.Errorf("stored entry: %+v", e)
	}
	// And back to pending when it goes away.
	delete(env, "ds_env1")
	if changed, _ := mgr.Evaluate(); len(changed) != 1 || changed[0].Status != ds.StatusPending {
		t.Errorf("Evaluate after the environment lost the value: %+v", changed)
	}
}

func TestPrerequisites(t *testing.T) {
	p := newPublisher(t)
	dir := t.TempDir()
	mk := func(id, prereq string) string {
		return p.file(t, dir, id, []byte(fmt.Sprintf(`<DiagnosticSignature id="%s" revision="1.0">
  <Name>P%s</Name>
  <Prerequisite>%s</Prerequisite>
  <Events><Event type="immediate"/></Events>
  <Actions><Action type="command">show version</Action></Actions>
</DiagnosticSignature>`, id, id, prereq)))
	}
	_, mgr := openManager(t, t.TempDir(), p, nil, linux)
	cases := []struct {
		path   string
		status ds.Status
		reason string
	}{
		{mk("7301", "<Platform>linux</Platform>"), ds.StatusRegistered, ""},
		{mk("7302", "<Platform>C9300</Platform><Platform>ASR1000</Platform>"), ds.StatusFailed, "platform C9300 or ASR1000 required, this host is linux"},
		{mk("7303", "<MinEngineVersion>0.10</MinEngineVersion>"), ds.StatusFailed, "engine version 0.10 or later required, this is 0.1"},
		{mk("7304", "<MinEngineVersion>0.0.9</MinEngineVersion>"), ds.StatusRegistered, ""},
	}
	for _, c := range cases {
		res, err := mgr.InstallFile(c.path, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != c.status || (c.reason != "" && res.Reason != "prerequisite not met: "+c.reason) {
			t.Errorf("%s: %s %q, want %s %q", filepath.Base(c.path), res.Status, res.Reason, c.status, c.reason)
		}
	}
}

func TestRestartReverifiesAndIsolatesDamage(t *testing.T) {
	p := newPublisher(t)
	dir, root := t.TempDir(), t.TempDir()
	store, mgr := openManager(t, root, p, nil, linux)
	for _, id := range []string{"7401", "7402", "7403"} {
		xml := strings.ReplaceAll(string(withVariables), "7200", id)
		xml = strings.Replace(xml, `<Variable name="ds_env1" source="environment"/>`, "", 1)
		xml = strings.ReplaceAll(xml, " ${ds_env1}", "")
		if _, err := mgr.InstallFile(p.file(t, dir, id, []byte(xml)), map[string]string{"ds_intf": "Gi0/1"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	// One byte of 7402 changes on disk while the engine is down.
	stored := filepath.Join(root, bootflash.Dir, "7402.xml")
	data, _ := os.ReadFile(stored)
	data[len(data)-5] ^= 1
	if err := os.WriteFile(stored, data, 0o644); err != nil {
		t.Fatal(err)
	}
	store, _ = openManager(t, root, p, nil, linux)
	for _, e := range store.List() {
		switch e.ID {
		case "7402":
			if e.Status != ds.StatusFailed || e.Signature != nil || e.Runnable() || !strings.Contains(e.FailureReason, "BAD signature") {
				t.Errorf("damaged DS after restart: status %s, runnable %v, reason %q", e.Status, e.Runnable(), e.FailureReason)
			}
		default:
			if e.Status != ds.StatusRegistered || !e.Runnable() {
				t.Errorf("DS %s after restart: %s, runnable %v", e.ID, e.Status, e.Runnable())
			}
		}
	}
	// The damaged file is kept as it is, for inspection.
	if after, _ := os.ReadFile(stored); string(after) != string(data) {
		t.Error("the damaged file was changed")
	}
}
