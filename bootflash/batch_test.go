package bootflash

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds"
)

// dirSnapshot hashes every file of the store but the lock, so a test can
// tell that a refused write changed nothing.
func dirSnapshot(t *testing.T, root string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == LockFile {
			return err
		}
		data, err := os.ReadFile(path)
		out[path] = sha256.Sum256(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string][32]byte) {
	t.Helper()
	for path, sum := range after {
		if before[path] != sum {
			t.Errorf("the store changed: %s was added or rewritten", path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			t.Errorf("the store changed: %s was removed", path)
		}
	}
}

// batchItems makes n DSes with ids from, from+1, … at revision rev.
func batchItems(from, n int, rev string) []PutItem {
	items := make([]PutItem, n)
	for i := range items {
		id := strconv.Itoa(from + i)
		xml, asc := makeDS(id, rev, 600+i*13%700)
		items[i] = PutItem{ID: id, XML: xml, ASC: asc}
	}
	return items
}

func TestPutBatch(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	mustPut(t, s, "3", "0.9", func(e *Entry) {
		e.PromptAnswers = map[string]string{"ds_keep": "yes"}
		e.Stats.Triggers = 4
		e.Status = ds.StatusRegistered
	})
	items := batchItems(1, 40, "1.0") // replaces 3, adds the others
	var sawSignature []string
	for i := range items {
		if i%2 == 0 {
			items[i].Update = func(e *Entry) {
				if e.Signature != nil {
					sawSignature = append(sawSignature, e.Signature.ID)
				}
				e.Status = ds.StatusRegistered
				e.ID, e.Signature = "666", nil // ignored
			}
		}
	}
	if err := s.PutBatch(items); err != nil {
		t.Fatal(err)
	}
	if len(sawSignature) != 20 || sawSignature[0] != "1" {
		t.Errorf("update funcs saw signatures %v", sawSignature)
	}
	check := func(s *Store) {
		t.Helper()
		if got := len(s.List()); got != 40 {
			t.Fatalf("%d entries, want 40", got)
		}
		for i, it := range items {
			e, ok := s.Get(it.ID)
			if !ok || !e.Runnable() || e.Revision != "1.0" || e.Name != "Sig"+it.ID {
				t.Errorf("DS %s: %+v", it.ID, e)
				continue
			}
			want := ds.StatusDownloaded
			if i%2 == 0 {
				want = ds.StatusRegistered
			}
			if e.Status != want {
				t.Errorf("DS %s: status %s, want %s", it.ID, e.Status, want)
			}
			xml, asc, err := s.Files(it.ID)
			if err != nil || !bytes.Equal(xml, it.XML) || !bytes.Equal(asc, it.ASC) {
				t.Errorf("Files %s: %v", it.ID, err)
			}
		}
		if e, _ := s.Get("3"); e.PromptAnswers["ds_keep"] != "yes" || e.Stats.Triggers != 4 || e.Status != ds.StatusRegistered {
			t.Errorf("replaced DS 3 lost its state: %+v", e)
		}
	}
	check(s)
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("left after PutBatch: %v", l)
	}
	s.Close()
	s = mustOpen(t, root, testOptions())
	defer s.Close()
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("reopen warnings: %q", w)
	}
	check(s)

	// An empty batch is nothing.
	if err := s.PutBatch(nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	// RemoveBatch.
	if err := s.RemoveBatch([]string{"2", "40", "3"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("40"); ok || len(s.List()) != 37 {
		t.Errorf("after RemoveBatch: %v", ids(s.List()))
	}
	for _, name := range []string{"2.xml", "2.xml.asc", "40.xml", "3.xml.asc"} {
		if _, err := os.Stat(filepath.Join(root, Dir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s after RemoveBatch: %v", name, err)
		}
	}
}

func TestPutBatchRefuses(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	mustPut(t, s, "1", "1.0", nil)
	other := mustOpen(t, t.TempDir(), testOptions())
	defer other.Close()
	foreign, err := other.Check(batchItems(9, 1, "1.0")[0].ID, batchItems(9, 1, "1.0")[0].XML, batchItems(9, 1, "1.0")[0].ASC)
	if err != nil {
		t.Fatal(err)
	}
	before := dirSnapshot(t, root)

	cases := []struct {
		name, text string
		modify     func([]PutItem) []PutItem
	}{
		{"bad signature", "DS 17: 17.xml: signature does not match", func(it []PutItem) []PutItem {
			it[6].ASC = []byte("00")
			return it
		}},
		{"id mismatch", "DS 99: the DS file has id 13", func(it []PutItem) []PutItem {
			it[2].ID = "99"
			return it
		}},
		{"invalid id", `DS id "../x": not a number`, func(it []PutItem) []PutItem {
			it[4].ID = "../x"
			return it
		}},
		{"twice", "DS 12: twice in one batch", func(it []PutItem) []PutItem {
			return append(it, it[1])
		}},
		{"too large", "DS 15: file too large", func(it []PutItem) []PutItem {
			it[4].XML = make([]byte, MaxDSFileSize+1)
			return it
		}},
		{"checked by another store", "DS 9: checked by another store", func(it []PutItem) []PutItem {
			return append(it, PutItem{Checked: foreign})
		}},
		{"checked with files", "must not have its own XML, ASC or another ID", func(it []PutItem) []PutItem {
			c, err := s.Check(it[0].ID, it[0].XML, it[0].ASC)
			if err != nil {
				t.Fatal(err)
			}
			it[0].Checked = c
			return it
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := c.modify(batchItems(11, 20, "1.0"))
			err := s.PutBatch(items)
			if err == nil {
				t.Fatal("PutBatch accepted it")
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not say %q", err, c.text)
			}
			if got := ids(s.List()); strings.Join(got, " ") != "1" {
				t.Errorf("entries after a refused batch: %v", got)
			}
			sameSnapshot(t, before, dirSnapshot(t, root))
		})
	}
	if err := s.RemoveBatch([]string{"1", "2"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveBatch of a missing DS: %v", err)
	}
	sameSnapshot(t, before, dirSnapshot(t, root))

	// Check returns Check's own error, without a prefix.
	xml, _ := makeDS("5", "1.0", 100)
	if _, err := s.Check("5", xml, []byte("00")); err == nil || err.Error() != "5.xml: signature does not match" {
		t.Errorf("Check error: %v", err)
	}
}

// TestCheckedIsACopy: what PutBatch stores is what Check verified, even if
// the caller changes its slices afterwards.
func TestCheckedIsACopy(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	xml, asc := makeDS("5", "1.0", 300)
	want := bytes.Clone(xml)
	c, err := s.Check("5", xml, asc)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID() != "5" || c.Signature() == nil || c.Signature().Name != "Sig5" {
		t.Errorf("Checked: %s %+v", c.ID(), c.Signature())
	}
	xml[len(xml)-3] ^= 1
	if err := s.PutBatch([]PutItem{{Checked: c, ID: "5"}}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.Files("5"); !bytes.Equal(got, want) {
		t.Error("PutBatch stored the caller's changed slice")
	}
}

// TestBatchJournalReplay fakes a crash right after a batch's commit point:
// some of its renames done, some not.
func TestBatchJournalReplay(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, Dir)
	s := mustOpen(t, root, testOptions())
	if err := s.PutBatch(batchItems(1, 5, "1.0")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	stateBefore, _ := os.ReadFile(filepath.Join(dir, StateFile))

	// The batch: replace 1 and 2, add 6 and 7, remove 3.
	var recs []journal
	want := map[string][]byte{}
	for _, id := range []string{"1", "2", "6", "7"} {
		xml, asc := makeDS(id, "2.0", 900)
		e := Entry{ID: id, Name: "Sig" + id, Revision: "2.0", Status: ds.StatusRegistered,
			PromptAnswers: map[string]string{"ds_a": id}}
		recs = append(recs, journal{Op: opPut, ID: id, XML: xml, ASC: asc, Entry: &e})
		want[id] = xml
	}
	recs = append(recs, journal{Op: opRemove, ID: "3"})
	rec, _ := json.Marshal(batchJournal{Op: opBatch, Items: recs})
	if err := os.WriteFile(filepath.Join(dir, batchJournalFile), rec, 0o600); err != nil {
		t.Fatal(err)
	}
	// Done before the crash: 1's new .xml (but not its .asc), 6's .asc,
	// 3's .xml removed; a temporary file of 7 lies around.
	os.WriteFile(filepath.Join(dir, "1.xml"), recs[0].XML, 0o600)
	os.WriteFile(filepath.Join(dir, "6.xml.asc"), recs[2].ASC, 0o600)
	os.Remove(filepath.Join(dir, "3.xml"))
	os.WriteFile(filepath.Join(dir, ".7.xml.tmp-42"), recs[3].XML[:100], 0o600)

	check := func(s *Store) {
		t.Helper()
		if w := s.Warnings(); len(w) != 0 {
			t.Errorf("warnings: %q", w)
		}
		if got := strings.Join(ids(s.List()), " "); got != "1 2 4 5 6 7" {
			t.Errorf("entries: %s", got)
		}
		for id, xml := range want {
			e, _ := s.Get(id)
			if !e.Runnable() || e.Revision != "2.0" || e.Status != ds.StatusRegistered || e.PromptAnswers["ds_a"] != id {
				t.Errorf("DS %s = %+v", id, e)
			}
			if got, _, err := s.Files(id); err != nil || !bytes.Equal(got, xml) {
				t.Errorf("Files %s: %v", id, err)
			}
		}
		if e, _ := s.Get("4"); e.Revision != "1.0" || !e.Runnable() {
			t.Errorf("DS 4 = %+v", e)
		}
	}

	// ReadOnly sees the outcome but changes nothing on disk.
	ro := mustOpen(t, root, Options{Check: testCheck, Now: newTestClock().Now, ReadOnly: true})
	check(ro)
	ro.Close()
	if got, _ := os.ReadFile(filepath.Join(dir, StateFile)); !bytes.Equal(got, stateBefore) {
		t.Error("ReadOnly Open wrote state.json")
	}
	if _, err := os.Stat(filepath.Join(dir, batchJournalFile)); err != nil {
		t.Errorf("ReadOnly Open removed the journal: %v", err)
	}

	for range 2 { // replaying is idempotent; the second Open finds nothing to do
		s = mustOpen(t, root, testOptions())
		check(s)
		s.Close()
		if l := leftovers(t, root); len(l) != 0 {
			t.Errorf("left after replay: %v", l)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "3.xml.asc")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("3.xml.asc after the replayed remove: %v", err)
	}

	// An unreadable batch journal is reported and discarded.
	os.WriteFile(filepath.Join(dir, batchJournalFile), rec[:len(rec)/2], 0o600)
	s = mustOpen(t, root, testOptions())
	if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, "unreadable batch.journal discarded") {
		t.Errorf("warnings: %s", w)
	}
	n := len(s.List())
	s.Close()
	if n != 6 || len(leftovers(t, root)) != 0 {
		t.Errorf("after a discarded journal: %d entries, leftovers %v", n, leftovers(t, root))
	}
}

// TestStateEncoding: the incremental encoding of state.json is byte for
// byte json.MarshalIndent of the whole state, through adds, replaces,
// updates, values and removes.
func TestStateEncoding(t *testing.T) {
	root := t.TempDir()
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	full := func() []byte {
		st := stateFile{Version: stateVersion, Values: s.values, Signatures: []Entry{}}
		for _, e := range s.List() {
			st.Signatures = append(st.Signatures, e)
		}
		data, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return append(data, '\n')
	}
	compare := func(step string) {
		t.Helper()
		got, err := os.ReadFile(filepath.Join(root, Dir, StateFile))
		if err != nil {
			t.Fatal(err)
		}
		if want := full(); !bytes.Equal(got, want) {
			t.Fatalf("%s: state.json differs from MarshalIndent:\n%s\nwant:\n%s", step, got, want)
		}
	}
	compare("empty")
	mustPut(t, s, "10", "1.0", func(e *Entry) { e.PromptAnswers = map[string]string{"ds_x": "<&>"} })
	compare("one")
	if err := s.PutBatch(batchItems(1, 12, "1.0")); err != nil {
		t.Fatal(err)
	}
	compare("batch")
	if err := s.SetValue("index_version", "7"); err != nil {
		t.Fatal(err)
	}
	compare("value")
	if err := s.Update("3", func(e *Entry) { e.Stats.Triggers = 9; e.Stats.ByAction = map[ds.ActionType]int64{ds.ActionCommand: 2} }); err != nil {
		t.Fatal(err)
	}
	compare("update")
	bump := func(e *Entry) { e.Stats.Runs++; e.Status = ds.StatusRegistered }
	if err := s.UpdateBatch(map[string]func(*Entry){"1": bump, "7": bump, "12": bump}); err != nil {
		t.Fatal(err)
	}
	compare("update batch")
	if e, _ := s.Get("7"); e.Stats.Runs != 1 || e.Status != ds.StatusRegistered || !e.Runnable() {
		t.Errorf("DS 7 after UpdateBatch: %+v", e)
	}
	if err := s.UpdateBatch(map[string]func(*Entry){"1": bump, "99": bump}); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateBatch with a missing DS: %v", err)
	}
	if e, _ := s.Get("1"); e.Stats.Runs != 1 {
		t.Errorf("a refused UpdateBatch changed DS 1: %+v", e.Stats)
	}
	compare("refused update batch")
	if err := s.Remove("10"); err != nil {
		t.Fatal(err)
	}
	compare("remove")
	if err := s.RemoveBatch([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "11", "12"}); err != nil {
		t.Fatal(err)
	}
	compare("remove all")
	if err := s.SetValue("index_version", ""); err != nil {
		t.Fatal(err)
	}
	compare("no value")
	if len(s.enc) != 0 {
		t.Errorf("encoding cache holds %d entries of an empty store", len(s.enc))
	}
}
