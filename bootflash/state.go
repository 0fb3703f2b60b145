package bootflash

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// encoded is one entry's cached JSON text in state.json, valid while the
// store holds the same *Entry for its id.
type encoded struct {
	e    *Entry
	text []byte
}

// Indentation of state.json: json.MarshalIndent(stateFile, "", "  ").
const (
	stateIndent = "  "
	entryPrefix = stateIndent + stateIndent // an entry is inside "signatures": [...]
)

// encodeState encodes state.json from memory, with changes applied: an id
// mapped to an entry replaces or adds that entry, an id mapped to nil is
// left out. The output is exactly json.MarshalIndent(stateFile, "", "  ")
// plus a newline, but only entries that changed since the last call are
// marshalled again: the others are copied from s.enc, which is keyed by
// the *Entry the store holds. That relies on entries never being modified
// in place once Open returns: every change stores a new *Entry (Put,
// PutBatch, Update). The caller holds s.mu.
func (s *Store) encodeState(changes map[string]*Entry) ([]byte, error) {
	ids := make([]string, 0, len(s.entries)+len(changes))
	for id := range s.entries {
		if _, ok := changes[id]; !ok {
			ids = append(ids, id)
		}
	}
	for id, e := range changes {
		if e != nil {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, cmpID)

	if s.enc == nil {
		s.enc = map[string]encoded{}
	}
	texts := make([][]byte, len(ids))
	size := 64
	for i, id := range ids {
		e, ok := changes[id]
		if !ok {
			e = s.entries[id]
		}
		c := s.enc[id]
		if c.e != e {
			text, err := json.MarshalIndent(e, entryPrefix, stateIndent)
			if err != nil {
				return nil, fmt.Errorf("bootflash: encode %s: DS %s: %w", StateFile, id, err)
			}
			c = encoded{e, text}
			s.enc[id] = c
		}
		texts[i] = c.text
		size += len(c.text) + len(entryPrefix) + 2
	}
	// Drop the cache of ids no longer held, so it cannot grow without bound.
	if len(s.enc) > len(ids) {
		held := make(map[string]bool, len(ids))
		for _, id := range ids {
			held[id] = true
		}
		for id := range s.enc {
			if !held[id] {
				delete(s.enc, id)
			}
		}
	}

	var b bytes.Buffer
	b.Grow(size)
	b.WriteString("{\n" + stateIndent + `"version": ` + strconv.Itoa(stateVersion) + ",\n")
	if len(s.values) > 0 {
		values, err := json.MarshalIndent(s.values, stateIndent, stateIndent)
		if err != nil {
			return nil, fmt.Errorf("bootflash: encode %s: %w", StateFile, err)
		}
		b.WriteString(stateIndent + `"values": `)
		b.Write(values)
		b.WriteString(",\n")
	}
	b.WriteString(stateIndent + `"signatures": [`)
	for i, text := range texts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n" + entryPrefix)
		b.Write(text)
	}
	if len(texts) > 0 {
		b.WriteString("\n" + stateIndent)
	}
	b.WriteString("]\n}\n")
	return b.Bytes(), nil
}

// cmpID orders valid ids numerically, like lessID.
func cmpID(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
