package bootflash

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// The test DS format: a tiny XML root with id, revision and name, padded
// with filler; its "signature" is the hex SHA-256 of the XML.
var dsRoot = regexp.MustCompile(`^<DS id="([0-9]+)" revision="([0-9.]+)" name="([^"]*)">`)

// testCheck verifies asc against xml and parses the root element.
func testCheck(id string, xml, asc []byte) (*ds.Signature, error) {
	sum := sha256.Sum256(xml)
	if string(asc) != hex.EncodeToString(sum[:]) {
		return nil, fmt.Errorf("%s.xml: signature does not match", id)
	}
	m := dsRoot.FindSubmatch(xml)
	if m == nil {
		return nil, fmt.Errorf("%s.xml: not a DS", id)
	}
	return &ds.Signature{ID: string(m[1]), Revision: ds.Revision(m[2]), Name: string(m[3])}, nil
}

// makeDS builds a DS of roughly size bytes and its signature.
func makeDS(id, rev string, size int) (xml, asc []byte) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<DS id="%s" revision="%s" name="Sig%s">`, id, rev, id)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "<Action type=\"command\">show interfaces %s/%d</Action>\n", rev, i)
	}
	b.WriteString("</DS>\n")
	sum := sha256.Sum256(b.Bytes())
	return b.Bytes(), []byte(hex.EncodeToString(sum[:]))
}

// testClock is a clock that moves one second per reading.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2013, 1, 16, 4, 49, 52, 0, time.FixedZone("CET", 3600))}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func testOptions() Options {
	return Options{Check: testCheck, Now: newTestClock().Now}
}

func mustOpen(t testing.TB, root string, opts Options) *Store {
	t.Helper()
	s, err := Open(root, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func mustPut(t testing.TB, s *Store, id, rev string, update func(*Entry)) (xml, asc []byte) {
	t.Helper()
	xml, asc = makeDS(id, rev, 1500)
	if err := s.Put(id, xml, asc, update); err != nil {
		t.Fatalf("Put %s: %v", id, err)
	}
	return xml, asc
}

// leftovers lists temporary files and journals under the store.
func leftovers(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	for _, d := range []string{filepath.Join(root, Dir), filepath.Join(root, Dir, OutboxDir)} {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if isTemp(e.Name()) || strings.HasSuffix(e.Name(), journalSuffix) {
				out = append(out, e.Name())
			}
		}
	}
	return out
}

func ids(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.ID)
	}
	return out
}

func TestPutGetListRemove(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("fresh store warnings: %q", w)
	}
	want := map[string][2][]byte{}
	for _, id := range []string{"6030", "9", "100", "6015"} {
		xml, asc := mustPut(t, s, id, "1.0", func(e *Entry) {
			e.PromptAnswers = map[string]string{"ds_email": id + "@example.com"}
			e.ID = "666" // ignored
		})
		want[id] = [2][]byte{xml, asc}
	}
	if got := ids(s.List()); strings.Join(got, " ") != "9 100 6015 6030" {
		t.Errorf("List order = %v", got)
	}
	e, ok := s.Get("6030")
	if !ok {
		t.Fatal("Get 6030: missing")
	}
	if e.ID != "6030" || e.Name != "Sig6030" || e.Revision != "1.0" || e.Status != ds.StatusDownloaded ||
		e.PromptAnswers["ds_email"] != "6030@example.com" || e.Signature == nil || !e.Runnable() {
		t.Errorf("Get 6030 = %+v", e)
	}
	if e.LastUpdate.Location() != time.UTC || e.LastUpdate.IsZero() {
		t.Errorf("LastUpdate %v is not UTC", e.LastUpdate)
	}
	e.PromptAnswers["ds_email"] = "changed" // a copy: must not reach the store
	if e2, _ := s.Get("6030"); e2.PromptAnswers["ds_email"] != "6030@example.com" {
		t.Errorf("Get returned a shared map")
	}
	xml, asc, err := s.Files("100")
	if err != nil || !bytes.Equal(xml, want["100"][0]) || !bytes.Equal(asc, want["100"][1]) {
		t.Errorf("Files 100: err=%v, same=%v", err, bytes.Equal(xml, want["100"][0]))
	}

	// Replacing keeps prompt answers and statistics, resets the status.
	if err := s.Update("6030", func(e *Entry) {
		e.Status = ds.StatusRegistered
		e.Stats.Triggers = 7
	}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "6030", "1.1", nil)
	e, _ = s.Get("6030")
	if e.Revision != "1.1" || e.Status != ds.StatusDownloaded || e.Stats.Triggers != 7 ||
		e.PromptAnswers["ds_email"] != "6030@example.com" {
		t.Errorf("after replace: %+v", e)
	}

	if err := s.Remove("9"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("9"); ok {
		t.Error("Get 9 after Remove: still there")
	}
	for _, name := range []string{"9.xml", "9.xml.asc"} {
		if _, err := os.Stat(filepath.Join(root, Dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after Remove: %v", name, err)
		}
	}
	if err := s.Remove("9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove 9 again: %v, want ErrNotFound", err)
	}
	if _, _, err := s.Files("9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Files 9 after Remove: %v, want ErrNotFound", err)
	}
	if err := s.SetValue("index_version", "42"); err != nil {
		t.Fatal(err)
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
	before := s.List()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopen: everything is still there, nothing to warn about.
	s = mustOpen(t, root, testOptions())
	defer s.Close()
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("reopen warnings: %q", w)
	}
	after := s.List()
	if len(after) != len(before) {
		t.Fatalf("reopen: %v, want %v", ids(after), ids(before))
	}
	for i := range after {
		if after[i].Signature == nil {
			t.Errorf("reopen: DS %s has no signature", after[i].ID)
		}
		after[i].Signature, before[i].Signature = nil, nil
		a, _ := json.Marshal(after[i])
		b, _ := json.Marshal(before[i])
		if !bytes.Equal(a, b) {
			t.Errorf("reopen: DS %s\n got %s\nwant %s", after[i].ID, a, b)
		}
	}
	if v, _ := s.Value("index_version"); v != "42" {
		t.Errorf("Value index_version = %q after reopen", v)
	}
}

func TestStateJSONFields(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	mustPut(t, s, "6030", "1.0", func(e *Entry) {
		e.PromptAnswers = map[string]string{"ds_x": "1"}
		e.Download = Download{Result: "ok", Bytes: 1500, Duration: time.Second}
	})
	err := s.Update("6030", func(e *Entry) {
		e.Stats.Triggers++
		e.Stats.Runs++
		e.Stats.TotalRunTime += 3 * time.Second
		e.Stats.ActionsRun += 2
		e.Stats.ActionsFailed++
		e.Stats.ByAction = map[ds.ActionType]int64{ds.ActionCommand: 1, ds.ActionEmailTo: 1}
		e.Stats.LastActionResult = "emailto: connection refused"
		e.Stats.LastActionFailed = true
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, Dir, StateFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version    int              `json:"version"`
		Signatures []map[string]any `json:"signatures"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("state.json: %v\n%s", err, raw)
	}
	if doc.Version != stateVersion || len(doc.Signatures) != 1 {
		t.Fatalf("state.json: %s", raw)
	}
	sig := doc.Signatures[0]
	for _, key := range []string{"id", "name", "revision", "status", "prompt_answers", "last_update", "statistics", "download"} {
		if _, ok := sig[key]; !ok {
			t.Errorf("state.json entry has no %q: %s", key, raw)
		}
	}
	stats := sig["statistics"].(map[string]any)
	for key, want := range map[string]float64{"triggers": 1, "runs": 1, "actions_run": 2, "actions_failed": 1} {
		if stats[key] != want {
			t.Errorf("statistics.%s = %v, want %v", key, stats[key], want)
		}
	}
	if sig["status"] != "downloaded" || sig["id"] != "6030" || sig["last_update"] != "2013-01-16T03:49:53Z" {
		t.Errorf("state.json entry: %s", raw)
	}
	e, _ := s.Get("6030")
	if e.Stats.AvgRunTime() != 3*time.Second {
		t.Errorf("AvgRunTime = %v", e.Stats.AvgRunTime())
	}
}

