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

func TestInstallFiles(t *testing.T) {
	p := newPublisher(t)
	dir := t.TempDir()
	root := t.TempDir()
	store, mgr := openManager(t, root, p, nil, linux)
	vars := p.file(t, dir, "7200", []byte(withVariables))
	var paths []string
	for _, id := range []string{"7501", "7502", "7503"} {
		paths = append(paths, p.file(t, dir, id, dsXML(id)))
	}
	paths = append(paths, vars)

	// Refusals change nothing.
	before := snapshot(t, root)
	bad := filepath.Join(t.TempDir(), "7504.xml")
	os.WriteFile(bad, dsXML("7504"), 0o644)
	os.WriteFile(bad+".asc", []byte("not a signature"), 0o644)
	dupDir := t.TempDir()
	dup := p.file(t, dupDir, "7502", dsXML("7502"))
	for _, c := range []struct {
		name    string
		paths   []string
		answers map[string]map[string]string
		text    string
	}{
		{"bad signature", append(paths[:2:2], bad), nil, "refused, nothing installed: "},
		{"twice", append(paths[:3:3], dup), nil, "both hold DS 7502"},
		{"answers for another DS", paths, map[string]map[string]string{"7600": {"ds_x": "1"}}, "DS 7600, which is not among the files"},
		{"not a prompt", paths, map[string]map[string]string{"7200": {"ds_env1": "1"}}, "ds_env1 is not a prompt variable of DS 7200"},
	} {
		res, err := mgr.InstallFiles(c.paths, c.answers, nil)
		if err == nil || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, %v; want an error saying %q", c.name, res, err, c.text)
		}
		if l := store.List(); len(l) != 0 {
			t.Errorf("%s: %d DS stored", c.name, len(l))
		}
		after := snapshot(t, root)
		for path, sum := range after {
			if before[path] != sum {
				t.Errorf("%s: the store changed: %s was added or rewritten", c.name, path)
			}
		}
	}

	// All at once; the prompt of 7200 is asked, its environment variable
	// keeps it pending.
	var asked []string
	ask := func(v ds.Variable) (string, error) {
		asked = append(asked, v.Name)
		return "Gi2/0/2", nil
	}
	res, err := mgr.InstallFiles(paths, nil, ask)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("results: %+v", res)
	}
	for i, id := range []string{"7501", "7502", "7503", "7200"} {
		want := ds.StatusRegistered
		if id == "7200" {
			want = ds.StatusPending
		}
		if res[i].ID != id || res[i].Status != want {
			t.Errorf("result %d: %+v, want DS %s %s", i, res[i], id, want)
		}
		e, ok := store.Get(id)
		if !ok || e.Status != want || e.FailureReason != res[i].Reason || e.Installed.IsZero() || !e.Runnable() {
			t.Errorf("stored DS %s: %+v", id, e)
		}
	}
	if strings.Join(asked, ",") != "ds_intf" {
		t.Errorf("asked %v", asked)
	}
	if e, _ := store.Get("7200"); e.PromptAnswers["ds_intf"] != "Gi2/0/2" {
		t.Errorf("prompt answers of 7200: %v", e.PromptAnswers)
	}

	// Again, with the answer given: nothing is asked, the stored answer is
	// replaced, and the DS keep their install time.
	asked = nil
	first, _ := store.Get("7501")
	res, err = mgr.InstallFiles(paths[2:], map[string]map[string]string{"7200": {"ds_intf": "Gi3/0/3"}}, ask)
	if err != nil || len(res) != 2 || len(asked) != 0 {
		t.Fatalf("reinstall: %+v, %v, asked %v", res, err, asked)
	}
	if e, _ := store.Get("7200"); e.PromptAnswers["ds_intf"] != "Gi3/0/3" || e.Status != ds.StatusPending {
		t.Errorf("7200 after reinstall: %+v", e)
	}
	if e, _ := store.Get("7501"); !e.Installed.Equal(first.Installed) {
		t.Errorf("install time changed: %v, was %v", e.Installed, first.Installed)
	}

	// The store reopens cleanly with all four.
	store.Close()
	store, _ = openManager(t, root, p, nil, linux)
	if w := store.Warnings(); len(w) != 0 || len(store.List()) != 4 {
		t.Errorf("reopen: %d DS, warnings %q", len(store.List()), w)
	}
}

// TestInstallFileUnknownPromptChangesNothing: a wrong prompt answer is
// refused before the DS is stored.
func TestInstallFileUnknownPromptChangesNothing(t *testing.T) {
	p := newPublisher(t)
	root := t.TempDir()
	store, mgr := openManager(t, root, p, nil, linux)
	path := p.file(t, t.TempDir(), "7200", []byte(withVariables))
	before := snapshot(t, root)
	if _, err := mgr.InstallFile(path, map[string]string{"ds_bogus": "1"}, nil); err == nil || !strings.Contains(err.Error(), "ds_bogus is not a prompt variable") {
		t.Fatalf("error: %v", err)
	}
	if len(store.List()) != 0 || len(snapshot(t, root)) != len(before) {
		t.Error("the DS was stored")
	}
}

// An asker without an answer (no terminal, no default) leaves the prompt
// unanswered: the DS is pending on it, and nothing is stored for it.
func TestAskerWithoutAnswerLeavesThePromptPending(t *testing.T) {
	p := newPublisher(t)
	path := p.file(t, t.TempDir(), "7200", []byte(withVariables))
	store, mgr := openManager(t, t.TempDir(), p, map[string]string{"ds_env1": "abc"}, linux)
	res, err := mgr.InstallFile(path, nil, func(ds.Variable) (string, error) { return "", ErrNoAnswer })
	if err != nil || res.Status != ds.StatusPending || len(res.Missing) != 1 || res.Missing[0].Name != "ds_intf" {
		t.Fatalf("%+v, %v; want pending on ds_intf", res, err)
	}
	if e, _ := store.Get("7200"); len(e.PromptAnswers) != 0 {
		t.Errorf("answers stored: %v", e.PromptAnswers)
	}
}
