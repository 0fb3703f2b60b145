package bootflash

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// MaxBatchBytes caps the DS files of one PutBatch: the sum of every item's
// XML and ASC. A larger batch is refused; split it.
const MaxBatchBytes = 64 << 20

// syncEachMax is the largest number of DS files a write fsyncs one by one;
// a write of more stages them without fsync and makes them durable with one
// syncfs(2) instead.
const syncEachMax = 8

// Checked is a DS whose files passed the store's Check, made by
// Store.Check, so that PutBatch can store it without checking it again.
// It holds its own copy of the files and cannot be made otherwise.
type Checked struct {
	store    *Store
	id       string
	xml, asc []byte
	sig      *ds.Signature
}

// ID is the id the DS was checked under.
func (c *Checked) ID() string { return c.id }

// Signature is the parsed DS that Check returned (nil if Check returns
// none). It must not be modified.
func (c *Checked) Signature() *ds.Signature { return c.sig }

// Check runs the store's Check on a DS's files, on a copy of them, and
// returns them ready for PutBatch. It writes nothing. A failed check
// returns Check's own error (or says that the DS holds another id), without
// a prefix; an invalid id or a file over MaxDSFileSize is refused first.
func (s *Store) Check(id string, xml, asc []byte) (*Checked, error) {
	c, err := s.newChecked(id, xml, asc)
	if cerr, ok := err.(checkError); ok {
		return nil, cerr.err
	}
	return c, err
}

// checkError is a failure of Check itself, as opposed to the store's own
// refusals, which already name the DS.
type checkError struct{ err error }

func (e checkError) Error() string { return e.err.Error() }

// newChecked is Check, with a failure of Check itself as a checkError.
func (s *Store) newChecked(id string, xml, asc []byte) (*Checked, error) {
	if err := ValidID(id); err != nil {
		return nil, fmt.Errorf("bootflash: %w", err)
	}
	if len(xml) > MaxDSFileSize || len(asc) > MaxDSFileSize {
		return nil, fmt.Errorf("bootflash: DS %s: %w (over %d bytes)", id, errTooLarge, MaxDSFileSize)
	}
	c := &Checked{store: s, id: id, xml: bytes.Clone(xml), asc: bytes.Clone(asc)}
	sig, err := s.check(id, c.xml, c.asc)
	if err != nil {
		return nil, checkError{err}
	}
	if len(c.xml) == 0 || len(c.asc) == 0 {
		// A journal cannot tell an empty file from a missing one.
		return nil, fmt.Errorf("bootflash: DS %s: an empty DS file or signature cannot be stored", id)
	}
	c.sig = sig
	return c, nil
}

// PutItem is one DS of a PutBatch: its id and files, which PutBatch
// checks, or a Checked DS from Store.Check, which it does not check again
// (XML and ASC are then left nil, and ID empty or the Checked's id).
type PutItem struct {
	ID       string
	XML, ASC []byte
	Checked  *Checked
	// Update, if not nil, changes the DS's new entry before anything is
	// written, like Put's update.
	Update func(*Entry)
}