func TestPutRefuses(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	xml, asc := makeDS("7", "1.0", 100)
	cases := []struct {
		name     string
		id       string
		xml, asc []byte
	}{
		{"bad signature", "7", xml, []byte("00")},
		{"id mismatch", "8", xml, asc},
		{"path", "../7", xml, asc},
		{"leading zero", "07", xml, asc},
		{"empty id", "", xml, asc},
		{"too large", "7", make([]byte, MaxDSFileSize+1), asc},
	}
	for _, c := range cases {
		if err := s.Put(c.id, c.xml, c.asc, nil); err == nil {
			t.Errorf("%s: Put accepted it", c.name)
		}
	}
	if l := s.List(); len(l) != 0 {
		t.Errorf("refused DSes were stored: %v", ids(l))
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
	if err := s.Update("7", func(*Entry) {}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update of a missing DS: %v", err)
	}
	for _, bad := range []string{"../x", "1/2", "x"} {
		if _, _, err := s.Files(bad); err == nil {
			t.Errorf("Files(%q) accepted", bad)
		}
	}
}

func TestDamagedFiles(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, Dir)
	s := mustOpen(t, root, testOptions())
	goodXML, _ := mustPut(t, s, "1", "1.0", nil)
	flipXML, flipASC := mustPut(t, s, "2", "1.0", nil)
	mustPut(t, s, "3", "1.0", nil)
	s.Close()

	flipped := bytes.Clone(flipXML)
	flipped[len(flipped)/2] ^= 0x01
	if err := os.WriteFile(filepath.Join(dir, "2.xml"), flipped, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "3.xml.asc")); err != nil {
		t.Fatal(err)
	}
	xml3, _ := os.ReadFile(filepath.Join(dir, "3.xml"))
	_, wantErr := testCheck("2", flipped, flipASC)

	s = mustOpen(t, root, testOptions())
	e1, _ := s.Get("1")
	e2, _ := s.Get("2")
	e3, _ := s.Get("3")
	if !e1.Runnable() || e1.Status != ds.StatusDownloaded {
		t.Errorf("DS 1 should be fine: %+v", e1)
	}
	if e2.Status != ds.StatusFailed || e2.FailureReason != wantErr.Error() || e2.Signature != nil || e2.Runnable() {
		t.Errorf("DS 2 = %+v, want failed with %q", e2, wantErr)
	}
	if e3.Status != ds.StatusFailed || !strings.Contains(e3.FailureReason, "3.xml.asc is missing") || e3.Runnable() {
		t.Errorf("DS 3 = %+v, want failed: missing .asc", e3)
	}
	if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, "DS 2 failed") || !strings.Contains(w, "DS 3 failed") {
		t.Errorf("warnings: %s", w)
	}
	// The damaged files are left untouched, and the failure is persisted.
	if got, _ := os.ReadFile(filepath.Join(dir, "2.xml")); !bytes.Equal(got, flipped) {
		t.Error("2.xml was changed")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "3.xml")); !bytes.Equal(got, xml3) {
		t.Error("3.xml was changed")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "1.xml")); !bytes.Equal(got, goodXML) {
		t.Error("1.xml was changed")
	}
	raw, _ := os.ReadFile(filepath.Join(dir, StateFile))
	if !strings.Contains(string(raw), wantErr.Error()) {
		t.Errorf("state.json does not keep the reason:\n%s", raw)
	}
	s.Close()

	// Restoring the file clears the store's failure.
	if err := os.WriteFile(filepath.Join(dir, "2.xml"), flipXML, 0o600); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, root, testOptions())
	defer s.Close()
	if e2, _ := s.Get("2"); !e2.Runnable() || e2.Status != ds.StatusDownloaded || e2.FailureReason != "" {
		t.Errorf("DS 2 after repair = %+v", e2)
	}
	// A failure the engine set is not cleared by a passing check.
	if err := s.Update("1", func(e *Entry) { e.Status, e.FailureReason = ds.StatusFailed, "unmet prerequisite" }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = mustOpen(t, root, testOptions())
	if e1, _ := s.Get("1"); e1.Status != ds.StatusFailed || e1.FailureReason != "unmet prerequisite" || e1.Runnable() {
		t.Errorf("engine failure lost: %+v", e1)
	}
	s.Close()
}

