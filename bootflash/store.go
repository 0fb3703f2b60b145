package bootflash

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// Errors the Store returns, for errors.Is.
var (
	// ErrInUse: another Store (in this or another process) holds the lock.
	ErrInUse = errors.New("in use by another dsengine")
	// ErrNotFound: no such DS or outbox message.
	ErrNotFound = errors.New("not found")
	// ErrReadOnly: a write on a ReadOnly Store.
	ErrReadOnly = errors.New("store is read-only")
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("store is closed")
)

// CheckFunc verifies a DS file against its detached signature and parses
// it. The store calls it on every Put and, at Open, on every stored DS; it
// must not keep the slices.
type CheckFunc func(id string, xml, asc []byte) (*ds.Signature, error)

// Options configure Open.
type Options struct {
	// Check verifies and parses a DS (required). The store imports neither
	// verification nor parsing; this is how it re-checks what it holds.
	// Open calls it from several goroutines at once.
	Check CheckFunc
	// Now is the clock (required): LastUpdate times, outbox order, the
	// name of a corrupt state.json's copy.
	Now func() time.Time
	// Values caps what each DS's scripts may store (keys under
	// ApplPrefix); zero fields take the defaults.
	Values ValueLimits
	// ReadOnly opens without the lock and never writes, for show commands
	// while no daemon runs: directories are not created, temporary files
	// are left, pending journals and check failures are applied in memory
	// only, and every write method returns ErrReadOnly. A daemon writing
	// at the same time may make a DS it is replacing look failed.
	ReadOnly bool
}

// stateVersion is the format of state.json this package writes.
const stateVersion = 1

// stateFile is the content of state.json.
type stateFile struct {
	Version int `json:"version"`
	// Values are small store-wide settings, e.g. the highest repository
	// index version seen (rollback protection). The scripts' values
	// (ApplPrefix) are in values.json; an older dsengine kept them here.
	Values     map[string]string `json:"values,omitempty"`
	Signatures []Entry           `json:"signatures"`
}

// pair is a DS's two files, held in memory by a ReadOnly store for a
// journal it could not replay on disk. removed marks a pending Remove.
type pair struct {
	xml, asc []byte
	removed  bool
}

// Store is the persistent DS store under <root>/call_home. It is safe for
// concurrent use by several goroutines.
type Store struct {
	root, dir, outbox string
	opts              Options
	warnings          []string

	mu      sync.Mutex
	lock    *os.File // nil when ReadOnly
	entries map[string]*Entry
	values  map[string]string   // store-wide, in state.json
	appl    map[string]dsValues // the scripts', by DS id, in values.json
	// applChanged says that Open must write values.json; legacy counts
	// what it could not adopt from state.json. Open only.
	applChanged bool
	legacy      legacyValues
	overlay     map[string]pair    // ReadOnly only: pending journals
	enc         map[string]encoded // state.json text of each entry, see encodeState
	broken      error              // a write failed after its commit point
	closed      bool
}

// Open opens (and, unless ReadOnly, creates and locks) the store under
// root, replays interrupted writes, and re-checks every stored DS; see the
// package comment. Problems that do not stop the store are listed by
// Warnings.
func Open(root string, opts Options) (*Store, error) {
	if opts.Check == nil || opts.Now == nil {
		return nil, fmt.Errorf("bootflash %s: Options.Check and Options.Now are required", root)
	}
	s := &Store{
		root:    root,
		dir:     filepath.Join(root, Dir),
		outbox:  filepath.Join(root, Dir, OutboxDir),
		opts:    opts,
		entries: map[string]*Entry{},
		values:  map[string]string{},
		appl:    map[string]dsValues{},
		overlay: map[string]pair{},
	}
	if !opts.ReadOnly {
		if err := makeDirs(root, s.dir, s.outbox); err != nil {
			return nil, fmt.Errorf("bootflash %s: %w", root, err)
		}
		f, err := lockDir(s.dir, os.Getpid())
		if errors.Is(err, ErrInUse) {
			return nil, fmt.Errorf("bootflash %s is %w", root, err)
		}
		if err != nil {
			return nil, fmt.Errorf("bootflash %s: %w", root, err)
		}
		s.lock = f
	} else if exists, err := checkDirs(root, s.dir); err != nil {
		return nil, fmt.Errorf("bootflash %s: %w", root, err)
	} else if !exists {
		return s, nil // nothing stored yet
	} else if _, err := checkDirs(root, s.dir, s.outbox); err != nil {
		return nil, fmt.Errorf("bootflash %s: %w", root, err)
	}
	if err := s.recover(); err != nil {
		if s.lock != nil {
			unlockDir(s.lock)
		}
		return nil, fmt.Errorf("bootflash %s: %w", root, err)
	}
	return s, nil
}

