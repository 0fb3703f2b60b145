package bootflash

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ApplPrefix starts the keys of the values a DS's scripts store with
// appl_setinfo: "appl/<DS id>/<name>". Value and SetValue keep them in
// values.json, apart from state.json, within the DS's ValueLimits; every
// other key is a store-wide value in state.json.
const ApplPrefix = "appl/"

// The default ValueLimits.
const (
	DefaultValueKeys  = 64        // values per DS
	DefaultValueBytes = 256 << 10 // per DS, names and values together
	DefaultValueSize  = 64 << 10  // one value
)

// ValueLimits cap what each DS's scripts may store under ApplPrefix. A
// SetValue that would take a DS over one is refused with ErrValueLimit;
// deleting (an empty value) is always allowed. A zero field takes its
// default.
type ValueLimits struct {
	Keys       int // values per DS (DefaultValueKeys)
	Bytes      int // bytes per DS, names and values together (DefaultValueBytes)
	ValueBytes int // bytes of one value (DefaultValueSize)
}

// withDefaults fills the zero fields.
func (l ValueLimits) withDefaults() ValueLimits {
	if l.Keys <= 0 {
		l.Keys = DefaultValueKeys
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultValueBytes
	}
	if l.ValueBytes <= 0 {
		l.ValueBytes = DefaultValueSize
	}
	return l
}

// ErrValueLimit is wrapped by SetValue when a DS's values would go over
// one of its ValueLimits, or values.json over MaxValuesSize.
var ErrValueLimit = errors.New("over the limit on stored values")

// valuesVersion is the format of values.json this package writes.
const valuesVersion = 1

// valuesFile is the content of values.json: each DS's values, by DS id
// and name.
type valuesFile struct {
	Version int                          `json:"version"`
	Values  map[string]map[string]string `json:"values"`
}

// applKey splits "appl/<id>/<name>".
func applKey(key string) (id, name string, err error) {
	rest, _ := strings.CutPrefix(key, ApplPrefix)
	id, name, ok := strings.Cut(rest, "/")
	if !ok || name == "" || ValidID(id) != nil {
		return "", "", fmt.Errorf("value %.80q: a key under %s must be %s<DS id>/<name>", key, ApplPrefix, ApplPrefix)
	}
	return id, name, nil
}

// dsValues are one DS's values and their size (names and values).
type dsValues struct {
	m     map[string]string
	bytes int
}

// applValue returns a DS's value. The caller holds s.mu.
func (s *Store) applValue(key string) (string, bool) {
	id, name, err := applKey(key)
	if err != nil {
		return "", false
	}
	v, ok := s.appl[id].m[name]
	return v, ok
}

// setApplValue sets or (with an empty value) deletes a DS's value within
// its limits and rewrites values.json. The caller holds s.mu and has
// checked that the store is writable.
func (s *Store) setApplValue(key, value string) error {
	id, name, err := applKey(key)
	if err != nil {
		return fmt.Errorf("bootflash: %w", err)
	}
	lim := s.opts.Values.withDefaults()
	old := s.appl[id]
	prev, had := old.m[name]
	if !had && value == "" {
		return nil
	}
	n := dsValues{m: maps.Clone(old.m), bytes: old.bytes}
	if n.m == nil {
		n.m = map[string]string{}
	}
	if had {
		n.bytes -= len(name) + len(prev)
		delete(n.m, name)
	}
	if value != "" {
		switch {
		case len(value) > lim.ValueBytes:
			return fmt.Errorf("bootflash: %s: %w: a value of %d bytes is over the %d bytes one value may have", key, ErrValueLimit, len(value), lim.ValueBytes)
		case len(n.m)+1 > lim.Keys && len(n.m)+1 > len(old.m):
			return fmt.Errorf("bootflash: %s: %w: DS %s already stores %d values, the most it may; delete one first (appl_setinfo with empty data)",
				key, ErrValueLimit, id, len(old.m))
		case n.bytes+len(name)+len(value) > lim.Bytes && n.bytes+len(name)+len(value) > old.bytes:
			return fmt.Errorf("bootflash: %s: %w: DS %s would store %d bytes, over the %d it may; delete or shorten some values first",
				key, ErrValueLimit, id, n.bytes+len(name)+len(value), lim.Bytes)
		}
		n.m[name] = value
		n.bytes += len(name) + len(value)
	}
	s.putAppl(id, n)
	if err := s.saveValues(); err != nil {
		s.putAppl(id, old)
		return err
	}
	return nil
}

// putAppl replaces a DS's values; none drops the DS.
func (s *Store) putAppl(id string, v dsValues) {
	if len(v.m) == 0 {
		delete(s.appl, id)
	} else {
		s.appl[id] = v
	}
}

// encodeValues encodes values.json from memory, refusing a file over
// MaxValuesSize, which the store could not read back.
func (s *Store) encodeValues() ([]byte, error) {
	vf := valuesFile{Version: valuesVersion, Values: make(map[string]map[string]string, len(s.appl))}
	for id, v := range s.appl {
		vf.Values[id] = v.m
	}
	data, err := json.MarshalIndent(vf, "", stateIndent)
	if err != nil {
		return nil, fmt.Errorf("bootflash: encode %s: %w", ValuesFile, err)
	}
	data = append(data, '\n')
	if len(data) > MaxValuesSize {
		return nil, fmt.Errorf("bootflash: %w: %s would be %d bytes, over its %d; the DS must store less (appl_setinfo)",
			ErrValueLimit, ValuesFile, len(data), MaxValuesSize)
	}
	return data, nil
}

