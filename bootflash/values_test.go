package bootflash

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dsengine/dsengine/ds"
)

const indexKey = "repository-index-version https://repo.example.com/ds"

// valuedStore makes a store with two registered DSes, with prompt answers,
// statistics, a repository index version and a few script values.
func valuedStore(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	for _, id := range []string{"1", "2"} {
		mustPut(t, s, id, "1.0", func(e *Entry) { e.PromptAnswers = map[string]string{"ds_intf": "Gi" + id} })
		if err := s.Update(id, func(e *Entry) {
			e.Status = ds.StatusRegistered
			e.Stats.Triggers = 5
		}); err != nil {
			t.Fatal(err)
		}
	}
	for key, v := range map[string]string{indexKey: "42", "appl/1/count": "7", "appl/2/last": "Gi1/0/1"} {
		if err := s.SetValue(key, v); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// checkKept checks what valuedStore stored, but the script values.
func checkKept(t *testing.T, s *Store) {
	t.Helper()
	for _, id := range []string{"1", "2"} {
		e, ok := s.Get(id)
		if !ok || e.Status != ds.StatusRegistered || e.PromptAnswers["ds_intf"] != "Gi"+id || e.Stats.Triggers != 5 || !e.Runnable() {
			t.Errorf("DS %s lost its state: %+v", id, e)
		}
	}
	if v, ok := s.Value(indexKey); v != "42" || !ok {
		t.Errorf("repository index version = %q, %v; want 42 (rollback protection)", v, ok)
	}
}

// TestValueLimits is issue 13's attack: a script stores 64 KiB values
// under random keys. Past its limits SetValue refuses, naming the limit,
// state.json does not grow, and a restart keeps everything.
func TestValueLimits(t *testing.T) {
	root := valuedStore(t)
	s := mustOpen(t, root, testOptions())
	defer func() { s.Close() }()
	statePath := filepath.Join(root, Dir, StateFile)
	before, err := os.Stat(statePath)
	if err != nil {
		t.Fatal(err)
	}

	big := strings.Repeat("x", 64<<10)
	stored, refused := 0, 0
	for range 1100 {
		err := s.SetValue(fmt.Sprintf("appl/1/k%016x", rand.Uint64()), big)
		switch {
		case err == nil:
			stored++
		case errors.Is(err, ErrValueLimit):
			refused++
			if !strings.Contains(err.Error(), strconv.Itoa(DefaultValueBytes)) {
				t.Fatalf("the error does not name the limit of %d bytes: %v", DefaultValueBytes, err)
			}
		default:
			t.Fatal(err)
		}
	}
	// 256 KiB per DS: the 7 bytes of "count"+"7", and three 64 KiB values.
	if stored != 3 || refused != 1097 {
		t.Errorf("stored %d, refused %d; want 3 and 1097", stored, refused)
	}
	after, _ := os.Stat(statePath)
	if after.Size() != before.Size() {
		t.Errorf("state.json grew from %d to %d bytes", before.Size(), after.Size())
	}
	raw, _ := os.ReadFile(statePath)
	if bytes.Contains(raw, []byte(ApplPrefix)) {
		t.Errorf("state.json holds script values:\n%.300s", raw)
	}

	// The count limit, the size of one value, deleting, other DSes.
	err = s.SetValue("appl/1/too-big", big+"x")
	if !errors.Is(err, ErrValueLimit) || !strings.Contains(err.Error(), strconv.Itoa(DefaultValueSize)) {
		t.Errorf("a value over %d bytes: %v", DefaultValueSize, err)
	}
	for i := range DefaultValueKeys {
		err := s.SetValue(fmt.Sprintf("appl/2/n%d", i), "v")
		if i < DefaultValueKeys-1 && err != nil {
			t.Fatalf("value %d of DS 2: %v", i+1, err)
		}
		if i == DefaultValueKeys-1 && (!errors.Is(err, ErrValueLimit) || !strings.Contains(err.Error(), fmt.Sprintf("%d values", DefaultValueKeys))) {
			t.Errorf("value %d of DS 2 (it has \"last\"): %v", i+1, err)
		}
	}
	if err := s.SetValue("appl/2/last", ""); err != nil {
		t.Errorf("delete at the limit: %v", err)
	}
	if err := s.SetValue(fmt.Sprintf("appl/2/n%d", DefaultValueKeys-1), "v"); err != nil {
		t.Errorf("store after a delete: %v", err)
	}
	if err := s.SetValue("appl/2/n0", "shorter or not, a replace at the limit"); err != nil {
		t.Errorf("replace at the count limit: %v", err)
	}
	for _, bad := range []string{"appl/x/k", "appl/1/", "appl/1", "appl/01/k"} {
		if err := s.SetValue(bad, "v"); err == nil {
			t.Errorf("SetValue(%q) accepted", bad)
		}
	}

	s.Close()
	s = mustOpen(t, root, testOptions())
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("reopen warnings: %q", w)
	}
	checkKept(t, s)
	if v, _ := s.Value("appl/1/count"); v != "7" {
		t.Errorf("appl/1/count = %q after reopen", v)
	}
	if v, _ := s.Value("appl/2/n0"); v != "shorter or not, a replace at the limit" {
		t.Errorf("appl/2/n0 = %q after reopen", v)
	}
}

// TestValueLimitsOption: Options.Values replaces the defaults.
func TestValueLimitsOption(t *testing.T) {
	opts := testOptions()
	opts.Values = ValueLimits{Keys: 2, Bytes: 100, ValueBytes: 10}
	s := mustOpen(t, t.TempDir(), opts)
	defer s.Close()
	mustPut(t, s, "1", "1.0", nil)
	if err := s.SetValue("appl/1/a", "0123456789"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetValue("appl/1/b", "0123456789x"); !errors.Is(err, ErrValueLimit) {
		t.Errorf("11 bytes over ValueBytes 10: %v", err)
	}
	if err := s.SetValue("appl/1/b", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetValue("appl/1/c", "x"); !errors.Is(err, ErrValueLimit) {
		t.Errorf("a third value over Keys 2: %v", err)
	}
}

// TestValuesFileUnreadable damages values.json in every way: the store
// opens with its statuses and index version, sets the file aside, says
// what it dropped, and takes new values.
func TestValuesFileUnreadable(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"garbage", func(t *testing.T, path string) { writeFile(t, path, []byte(`{"version":1,"values":{"1":{"count":`)) }},
		{"wrong types", func(t *testing.T, path string) { writeFile(t, path, []byte(`{"version":1,"values":{"1":["x"]}}`)) }},
		{"bad DS id", func(t *testing.T, path string) {
			writeFile(t, path, []byte(`{"version":1,"values":{"../1":{"a":"b"}}}`))
		}},
		{"no version", func(t *testing.T, path string) { writeFile(t, path, []byte(`{"values":{}}`)) }},
		{"oversized", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(MaxValuesSize + 1); err != nil {
				t.Fatal(err)
			}
		}},
		{"symlink", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "values.json")
			writeFile(t, other, []byte(`{"version":1,"values":{"1":{"count":"666"}}}`))
			os.Remove(path)
			if err := os.Symlink(other, path); err != nil {
				t.Fatal(err)
			}
		}},
		{"fifo", func(t *testing.T, path string) {
			os.Remove(path)
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := valuedStore(t)
			path := filepath.Join(root, Dir, ValuesFile)
			c.damage(t, path)
			for _, ro := range []bool{true, false} {
				opts := testOptions()
				opts.ReadOnly = ro
				s, err := Open(root, opts)
				if err != nil {
					t.Fatalf("ReadOnly %v: Open: %v", ro, err)
				}
				checkKept(t, s)
				if v, ok := s.Value("appl/1/count"); ok {
					t.Errorf("ReadOnly %v: a value from the damaged file: %q", ro, v)
				}
				w := strings.Join(s.Warnings(), "\n")
				if !strings.Contains(w, ValuesFile+" is corrupt") {
					t.Errorf("ReadOnly %v: warnings do not report %s:\n%s", ro, ValuesFile, w)
				}
				if !ro && !strings.Contains(w, "appl_setinfo are dropped") {
					t.Errorf("warnings do not say what was dropped:\n%s", w)
				}
				if !ro {
					if err := s.SetValue("appl/1/count", "8"); err != nil {
						t.Errorf("SetValue after the damage: %v", err)
					}
				}
				s.Close()
			}
			if aside, _ := filepath.Glob(path + corruptSuffix + "*"); len(aside) != 1 {
				t.Errorf("set aside: %v", aside)
			}
			s := mustOpen(t, root, testOptions())
			defer s.Close()
			checkKept(t, s)
			if v, _ := s.Value("appl/1/count"); v != "8" {
				t.Errorf("appl/1/count = %q, want the new 8", v)
			}
			if w := s.Warnings(); len(w) != 0 {
				t.Errorf("warnings after the repair: %q", w)
			}
		})
	}
}