// Close releases the lock. The Store must not be used afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.lock != nil {
		return unlockDir(s.lock)
	}
	return nil
}

// Root is the bootflash root the store was opened on.
func (s *Store) Root() string { return s.root }

// Warnings lists what Open found and repaired or set aside: failed checks,
// adopted or dropped DSes, a corrupt state.json.
func (s *Store) Warnings() []string { return append([]string(nil), s.warnings...) }

// Get returns a copy of the DS's entry.
func (s *Store) Get(id string) (Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[id]
	if !ok {
		return Entry{}, false
	}
	return e.clone(), true
}

// List returns copies of all entries, sorted by numeric id.
func (s *Store) List() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entry, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, e.clone())
	}
	sort.Slice(out, func(i, j int) bool { return lessID(out[i].ID, out[j].ID) })
	return out
}

// Files returns the stored DS file and its detached signature, exactly as
// downloaded.
func (s *Store) Files(id string) (xml, asc []byte, err error) {
	if err := ValidID(id); err != nil {
		return nil, nil, fmt.Errorf("bootflash: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, fmt.Errorf("bootflash: %w", ErrClosed)
	}
	if p, ok := s.overlay[id]; ok {
		if p.removed {
			return nil, nil, fmt.Errorf("bootflash: DS %s: %w", id, ErrNotFound)
		}
		return p.xml, p.asc, nil
	}
	return s.readFiles(id)
}

// readFiles reads <id>.xml and <id>.xml.asc from disk.
func (s *Store) readFiles(id string) (xml, asc []byte, err error) {
	xml, err = readCapped(filepath.Join(s.dir, id+xmlSuffix), MaxDSFileSize)
	if err == nil {
		asc, err = readCapped(filepath.Join(s.dir, id+ascSuffix), MaxDSFileSize)
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("bootflash: DS %s: %w", id, err)
	}
	return xml, asc, nil
}

// Put stores a DS's files and its entry atomically (see the package
// comment), replacing any earlier version. The files must pass Check; the
// entry gets the DS's name and revision, status downloaded, no failure and
// LastUpdate now, keeping prompt answers and statistics of an earlier
// version; update, if not nil, may then change it (it sees the parsed DS
// as Signature; its changes to ID and Signature are ignored). A Put is a
// PutBatch of one.
func (s *Store) Put(id string, xml, asc []byte, update func(*Entry)) error {
	return s.PutBatch([]PutItem{{ID: id, XML: xml, ASC: asc, Update: update}})
}

// Remove deletes a DS's files and its entry atomically (deinstall). It is
// a RemoveBatch of one.
func (s *Store) Remove(id string) error {
	return s.RemoveBatch([]string{id})
}

// fail records a failure after a commit point: memory and disk may now
// disagree until the next Open replays the journal, so the Store refuses
// further writes.
func (s *Store) fail(err error) error {
	s.broken = err
	return fmt.Errorf("bootflash: %w (the change completes when the store is reopened)", err)
}

// Update changes a DS's entry and writes state.json atomically. fn gets a
// copy; its ID and Signature are kept.
func (s *Store) Update(id string, fn func(*Entry)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	old, ok := s.entries[id]
	if !ok {
		return fmt.Errorf("bootflash: DS %s: %w", id, ErrNotFound)
	}
	e := old.clone()
	fn(&e)
	e.ID, e.Signature = old.ID, old.Signature
	e.limitText()
	return s.saveState(func() { s.entries[id] = &e }, func() { s.entries[id] = old })
}

// UpdateBatch changes many DSes' entries with one atomic write of
// state.json: fns maps each id to the change for it, called like Update's
// fn. An id that is not stored refuses the whole batch, with the store
// unchanged.
func (s *Store) UpdateBatch(fns map[string]func(*Entry)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	olds := make(map[string]*Entry, len(fns))
	news := make(map[string]*Entry, len(fns))
	for id, fn := range fns {
		old, ok := s.entries[id]
		if !ok {
			return fmt.Errorf("bootflash: DS %s: %w", id, ErrNotFound)
		}
		e := old.clone()
		fn(&e)
		e.ID, e.Signature = old.ID, old.Signature
		e.limitText()
		olds[id], news[id] = old, &e
	}
	if len(fns) == 0 {
		return nil
	}
	return s.saveState(func() { maps.Copy(s.entries, news) }, func() { maps.Copy(s.entries, olds) })
}

// Value returns a value saved by SetValue.
func (s *Store) Value(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.HasPrefix(key, ApplPrefix) {
		return s.applValue(key)
	}
	v, ok := s.values[key]
	return v, ok
}

// SetValue saves a value; an empty value deletes the key. A key under
// ApplPrefix ("appl/<DS id>/<name>", a script's appl_setinfo) is the DS's:
// it goes to values.json, within Options.Values, and a value over a limit
// is refused with an error that wraps ErrValueLimit and names the limit.
// Any other key is a store-wide value in state.json, e.g. the highest
// repository index version seen.
func (s *Store) SetValue(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	if strings.HasPrefix(key, ApplPrefix) {
		return s.setApplValue(key, value)
	}
	old, had := s.values[key]
	set := func() {
		if value == "" {
			delete(s.values, key)
		} else {
			s.values[key] = value
		}
	}
	undo := func() {
		if had {
			s.values[key] = old
		} else {
			delete(s.values, key)
		}
	}
	return s.saveState(set, undo)
}

// saveState applies change in memory and writes state.json; if the file
// was not replaced, undo restores memory.
func (s *Store) saveState(change, undo func()) error {
	change()
	data, err := s.encodeState(nil)
	if err != nil {
		undo()
		return err
	}
	tmp, err := stageFile(s.dir, StateFile, data, time.Time{}, true)
	if err == nil {
		if err = os.Rename(tmp, filepath.Join(s.dir, StateFile)); err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		undo()
		return fmt.Errorf("bootflash: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return s.fail(err)
	}
	return nil
}

// writable reports why the store cannot be written, if it cannot.
// The caller holds s.mu.
func (s *Store) writable() error {
	switch {
	case s.closed:
		return fmt.Errorf("bootflash: %w", ErrClosed)
	case s.opts.ReadOnly:
		return fmt.Errorf("bootflash: %w", ErrReadOnly)
	case s.broken != nil:
		return fmt.Errorf("bootflash: an earlier write failed (%v); reopen the store", s.broken)
	}
	return nil
}

// check runs the caller's Check and makes sure the DS says the id it is
// stored under.
func (s *Store) check(id string, xml, asc []byte) (*ds.Signature, error) {
	sig, err := s.opts.Check(id, xml, asc)
	if err != nil {
		return nil, err
	}
	if sig != nil && sig.ID != "" && sig.ID != id {
		return nil, fmt.Errorf("the DS file has id %s", sig.ID)
	}
	return sig, nil
}