// PutBatch stores many DSes as one atomic operation: after a crash, the
// next Open finds either all of them or none, each with its files and its
// entry. Each item is handled like a Put (see there), but the batch costs a
// constant number of fsyncs, writes state.json once and commits with one
// journal; see the package comment. Every item is checked before anything
// is written: an item that fails, an invalid or repeated id, or files over
// MaxBatchBytes in all refuse the whole batch, with an error naming the DS,
// and the store is left unchanged. Update funcs run in item order while
// the store is locked; they must not call the Store.
func (s *Store) PutBatch(items []PutItem) error {
	checked := make([]*Checked, len(items))
	seen := make(map[string]bool, len(items))
	total := 0
	for i, it := range items {
		c := it.Checked
		switch {
		case c == nil:
			var err error
			if c, err = s.newChecked(it.ID, it.XML, it.ASC); err != nil {
				if cerr, ok := err.(checkError); ok {
					err = fmt.Errorf("bootflash: DS %s: %w", it.ID, cerr.err)
				}
				return err
			}
		case c.store != s:
			return fmt.Errorf("bootflash: DS %s: checked by another store", c.id)
		case (it.ID != "" && it.ID != c.id) || it.XML != nil || it.ASC != nil:
			return fmt.Errorf("bootflash: DS %s: a PutItem with Checked must not have its own XML, ASC or another ID", c.id)
		}
		if seen[c.id] {
			return fmt.Errorf("bootflash: DS %s: twice in one batch", c.id)
		}
		seen[c.id] = true
		total += len(c.xml) + len(c.asc)
		if total > MaxBatchBytes {
			return fmt.Errorf("bootflash: DS %s: %w (the batch's files are over %d bytes in all)", c.id, errTooLarge, MaxBatchBytes)
		}
		checked[i] = c
	}
	if len(items) == 0 {
		return nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	now := s.opts.Now().UTC()
	recs := make([]journal, len(items))
	for i, c := range checked {
		e := Entry{ID: c.id}
		if old, ok := s.entries[c.id]; ok {
			e = old.clone()
		}
		e.Status, e.FailureReason, e.CheckFailed = ds.StatusDownloaded, "", false
		if c.sig != nil {
			e.Name, e.Revision = c.sig.Name, c.sig.Revision
		}
		e.LastUpdate = now
		e.Signature = c.sig
		if items[i].Update != nil {
			items[i].Update(&e)
		}
		e.ID, e.Signature = c.id, c.sig
		e.limitText()
		recs[i] = journal{Op: opPut, ID: c.id, XML: c.xml, ASC: c.asc, Entry: &e}
	}
	return s.apply(recs, describe(recs))
}

// RemoveBatch deletes many DSes' files and entries as one atomic
// operation, like that many Removes at the cost of one. An id that is not
// stored refuses the whole batch, with the store unchanged.
func (s *Store) RemoveBatch(ids []string) error {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if err := ValidID(id); err != nil {
			return fmt.Errorf("bootflash: %w", err)
		}
		if seen[id] {
			return fmt.Errorf("bootflash: DS %s: twice in one batch", id)
		}
		seen[id] = true
	}
	if len(ids) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	recs := make([]journal, len(ids))
	for i, id := range ids {
		if _, ok := s.entries[id]; !ok {
			return fmt.Errorf("bootflash: DS %s: %w", id, ErrNotFound)
		}
		recs[i] = journal{Op: opRemove, ID: id}
	}
	if err := s.apply(recs, describe(recs)); err != nil {
		return err
	}
	// The DSes are gone: so are their scripts' values. If values.json
	// cannot be rewritten now, the next Open drops them.
	dropped := map[string]dsValues{}
	for _, id := range ids {
		if v, ok := s.appl[id]; ok {
			dropped[id] = v
			delete(s.appl, id)
		}
	}
	if len(dropped) > 0 && s.saveValues() != nil {
		maps.Copy(s.appl, dropped)
	}
	return nil
}

// describe names a batch's DSes in errors: "DS 7" or "batch of 20 DS (7…)".
func describe(recs []journal) string {
	if len(recs) == 1 {
		return "DS " + recs[0].ID
	}
	return fmt.Sprintf("batch of %d DS (%s…)", len(recs), recs[0].ID)
}