func TestCorruptState(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, Dir)
	s := mustOpen(t, root, testOptions())
	mustPut(t, s, "1", "1.0", nil)
	mustPut(t, s, "2", "1.0", nil)
	s.Close()
	garbage := []byte(`{"version":1,"signatures":[{"id":"1",`)
	if err := os.WriteFile(filepath.Join(dir, StateFile), garbage, 0o600); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, root, testOptions())
	defer s.Close()
	w := strings.Join(s.Warnings(), "\n")
	if !strings.Contains(w, "state.json is corrupt") || !strings.Contains(w, "state.json.corrupt-2013") {
		t.Errorf("warnings: %s", w)
	}
	copies, _ := filepath.Glob(filepath.Join(dir, corruptPrefix+"*"))
	if len(copies) != 1 {
		t.Fatalf("corrupt copies: %v", copies)
	}
	if got, _ := os.ReadFile(copies[0]); !bytes.Equal(got, garbage) {
		t.Errorf("corrupt copy differs: %q", got)
	}
	if got := ids(s.List()); strings.Join(got, " ") != "1 2" {
		t.Errorf("rebuilt entries: %v", got)
	}
	for _, e := range s.List() {
		if !e.Runnable() || e.Status != ds.StatusDownloaded {
			t.Errorf("rebuilt DS %s: %+v", e.ID, e)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, StateFile))
	if !json.Valid(raw) {
		t.Errorf("state.json still invalid: %s", raw)
	}
}