// saveValues writes values.json atomically. Once the new file is in
// place, a failure to make it durable is reported but memory keeps what
// the file holds. The caller holds s.mu.
func (s *Store) saveValues() error {
	data, err := s.encodeValues()
	if err != nil {
		return err
	}
	tmp, err := stageFile(s.dir, ValuesFile, data, time.Time{}, true)
	if err == nil {
		if err = os.Rename(tmp, filepath.Join(s.dir, ValuesFile)); err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return fmt.Errorf("bootflash: %s: %w", ValuesFile, err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("bootflash: %s: %w", ValuesFile, err)
	}
	return nil
}

// loadValues reads values.json at Open. A file it cannot read or parse
// (damaged, over MaxValuesSize, a link, not a regular file) costs only the
// scripts' values: it is set aside as values.json.corrupt-<time>, which
// Warnings reports, and the store opens with its statuses and store-wide
// values, which are in state.json. Only a newer format fails Open.
func (s *Store) loadValues() error {
	path := filepath.Join(s.dir, ValuesFile)
	data, err := readCapped(path, MaxValuesSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var vf valuesFile
	if err == nil {
		err = json.Unmarshal(data, &vf)
	}
	if err == nil && vf.Version > valuesVersion {
		return fmt.Errorf("%s has format version %d; this dsengine reads up to %d", ValuesFile, vf.Version, valuesVersion)
	}
	if err == nil && vf.Version < 1 {
		err = errors.New("no format version")
	}
	if err == nil {
		for id, m := range vf.Values {
			if ValidID(id) != nil {
				err = fmt.Errorf("values of an invalid DS id %.20q", id)
				break
			}
			for name := range m {
				if name == "" || m[name] == "" {
					err = fmt.Errorf("DS %s: an empty name or value", id)
					break
				}
			}
		}
	}
	if err != nil {
		s.applChanged = true
		return s.setAside(ValuesFile, err,
			"the values DS scripts stored with appl_setinfo are dropped; statuses, prompt answers, statistics and repository index versions are in "+StateFile+" and kept")
	}
	for id, m := range vf.Values {
		v := dsValues{m: m}
		for name, value := range m {
			v.bytes += len(name) + len(value)
		}
		s.putAppl(id, v)
	}
	return nil
}

// legacyValues counts, during Open, the appl/ values read from state.json
// (where an older dsengine kept them) that could not be adopted.
type legacyValues struct {
	dropped map[string]int // by DS id: over the limits
	bad     int            // malformed key
}

// adoptLegacyValue moves one appl/ value an older dsengine kept in
// state.json to the DS values, within the limits (in file order; what does
// not fit is dropped and counted for reportLegacyValues); a value already
// in values.json wins.
func (s *Store) adoptLegacyValue(key, value string) {
	id, name, err := applKey(key)
	if err != nil || value == "" {
		s.legacy.bad++
		return
	}
	v := s.appl[id]
	if _, ok := v.m[name]; ok {
		return
	}
	lim := s.opts.Values.withDefaults()
	size := len(name) + len(value)
	if len(value) > lim.ValueBytes || len(v.m)+1 > lim.Keys || v.bytes+size > lim.Bytes {
		if s.legacy.dropped == nil {
			s.legacy.dropped = map[string]int{}
		}
		s.legacy.dropped[id]++
		return
	}
	if v.m == nil {
		v.m = map[string]string{}
	}
	v.m[name] = value
	v.bytes += size
	s.appl[id] = v
	s.applChanged = true
}

// reportLegacyValues warns of the values adoptLegacyValue dropped.
func (s *Store) reportLegacyValues() {
	lim := s.opts.Values.withDefaults()
	for _, id := range slices.SortedFunc(maps.Keys(s.legacy.dropped), cmpID) {
		s.warnf("DS %s: %d of the values its scripts stored (in %s, by an older dsengine) are over its limits (%d values, %d bytes) and dropped",
			id, s.legacy.dropped[id], StateFile, lim.Keys, lim.Bytes)
	}
	if s.legacy.bad > 0 {
		s.warnf("%s: %d values under %s with a malformed key or no data dropped", StateFile, s.legacy.bad, ApplPrefix)
	}
	s.legacy = legacyValues{}
}

// dropOrphanValues forgets the values of DSes that are not stored and
// reports whether there were any.
func (s *Store) dropOrphanValues() bool {
	var ids []string
	for id := range s.appl {
		if s.entries[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, cmpID)
	for _, id := range ids {
		s.warnf("DS %s: not stored; the %d values its scripts stored are dropped", id, len(s.appl[id].m))
		delete(s.appl, id)
		s.applChanged = true
	}
	return len(ids) > 0
}

// saveAdoptedValues writes values.json at Open. If the values adopted
// from state.json make it larger than MaxValuesSize, the values of the DS
// storing the most are dropped, and reported, until it fits: values never
// keep the store from opening.
func (s *Store) saveAdoptedValues() error {
	for {
		err := s.saveValues()
		if err == nil || !errors.Is(err, ErrValueLimit) || len(s.appl) == 0 {
			return err
		}
		var big string
		for id, v := range s.appl {
			if big == "" || v.bytes > s.appl[big].bytes || (v.bytes == s.appl[big].bytes && cmpID(id, big) < 0) {
				big = id
			}
		}
		s.warnf("DS %s: the %d values its scripts stored are dropped: with them %s would be over %d bytes",
			big, len(s.appl[big].m), ValuesFile, MaxValuesSize)
		delete(s.appl, big)
	}
}