// apply performs a batch of put and remove records atomically with the
// batch journal; see the package comment. Nothing changes, on disk or in
// memory, if it fails before the journal is in place. The caller holds
// s.mu and has checked that the store is writable.
func (s *Store) apply(recs []journal, what string) error {
	changes := make(map[string]*Entry, len(recs))
	nfiles := 0
	for _, r := range recs {
		changes[r.ID] = r.Entry // nil for a remove
		if r.Op == opPut {
			nfiles += 2
		}
	}
	// Few files: fsync each as it is staged (the old way, cheapest for a
	// single Put). Many: stage them unsynced; one syncfs after the renames
	// makes them all durable before the journal goes.
	syncEach := nfiles <= syncEachMax

	// Stage everything first, so a failure before the commit leaves the
	// store as it was.
	state, err := s.encodeState(changes)
	if err != nil {
		return err
	}
	rec, err := json.Marshal(batchJournal{Op: opBatch, Items: recs})
	if err != nil {
		return fmt.Errorf("bootflash: %s: %w", what, err)
	}
	if len(rec) > maxBatchJournalSize {
		return fmt.Errorf("bootflash: %s: %w (its journal is over %d bytes)", what, errTooLarge, maxBatchJournalSize)
	}
	type rename struct{ tmp, name string }
	var staged []rename
	committed := false
	defer func() {
		if !committed {
			for _, r := range staged {
				os.Remove(r.tmp)
			}
		}
	}()
	stage := func(name string, data []byte, sync bool) error {
		tmp, err := stageFile(s.dir, name, data, time.Time{}, sync)
		if err != nil {
			return fmt.Errorf("bootflash: %s: %w", what, err)
		}
		staged = append(staged, rename{tmp, name})
		return nil
	}
	for _, r := range recs {
		if r.Op != opPut {
			continue
		}
		if err := stage(r.ID+xmlSuffix, r.XML, syncEach); err != nil {
			return err
		}
		if err := stage(r.ID+ascSuffix, r.ASC, syncEach); err != nil {
			return err
		}
	}
	// state.json is always fsynced before its rename: no journal can
	// rebuild it, so it must never be replaced by a file that a power loss
	// could leave empty.
	if err := stage(StateFile, state, true); err != nil {
		return err
	}
	jtmp, err := stageFile(s.dir, batchJournalFile, rec, time.Time{}, true)
	if err != nil {
		return fmt.Errorf("bootflash: %s: %w", what, err)
	}
	if err := os.Rename(jtmp, filepath.Join(s.dir, batchJournalFile)); err != nil {
		os.Remove(jtmp)
		return fmt.Errorf("bootflash: %s: %w", what, err)
	}

	// Committed: the journal completes the batch at the next Open if this
	// process cannot. From here on, memory shows the new state and a
	// failure breaks the store until it is reopened.
	committed = true
	for _, r := range recs {
		if r.Op == opPut {
			s.entries[r.ID] = r.Entry
		} else {
			delete(s.entries, r.ID)
		}
	}
	removeStaged := func() {
		for _, r := range staged {
			if r.tmp != "" {
				os.Remove(r.tmp)
			}
		}
	}
	// The journal's rename must be durable before any old file is
	// replaced: then a power loss at any later moment still finds it.
	if err := syncDir(s.dir); err != nil {
		removeStaged()
		return s.fail(fmt.Errorf("%s: %w", what, err))
	}
	for _, r := range recs {
		if r.Op != opRemove {
			continue
		}
		for _, name := range []string{r.ID + xmlSuffix, r.ID + ascSuffix} {
			if err := removeIfExists(filepath.Join(s.dir, name)); err != nil {
				removeStaged()
				return s.fail(fmt.Errorf("%s: %w", what, err))
			}
		}
	}
	for i := range staged {
		if err := os.Rename(staged[i].tmp, filepath.Join(s.dir, staged[i].name)); err != nil {
			removeStaged()
			return s.fail(fmt.Errorf("%s: %w", what, err))
		}
		staged[i].tmp = ""
	}
	// Make the files' data and every rename and unlink durable, then drop
	// the journal. Its unlink needs no fsync of its own: the next write's
	// commit makes it durable, and if a power loss undoes it before then,
	// nothing written after it was durable either, so replaying it
	// restores exactly the state this batch left.
	if !syncEach {
		if err := syncFS(s.dir); err != nil {
			return s.fail(fmt.Errorf("%s: %w", what, err))
		}
	}
	if err := syncDir(s.dir); err != nil {
		return s.fail(fmt.Errorf("%s: %w", what, err))
	}
	if err := removeIfExists(filepath.Join(s.dir, batchJournalFile)); err != nil {
		return s.fail(fmt.Errorf("%s: %w", what, err))
	}
	return nil
}