func TestStateAndFilesDisagree(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, Dir)
	s := mustOpen(t, root, testOptions())
	mustPut(t, s, "1", "1.0", nil)
	mustPut(t, s, "2", "1.0", nil)
	s.Close()
	// 1 loses its files; 3 appears without state; 4 is only an .asc;
	// leftovers of a crash lie around.
	os.Remove(filepath.Join(dir, "1.xml"))
	os.Remove(filepath.Join(dir, "1.xml.asc"))
	xml, asc := makeDS("3", "2.0", 200)
	os.WriteFile(filepath.Join(dir, "3.xml"), xml, 0o600)
	os.WriteFile(filepath.Join(dir, "3.xml.asc"), asc, 0o600)
	os.WriteFile(filepath.Join(dir, "4.xml.asc"), asc, 0o600)
	os.WriteFile(filepath.Join(dir, ".2.xml.tmp-123"), []byte("half"), 0o600)
	os.WriteFile(filepath.Join(dir, OutboxDir, ".m1.tmp-9"), []byte("half"), 0o600)

	s = mustOpen(t, root, testOptions())
	defer s.Close()
	if got := ids(s.List()); strings.Join(got, " ") != "2 3" {
		t.Errorf("entries: %v", got)
	}
	if e, _ := s.Get("3"); !e.Runnable() || e.Revision != "2.0" || e.Status != ds.StatusDownloaded {
		t.Errorf("adopted DS 3: %+v", e)
	}
	w := strings.Join(s.Warnings(), "\n")
	for _, want := range []string{"DS 1: in state.json but 1.xml is missing; dropped", "DS 3: files without state; adopted",
		"DS 4: 4.xml.asc without 4.xml"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
	if _, err := os.Stat(filepath.Join(dir, "4.xml.asc")); err != nil {
		t.Errorf("orphan .asc was removed: %v", err)
	}
}