// legacyState writes a state.json as an older dsengine did: the script
// values in "values", beside the index version, before the entries.
// extra adds n values of size bytes for DS 1 under random keys.
func legacyState(t *testing.T, root string, n, size int) {
	t.Helper()
	path := filepath.Join(root, Dir, StateFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st stateFile
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	st.Values["appl/1/count"] = "7"
	st.Values["appl/2/last"] = "Gi1/0/1"
	values, err := json.Marshal(st.Values)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := json.Marshal(st.Signatures)
	if err != nil {
		t.Fatal(err)
	}
	// Written by hand: encoding 64 MiB is slow under the race detector.
	var b bytes.Buffer
	b.WriteString(`{"version":1,"values":`)
	b.Write(values[:len(values)-1])
	big := strings.Repeat("y", size)
	for range n {
		fmt.Fprintf(&b, `,"appl/1/k%016x":"%s"`, rand.Uint64(), big)
	}
	b.WriteString(`},"signatures":`)
	b.Write(entries)
	b.WriteString("}\n")
	writeFile(t, path, b.Bytes())
	os.Remove(filepath.Join(root, Dir, ValuesFile))
}

// TestLegacyStateValues: the script values an older dsengine kept in
// state.json move to values.json.
func TestLegacyStateValues(t *testing.T) {
	root := valuedStore(t)
	legacyState(t, root, 0, 0)
	s := mustOpen(t, root, testOptions())
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	checkKept(t, s)
	if v, _ := s.Value("appl/2/last"); v != "Gi1/0/1" {
		t.Errorf("appl/2/last = %q", v)
	}
	s.Close()
	raw, _ := os.ReadFile(filepath.Join(root, Dir, StateFile))
	if bytes.Contains(raw, []byte(ApplPrefix)) || !bytes.Contains(raw, []byte(indexKey)) {
		t.Errorf("state.json after the move:\n%s", raw)
	}
	raw, _ = os.ReadFile(filepath.Join(root, Dir, ValuesFile))
	if !bytes.Contains(raw, []byte(`"last": "Gi1/0/1"`)) {
		t.Errorf("values.json:\n%s", raw)
	}
}

// TestOversizedLegacyState opens the store issue 13's attack left with an
// older dsengine: state.json past 64 MiB of 64 KiB script values. Nothing
// but the values over the limits is lost.
func TestOversizedLegacyState(t *testing.T) {
	root := valuedStore(t)
	legacyState(t, root, 1030, 64<<10)
	path := filepath.Join(root, Dir, StateFile)
	if fi, _ := os.Stat(path); fi.Size() <= MaxStateSize {
		t.Fatalf("state.json is only %d bytes", fi.Size())
	}
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	checkKept(t, s)
	if v, _ := s.Value("appl/1/count"); v != "7" {
		t.Errorf("appl/1/count = %q", v)
	}
	w := strings.Join(s.Warnings(), "\n")
	for _, want := range []string{"state.json was", "DS 1: 1027 of the values its scripts stored"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if fi, _ := os.Stat(path); fi.Size() > 64<<10 {
		t.Errorf("state.json is still %d bytes", fi.Size())
	}
	if aside, _ := filepath.Glob(path + corruptSuffix + "*"); len(aside) != 0 {
		t.Errorf("state.json was set aside: %v", aside)
	}
}

// TestCorruptStateKeepsIndexVersion: a state.json damaged after its values
// is set aside, but the repository index version survives.
func TestCorruptStateKeepsIndexVersion(t *testing.T) {
	root := valuedStore(t)
	path := filepath.Join(root, Dir, StateFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(raw, []byte(`"signatures"`))
	writeFile(t, path, raw[:cut+40])
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	if v, _ := s.Value(indexKey); v != "42" {
		t.Errorf("repository index version = %q after a corrupt state.json; want 42", v)
	}
	w := strings.Join(s.Warnings(), "\n")
	if !strings.Contains(w, "state.json is corrupt") || !strings.Contains(w, "1 store-wide values read before the damage") {
		t.Errorf("warnings: %s", w)
	}
	if v, _ := s.Value("appl/1/count"); v != "7" {
		t.Errorf("appl/1/count = %q; values.json was fine", v)
	}
}

// TestRemoveDropsValues: a removed DS's values go with it, and values of a
// DS that is not stored are dropped at Open.
func TestRemoveDropsValues(t *testing.T) {
	root := valuedStore(t)
	s := mustOpen(t, root, testOptions())
	if err := s.Remove("2"); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Value("appl/2/last"); ok {
		t.Errorf("appl/2/last = %q after Remove", v)
	}
	s.Close()
	raw, _ := os.ReadFile(filepath.Join(root, Dir, ValuesFile))
	if bytes.Contains(raw, []byte("Gi1/0/1")) {
		t.Errorf("values.json keeps the removed DS's values:\n%s", raw)
	}
	writeFile(t, filepath.Join(root, Dir, ValuesFile), []byte(`{"version":1,"values":{"1":{"count":"7"},"9":{"a":"b"}}}`))
	s = mustOpen(t, root, testOptions())
	defer s.Close()
	if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, "DS 9: not stored; the 1 values") {
		t.Errorf("warnings: %s", w)
	}
	if v, _ := s.Value("appl/1/count"); v != "7" {
		t.Errorf("appl/1/count = %q", v)
	}
}

// TestEntryTextCut: a script's huge error in the statistics is cut to
// MaxEntryText, at a character boundary.
func TestEntryTextCut(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	mustPut(t, s, "1", "1.0", nil)
	huge := strings.Repeat("é", 1<<20)
	if err := s.Update("1", func(e *Entry) {
		e.Stats.LastActionResult, e.FailureReason, e.Download.Result = huge, huge, huge
	}); err != nil {
		t.Fatal(err)
	}
	e, _ := s.Get("1")
	for name, text := range map[string]string{"LastActionResult": e.Stats.LastActionResult, "FailureReason": e.FailureReason, "Download.Result": e.Download.Result} {
		if len(text) > MaxEntryText || !strings.HasPrefix(text, "éé") || !strings.HasSuffix(text, "(cut from 2097152 bytes)") || !json.Valid([]byte(strconv.Quote(text))) {
			t.Errorf("%s: %d bytes, %.20q…%q", name, len(text), text, text[max(0, len(text)-30):])
		}
	}
	if fi, _ := os.Stat(filepath.Join(root, Dir, StateFile)); fi.Size() > 4*MaxEntryText {
		t.Errorf("state.json is %d bytes", fi.Size())
	}
}

// TestStateWriteCap: a write that would make state.json larger than the
// store reads back is refused, and the store opens as it was.
func TestStateWriteCap(t *testing.T) {
	root := valuedStore(t)
	s := mustOpen(t, root, testOptions())
	err := s.Update("1", func(e *Entry) { e.PromptAnswers["ds_huge"] = strings.Repeat("z", MaxStateSize) })
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(MaxStateSize)) {
		t.Errorf("Update past MaxStateSize: %v", err)
	}
	s.Close()
	s = mustOpen(t, root, testOptions())
	defer s.Close()
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	checkKept(t, s)
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
