package bootflash

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
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
	if b.Len() > MaxStateSize {
		return nil, fmt.Errorf("bootflash: %w: %s would be %d bytes, over its %d; remove DSes or shorten their prompt answers",
			errTooLarge, StateFile, b.Len(), MaxStateSize)
	}
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

// decodeState parses state.json from r as a stream, so that reading a
// large file never holds more than its entries: the version and entries go
// to st, each store-wide value to value, as it is read. A value read
// before an error has been passed on, so that a damaged file still yields
// the values that precede the damage (encodeState writes them before the
// entries). Unknown fields are skipped, like json.Unmarshal does.
func decodeState(r io.Reader, st *stateFile, value func(k, v string)) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch strings.ToLower(key) {
		case "version":
			if err := dec.Decode(&st.Version); err != nil {
				return err
			}
		case "values":
			isNull, err := openDelim(dec, '{')
			if err != nil {
				return err
			}
			if isNull {
				continue
			}
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				var v string
				if err := dec.Decode(&v); err != nil {
					return err
				}
				value(tok.(string), v)
			}
			if err := expectDelim(dec, '}'); err != nil {
				return err
			}
		case "signatures":
			isNull, err := openDelim(dec, '[')
			if err != nil {
				return err
			}
			if isNull {
				continue
			}
			for dec.More() {
				var e Entry
				if err := dec.Decode(&e); err != nil {
					return err
				}
				st.Signatures = append(st.Signatures, e)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the end of the JSON object")
	}
	return nil
}

// expectDelim reads the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("JSON: %v where %v was expected (offset %d)", tok, d, dec.InputOffset())
	}
	return nil
}

// openDelim reads the delimiter d that opens an object or array, or a
// null in its place.
func openDelim(dec *json.Decoder, d json.Delim) (isNull bool, err error) {
	tok, err := dec.Token()
	if err == io.EOF {
		return false, io.ErrUnexpectedEOF
	}
	if err != nil {
		return false, err
	}
	if tok == nil {
		return true, nil
	}
	if tok != d {
		return false, fmt.Errorf("JSON: %v where %v was expected (offset %d)", tok, d, dec.InputOffset())
	}
	return false, nil
}