// TestJournalReplay fakes crashes right after the commit points of a Put
// and a Remove.
func TestJournalReplay(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, Dir)
	s := mustOpen(t, root, testOptions())
	mustPut(t, s, "1", "1.0", nil)
	mustPut(t, s, "2", "1.0", nil)
	s.Close()

	// A Put of 1 rev 2.0 whose new .asc was renamed but not its .xml.
	xml, asc := makeDS("1", "2.0", 800)
	entry := Entry{ID: "1", Name: "Sig1", Revision: "2.0", Status: ds.StatusDownloaded,
		PromptAnswers: map[string]string{"ds_a": "b"}}
	rec, _ := json.Marshal(journal{Op: opPut, ID: "1", XML: xml, ASC: asc, Entry: &entry})
	os.WriteFile(filepath.Join(dir, "1.journal"), rec, 0o600)
	os.WriteFile(filepath.Join(dir, "1.xml.asc"), asc, 0o600)
	// A Remove of 2 that deleted the .xml only.
	rec, _ = json.Marshal(journal{Op: opRemove, ID: "2"})
	os.WriteFile(filepath.Join(dir, "2.journal"), rec, 0o600)
	os.Remove(filepath.Join(dir, "2.xml"))
	stateBefore, _ := os.ReadFile(filepath.Join(dir, StateFile))

	check := func(s *Store) {
		t.Helper()
		if w := s.Warnings(); len(w) != 0 {
			t.Errorf("warnings: %q", w)
		}
		if got := ids(s.List()); strings.Join(got, " ") != "1" {
			t.Errorf("entries: %v", got)
		}
		e, _ := s.Get("1")
		if !e.Runnable() || e.Revision != "2.0" || e.PromptAnswers["ds_a"] != "b" {
			t.Errorf("DS 1 = %+v", e)
		}
		if gx, ga, err := s.Files("1"); err != nil || !bytes.Equal(gx, xml) || !bytes.Equal(ga, asc) {
			t.Errorf("Files 1: %v", err)
		}
	}

	// ReadOnly sees the outcome but changes nothing on disk.
	ro := mustOpen(t, root, Options{Check: testCheck, Now: newTestClock().Now, ReadOnly: true})
	check(ro)
	ro.Close()
	if got, _ := os.ReadFile(filepath.Join(dir, StateFile)); !bytes.Equal(got, stateBefore) {
		t.Error("ReadOnly Open wrote state.json")
	}
	if _, err := os.Stat(filepath.Join(dir, "1.journal")); err != nil {
		t.Errorf("ReadOnly Open removed a journal: %v", err)
	}

	s = mustOpen(t, root, testOptions())
	check(s)
	s.Close()
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("left after replay: %v", l)
	}
	if _, err := os.Stat(filepath.Join(dir, "2.xml.asc")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("2.xml.asc after replayed Remove: %v", err)
	}
	s = mustOpen(t, root, testOptions())
	check(s)
	s.Close()
}

func TestReadOnly(t *testing.T) {
	root := filepath.Join(t.TempDir(), "none")
	ro := mustOpen(t, root, Options{Check: testCheck, Now: newTestClock().Now, ReadOnly: true})
	if len(ro.List()) != 0 {
		t.Error("empty store lists entries")
	}
	if names, err := ro.OutboxList(); err != nil || len(names) != 0 {
		t.Errorf("OutboxList: %v %v", names, err)
	}
	ro.Close()
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadOnly Open created %s", root)
	}

	s := mustOpen(t, root, testOptions())
	defer s.Close()
	mustPut(t, s, "5", "1.0", nil)
	s.OutboxPut("m1", []byte("x"))
	// No lock: a ReadOnly store opens beside the writer.
	ro = mustOpen(t, root, Options{Check: testCheck, Now: newTestClock().Now, ReadOnly: true})
	defer ro.Close()
	if e, ok := ro.Get("5"); !ok || !e.Runnable() {
		t.Errorf("ReadOnly Get 5: %+v", e)
	}
	xml, asc := makeDS("6", "1.0", 10)
	for name, err := range map[string]error{
		"Put":          ro.Put("6", xml, asc, nil),
		"Update":       ro.Update("5", func(*Entry) {}),
		"Remove":       ro.Remove("5"),
		"SetValue":     ro.SetValue("k", "v"),
		"OutboxPut":    ro.OutboxPut("m2", nil),
		"OutboxRemove": ro.OutboxRemove("m1"),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("ReadOnly %s: %v, want ErrReadOnly", name, err)
		}
	}
	if data, err := ro.OutboxGet("m1"); err != nil || string(data) != "x" {
		t.Errorf("ReadOnly OutboxGet: %q %v", data, err)
	}
}

