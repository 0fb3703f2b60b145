package bootflash

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dsengine/dsengine/ds"
)

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts
// it when the test ends. The tests run as root (see the Makefile).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs of %s on %s (the bootflash tests run as root): %v\n%s", size, dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file into dir until the filesystem is full, and
// returns a func that frees the space again.
func fillDisk(t *testing.T, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 512)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			break
		}
	}
	return func() {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFullDiskLeavesNothing fails every kind of write on a full
// filesystem: each must fail with ENOSPC and leave no temporary file, and
// the store must work again once there is space.
func TestFullDiskLeavesNothing(t *testing.T) {
	mnt := mountTmpfs(t, "256k")
	root := filepath.Join(mnt, "bootflash")
	s := mustOpen(t, root, testOptions())
	defer func() { s.Close() }()
	mustPut(t, s, "1", "1.0", nil)
	mustPut(t, s, "2", "1.0", nil)
	if err := s.OutboxPut("m1", []byte("<aml/>")); err != nil {
		t.Fatal(err)
	}
	free := fillDisk(t, mnt)

	xml, asc := makeDS("3", "1.0", 1500)
	writes := []struct {
		name string
		do   func() error
	}{
		{"Put", func() error { return s.Put("3", xml, asc, nil) }},
		{"PutBatch small", func() error { return s.PutBatch(batchItems(10, 2, "1.0")) }},
		{"PutBatch large", func() error { return s.PutBatch(batchItems(20, 6, "1.0")) }},
		{"Remove", func() error { return s.Remove("2") }},
		{"Update", func() error { return s.Update("1", func(e *Entry) { e.Status = ds.StatusRegistered }) }},
		{"UpdateBatch", func() error {
			return s.UpdateBatch(map[string]func(*Entry){"1": func(e *Entry) { e.Stats.Triggers++ }})
		}},
		{"SetValue", func() error { return s.SetValue("repository-index-version x", "7") }},
		{"SetValue of a script", func() error { return s.SetValue("appl/1/count", "7") }},
		{"OutboxPut", func() error { return s.OutboxPut("m2", []byte("<aml>second</aml>")) }},
	}
	for _, w := range writes {
		err := w.do()
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("%s on a full disk: %v, want ENOSPC", w.name, err)
		}
		if l := leftovers(t, root); len(l) != 0 {
			t.Errorf("%s on a full disk left %v", w.name, l)
			for _, name := range l {
				os.Remove(filepath.Join(root, Dir, name))
				os.Remove(filepath.Join(root, Dir, OutboxDir, name))
			}
		}
	}

	// Nothing changed, and with space again every write works.
	free()
	if got := ids(s.List()); strings.Join(got, " ") != "1 2" {
		t.Errorf("entries after the failed writes: %v", got)
	}
	if e, _ := s.Get("1"); e.Status != ds.StatusDownloaded || e.Stats.Triggers != 0 {
		t.Errorf("DS 1 after the failed writes: %+v", e)
	}
	for _, w := range writes {
		if err := w.do(); err != nil {
			t.Errorf("%s with space again: %v", w.name, err)
		}
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("left after the writes: %v", l)
	}
}

// TestFullDiskReplay fails the replay of a journal at Open: Open fails,
// leaves no temporary file, and succeeds once there is space.
func TestFullDiskReplay(t *testing.T) {
	mnt := mountTmpfs(t, "256k")
	root := filepath.Join(mnt, "bootflash")
	dir := filepath.Join(root, Dir)
	s := mustOpen(t, root, testOptions())
	mustPut(t, s, "1", "1.0", nil)
	s.Close()

	// A Put of 1 rev 2.0 interrupted after its commit.
	xml, asc := makeDS("1", "2.0", 3000)
	entry := Entry{ID: "1", Name: "Sig1", Revision: "2.0", Status: ds.StatusDownloaded}
	rec, err := json.Marshal(batchJournal{Op: opBatch, Items: []journal{{Op: opPut, ID: "1", XML: xml, ASC: asc, Entry: &entry}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, batchJournalFile), rec, 0o600); err != nil {
		t.Fatal(err)
	}
	free := fillDisk(t, mnt)
	if _, err := Open(root, testOptions()); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Open on a full disk: %v, want ENOSPC", err)
	}
	if l := leftovers(t, root); len(l) != 1 || l[0] != batchJournalFile {
		t.Errorf("left after a failed Open: %v, want only %s", l, batchJournalFile)
	}
	free()
	s = mustOpen(t, root, testOptions())
	defer s.Close()
	if e, _ := s.Get("1"); e.Revision != "2.0" || !e.Runnable() {
		t.Errorf("DS 1 after the replay: %+v", e)
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("left after Open: %v", l)
	}
}
