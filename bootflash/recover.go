package bootflash

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/internal/parallel"
)

// found records which of a DS's files are in the directory.
type found struct{ xml, asc, journal bool }

// recover loads the store at Open: it removes temporary files, loads
// state.json, replays journals, re-checks every DS, reconciles files with
// state, and saves the result. A ReadOnly store does all of it in memory.
func (s *Store) recover() error {
	writable := !s.opts.ReadOnly
	if writable {
		for _, d := range []string{s.dir, s.outbox} {
			if _, err := removeTemps(d); err != nil {
				return err
			}
		}
	}
	files, batch, err := s.scan()
	if err != nil {
		return err
	}
	// Without a journal to replay (every start but one after a crash in a
	// write) the files are final: they are checked, which is most of a
	// start, while values.json and state.json load.
	var early chan map[string]checkResult
	if !batch && !hasJournal(files) {
		early = make(chan map[string]checkResult, 1)
		ids := make([]string, 0, len(files))
		for id := range files {
			ids = append(ids, id)
		}
		go func() { early <- s.recheckAll(ids, files) }()
	}
	// values.json first: a value in it wins over one an older dsengine
	// kept in state.json.
	err = s.loadValues()
	changed := false
	if err == nil {
		changed, err = s.loadState()
	}
	if err != nil {
		if early != nil {
			<-early
		}
		return err
	}

	// Replay interrupted writes. After a crash at most one journal exists
	// (each write's commit makes the removal of the previous write's
	// journal durable), so their order does not matter; batch.journal goes
	// first, then <id>.journal files (written by Put and Remove before
	// they became batches of one) in id order.
	var journals []string // the files to remove once state.json is saved
	if batch {
		if err := s.replayBatch(files); err != nil {
			return err
		}
		journals = append(journals, batchJournalFile)
		changed = true
	}
	var ids []string
	for id, f := range files {
		if f.journal {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return lessID(ids[i], ids[j]) })
	for _, id := range ids {
		if err := s.replay(id, files[id]); err != nil {
			return err
		}
		journals = append(journals, id+journalSuffix)
		changed = true
	}

	ids = make([]string, 0, len(files)+len(s.entries))
	for id, f := range files {
		if f.xml || f.asc || s.entries[id] != nil {
			ids = append(ids, id)
		}
	}
	for id := range s.entries {
		if files[id] == nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return lessID(ids[i], ids[j]) })
	var checks map[string]checkResult
	if early != nil {
		checks = <-early
	} else {
		checks = s.recheckAll(ids, files)
	}
	for _, id := range ids {
		if s.reconcile(id, files[id], checks[id]) {
			changed = true
		}
	}

	s.dropOrphanValues()
	if !writable {
		return nil
	}
	// values.json before state.json: values moved out of state.json must
	// be durable before state.json stops holding them.
	if s.applChanged {
		if err := s.saveAdoptedValues(); err != nil {
			return err
		}
		s.applChanged = false
	}
	if !changed {
		return nil
	}
	data, err := s.encodeState(nil)
	if err != nil {
		return err
	}
	// The replayed files were written without fsync: make them and their
	// renames durable, then state.json, and only then may the journals go.
	if len(journals) > 0 {
		if err := syncFS(s.dir); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(s.dir, StateFile, data, time.Time{}); err != nil {
		return err
	}
	for _, name := range journals {
		if err := removeIfExists(filepath.Join(s.dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// loadState reads state.json into memory. A corrupt file is set aside and
// the store starts from the files, keeping the store-wide values (the
// repository index versions that rollback protection needs) it could read
// before the damage. The scripts' values an older dsengine kept in it move
// to the DS values (see adoptLegacyValue). changed reports that state.json
// must be (re)written.
func (s *Store) loadState() (changed bool, err error) {
	path := filepath.Join(s.dir, StateFile)
	f, err := openFile(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	// Read past MaxStateSize, which the store never writes: an older
	// dsengine let state.json grow with the scripts' values.
	r := &countReader{r: io.LimitReader(f, maxStateReadSize+1)}
	st := stateFile{Values: map[string]string{}}
	legacy := 0
	err = decodeState(r, &st, func(k, v string) {
		if strings.HasPrefix(k, ApplPrefix) {
			s.adoptLegacyValue(k, v)
			legacy++
		} else {
			st.Values[k] = v
		}
	})
	if err == nil && st.Version > stateVersion {
		return false, fmt.Errorf("%s has format version %d; this dsengine reads up to %d", StateFile, st.Version, stateVersion)
	}
	if err == nil && st.Version < 1 {
		err = fmt.Errorf("no format version")
	}
	if r.n > maxStateReadSize {
		err = fmt.Errorf("%w (more than %d bytes)", errTooLarge, maxStateReadSize)
	}
	s.values = st.Values
	if err != nil {
		lost := "statuses, prompt answers and statistics are lost"
		if n := len(st.Values); n > 0 {
			lost += fmt.Sprintf("; the %d store-wide values read before the damage (repository index versions) are kept", n)
		}
		s.reportLegacyValues()
		return true, s.setAside(StateFile, err, "rebuilt from the DS files: "+lost)
	}
	if r.n > MaxStateSize {
		s.warnf("%s was %d bytes, over the %d this dsengine writes (an older one kept the values DS scripts store in it); rewritten without them",
			StateFile, r.n, MaxStateSize)
		changed = true
	}
	if legacy > 0 {
		s.reportLegacyValues()
		changed = true
	}
	for _, e := range st.Signatures {
		if err := ValidID(e.ID); err != nil {
			s.warnf("%s: entry dropped: %v", StateFile, err)
			changed = true
			continue
		}
		if s.entries[e.ID] != nil {
			s.warnf("DS %s: listed twice in %s; the later entry is kept", e.ID, StateFile)
			changed = true
		}
		s.entries[e.ID] = &e
	}
	return changed, nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// setAside keeps a file of the store that cannot be read as
// <name>.corrupt-<time> and reports it, with what is lost. A ReadOnly
// store only reports it.
func (s *Store) setAside(name string, cause error, lost string) error {
	if s.opts.ReadOnly {
		s.warnf("%s is corrupt (%v); shown without it", name, cause)
		return nil
	}
	prefix := name + corruptSuffix
	stamp := s.opts.Now().UTC().Format("20060102T150405Z")
	aside := prefix + stamp
	for n := 2; ; n++ {
		if _, err := os.Lstat(filepath.Join(s.dir, aside)); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s%s-%d", prefix, stamp, n)
	}
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, aside)); err != nil {
		return err
	}
	s.warnf("%s is corrupt (%v); kept as %s and %s", name, cause, aside, lost)
	return nil
}

// scan lists the DS files and journals in the store's directory; batch
// reports batch.journal.
func (s *Store) scan() (files map[string]*found, batch bool, err error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, false, err
	}
	files = map[string]*found{}
	for _, e := range ents {
		if e.Name() == batchJournalFile && e.Type().IsRegular() {
			batch = true
			continue
		}
		id, kind, ok := idOf(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		f := files[id]
		if f == nil {
			f = &found{}
			files[id] = f
		}
		switch kind {
		case xmlSuffix:
			f.xml = true
		case ascSuffix:
			f.asc = true
		case journalSuffix:
			f.journal = true
		}
	}
	return files, batch, nil
}

// hasJournal reports whether a DS has a <id>.journal to replay.
func hasJournal(files map[string]*found) bool {
	for _, f := range files {
		if f.journal {
			return true
		}
	}
	return false
}

// replay completes the Put or Remove recorded in <id>.journal, on disk or,
// when ReadOnly, in memory. An unreadable journal is discarded.
func (s *Store) replay(id string, f *found) error {
	data, err := readCapped(filepath.Join(s.dir, id+journalSuffix), maxJournalSize)
	var j *journal
	if err == nil {
		j, err = decodeJournal(id, data)
	}
	if err != nil {
		s.warnf("DS %s: unreadable %s%s discarded: %v", id, id, journalSuffix, err)
		return nil
	}
	return s.redo(j, f)
}

// replayBatch completes the batch recorded in batch.journal, item by item,
// like replay. An unreadable journal is discarded.
func (s *Store) replayBatch(files map[string]*found) error {
	data, err := readCapped(filepath.Join(s.dir, batchJournalFile), maxBatchJournalSize)
	var b *batchJournal
	if err == nil {
		b, err = decodeBatchJournal(data)
	}
	if err != nil {
		s.warnf("unreadable %s discarded: %v", batchJournalFile, err)
		return nil
	}
	for i := range b.Items {
		j := &b.Items[i]
		f := files[j.ID]
		if f == nil {
			f = &found{}
			files[j.ID] = f
		}
		if err := s.redo(j, f); err != nil {
			return err
		}
	}
	return nil
}

// redo applies one journal record again: it rewrites the DS's files and
// entry, or removes them. Files are written without fsync; recover makes
// them durable before it removes the journal. It is idempotent.
func (s *Store) redo(j *journal, f *found) error {
	id := j.ID
	switch j.Op {
	case opPut:
		if s.opts.ReadOnly {
			s.overlay[id] = pair{xml: j.XML, asc: j.ASC}
		} else {
			for _, w := range []struct {
				name string
				data []byte
			}{{id + xmlSuffix, j.XML}, {id + ascSuffix, j.ASC}} {
				tmp, err := stageFile(s.dir, w.name, w.data, time.Time{}, false)
				if err != nil {
					return err
				}
				if err := os.Rename(tmp, filepath.Join(s.dir, w.name)); err != nil {
					os.Remove(tmp)
					return err
				}
			}
		}
		e := j.Entry.clone()
		e.Signature = nil
		s.entries[id] = &e
		f.xml, f.asc = true, true
	case opRemove:
		if s.opts.ReadOnly {
			s.overlay[id] = pair{removed: true}
		} else {
			for _, name := range []string{id + xmlSuffix, id + ascSuffix} {
				if err := removeIfExists(filepath.Join(s.dir, name)); err != nil {
					return err
				}
			}
		}
		delete(s.entries, id)
		f.xml, f.asc = false, false
	}
	return nil
}

// checkResult is what recheck found for one DS.
type checkResult struct {
	sig *ds.Signature
	err error
}

// recheckAll re-checks the files of every DS of ids that has its XML file,
// on every CPU: verifying a signature and parsing the DS are most of a
// start with thousands of DS, and each DS is checked on its own.
// Options.Check must be safe for concurrent use.
func (s *Store) recheckAll(ids []string, files map[string]*found) map[string]checkResult {
	var todo []string
	for _, id := range ids {
		if f := files[id]; f != nil && f.xml {
			todo = append(todo, id)
		}
	}
	results := make([]checkResult, len(todo))
	parallel.Each(len(todo), 0, func(i int) {
		sig, err := s.recheck(todo[i], files[todo[i]].asc)
		results[i] = checkResult{sig, err}
	})
	out := make(map[string]checkResult, len(todo))
	for i, id := range todo {
		out[id] = results[i]
	}
	return out
}

// reconcile matches one DS's files with its entry, given the check of its
// files (recheckAll). f is nil when the DS has an entry but no files at
// all. It reports whether the entry changed.
func (s *Store) reconcile(id string, f *found, check checkResult) bool {
	if f == nil {
		f = &found{}
	}
	e := s.entries[id]
	if !f.xml {
		if f.asc {
			s.warnf("DS %s: %s without %s; left in place", id, id+ascSuffix, id+xmlSuffix)
		}
		if e == nil {
			return false
		}
		delete(s.entries, id)
		s.warnf("DS %s: in %s but %s is missing; dropped", id, StateFile, id+xmlSuffix)
		return true
	}
	changed := false
	if e == nil {
		e = &Entry{ID: id, Status: ds.StatusDownloaded}
		s.entries[id] = e
		s.warnf("DS %s: files without state; adopted as %s", id, ds.StatusDownloaded)
		changed = true
	}
	sig, err := check.sig, check.err
	if err != nil {
		reason := err.Error()
		if e.Status != ds.StatusFailed || e.FailureReason != reason || !e.CheckFailed {
			e.Status, e.FailureReason, e.CheckFailed = ds.StatusFailed, reason, true
			changed = true
		}
		e.Signature = nil
		s.warnf("DS %s failed its check and will not run (files left in place): %s", id, reason)
		return changed
	}
	e.Signature = sig
	if e.CheckFailed {
		e.Status, e.FailureReason, e.CheckFailed = ds.StatusDownloaded, "", false
		changed = true
	}
	if sig != nil && (e.Name != sig.Name || e.Revision != sig.Revision) {
		e.Name, e.Revision = sig.Name, sig.Revision
		changed = true
	}
	return changed
}

// recheck reads a DS's files and runs Check on them.
func (s *Store) recheck(id string, hasASC bool) (*ds.Signature, error) {
	if !hasASC {
		return nil, fmt.Errorf("signature file %s is missing", id+ascSuffix)
	}
	var xml, asc []byte
	if p, ok := s.overlay[id]; ok && !p.removed {
		xml, asc = p.xml, p.asc
	} else {
		var err error
		if xml, err = readCapped(filepath.Join(s.dir, id+xmlSuffix), MaxDSFileSize); err != nil {
			return nil, err
		}
		if asc, err = readCapped(filepath.Join(s.dir, id+ascSuffix), MaxDSFileSize); err != nil {
			return nil, err
		}
	}
	return s.check(id, xml, asc)
}

// warnf adds a warning for Warnings.
func (s *Store) warnf(format string, args ...any) {
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}