func TestLockSameProcess(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	_, err := Open(root, testOptions())
	want := fmt.Sprintf("bootflash %s is in use by another dsengine (pid %d); stop it or use its control socket", root, os.Getpid())
	if !errors.Is(err, ErrInUse) || err.Error() != want {
		t.Errorf("second Open: %v\nwant: %s", err, want)
	}
	s.Close()
	s = mustOpen(t, root, testOptions())
	s.Close()
}

const lockChildEnv = "DSENGINE_BOOTFLASH_LOCK_CHILD"

// TestLockChild is run by TestLockOtherProcess in a child process.
func TestLockChild(t *testing.T) {
	root := os.Getenv(lockChildEnv)
	if root == "" {
		return // only the child process started by TestLockOtherProcess runs this
	}
	_, err := Open(root, testOptions())
	fmt.Printf("child-open-error: %v\n", err)
}

func TestLockOtherProcess(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	run := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockChild$", "-test.v")
		cmd.Env = append(os.Environ(), lockChildEnv+"="+root)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return string(out)
	}
	want := fmt.Sprintf("child-open-error: bootflash %s is in use by another dsengine (pid %d); stop it or use its control socket", root, os.Getpid())
	if out := run(); !strings.Contains(out, want) {
		t.Errorf("child output:\n%s\nwant a line: %s", out, want)
	}
	s.Close()
	if out := run(); !strings.Contains(out, "child-open-error: <nil>") {
		t.Errorf("child could not open after Close:\n%s", out)
	}
}

func TestClosed(t *testing.T) {
	s := mustOpen(t, t.TempDir(), testOptions())
	mustPut(t, s, "1", "1.0", nil)
	s.Close()
	xml, asc := makeDS("2", "1.0", 10)
	if err := s.Put("2", xml, asc, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	if _, _, err := s.Files("1"); !errors.Is(err, ErrClosed) {
		t.Errorf("Files after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenNeedsCheckAndClock(t *testing.T) {
	if _, err := Open(t.TempDir(), Options{Now: newTestClock().Now}); err == nil {
		t.Error("Open without Check succeeded")
	}
	if _, err := Open(t.TempDir(), Options{Check: testCheck}); err == nil {
		t.Error("Open without Now succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := mustOpen(t, t.TempDir(), testOptions())
	defer s.Close()
	for _, id := range []string{"1", "2", "3", "4"} {
		mustPut(t, s, id, "1.0", nil)
	}
	var wg sync.WaitGroup
	for _, id := range []string{"1", "2", "3", "4"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if err := s.Update(id, func(e *Entry) {
					e.Stats.Triggers++
					if e.Stats.ByAction == nil {
						e.Stats.ByAction = map[ds.ActionType]int64{}
					}
					e.Stats.ByAction[ds.ActionCommand]++
				}); err != nil {
					t.Error(err)
				}
				s.List()
			}
		}()
	}
	wg.Wait()
	for _, e := range s.List() {
		if e.Stats.Triggers != 20 || e.Stats.ByAction[ds.ActionCommand] != 20 {
			t.Errorf("DS %s stats: %+v", e.ID, e.Stats)
		}
	}
}
