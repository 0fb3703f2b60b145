package relay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// record is one line ready to publish: its subject, message ID and the
// encoded parsed line.
type record struct {
	Subject string
	ID      string
	Data    []byte
}

// size is the record's length in a segment file.
func (r *record) size() int { return 4 + 2 + len(r.Subject) + 2 + len(r.ID) + len(r.Data) }

func (r *record) append(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(r.size()-4))
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.Subject)))
	b = append(b, r.Subject...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.ID)))
	b = append(b, r.ID...)
	return append(b, r.Data...)
}

// readRecord reads the record at the start of b and its length; n is 0 for
// a record cut short (a relay that died mid-write).
func readRecord(b []byte) (r record, n int) {
	if len(b) < 4 {
		return r, 0
	}
	l := int(binary.BigEndian.Uint32(b))
	if len(b) < 4+l || l < 4 {
		return r, 0
	}
	body := b[4 : 4+l]
	sl := int(binary.BigEndian.Uint16(body))
	if 2+sl+2 > len(body) {
		return r, 0
	}
	r.Subject = string(body[2 : 2+sl])
	body = body[2+sl:]
	il := int(binary.BigEndian.Uint16(body))
	if 2+il > len(body) {
		return r, 0
	}
	r.ID = string(body[2 : 2+il])
	r.Data = body[2+il:]
	return r, 4 + l
}

// spool is the bounded disk buffer: segment files NNNNNNNNNNNNNNNN.seg in
// a directory, appended at the tail and read from the head. A segment read
// to its end is removed. The read position inside the head segment is not
// kept on disk: after a restart its records are published again and
// JetStream's de-duplication drops those it had.
type spool struct {
	dir     string
	max     int64 // bytes on disk at most
	segSize int64

	segs  []int64 // segment numbers, head first
	sizes map[int64]int64
	tail  *os.File
	head  []byte // the unread rest of the head segment, loaded
	headN int64  // which segment head holds; -1 when none is loaded
	bytes int64  // on disk, read or not
}

func openSpool(dir string, max, segSize int64) (*spool, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool %s: %w; give --spool a directory the relay can write", dir, err)
	}
	s := &spool{dir: dir, max: max, segSize: segSize, sizes: map[int64]int64{}, headN: -1}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	for _, e := range ents {
		n, err := strconv.ParseInt(strings.TrimSuffix(e.Name(), ".seg"), 10, 64)
		if err != nil || !strings.HasSuffix(e.Name(), ".seg") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("spool %s: %w", dir, err)
		}
		s.segs = append(s.segs, n)
		s.sizes[n] = info.Size()
		s.bytes += info.Size()
	}
	slices.Sort(s.segs)
	return s, nil
}

func (s *spool) path(n int64) string { return filepath.Join(s.dir, fmt.Sprintf("%016d.seg", n)) }

// empty reports whether every spooled record was read.
func (s *spool) empty() bool { return len(s.segs) == 0 }

// add appends recs in order; those that do not fit under the cap are
// dropped and counted in the result.
func (s *spool) add(recs []record) (dropped int, err error) {
	var buf []byte
	for i := range recs {
		n := int64(recs[i].size())
		if s.bytes+int64(len(buf))+n > s.max {
			dropped++
			continue
		}
		buf = recs[i].append(buf)
		if int64(len(buf)) >= s.segSize/4 {
			if err := s.write(buf); err != nil {
				return dropped, err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		if err := s.write(buf); err != nil {
			return dropped, err
		}
	}
	return dropped, nil
}

// write appends whole records to the tail segment, starting a new one when
// it is full.
func (s *spool) write(b []byte) error {
	// A segment loaded as the head is never appended to: what it gains
	// would not be read.
	if s.tail == nil || s.sizes[s.segs[len(s.segs)-1]] >= s.segSize || s.headN == s.segs[len(s.segs)-1] {
		if s.tail != nil {
			s.tail.Close()
		}
		n := int64(0)
		if len(s.segs) > 0 {
			n = s.segs[len(s.segs)-1] + 1
		}
		f, err := os.OpenFile(s.path(n), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		s.tail = f
		s.segs = append(s.segs, n)
		s.sizes[n] = 0
	}
	if _, err := s.tail.Write(b); err != nil {
		return fmt.Errorf("spool %s: %w", s.tail.Name(), err)
	}
	s.sizes[s.segs[len(s.segs)-1]] += int64(len(b))
	s.bytes += int64(len(b))
	return nil
}

// peek returns up to n records from the head, without consuming them, and
// how many bytes of the head they span.
func (s *spool) peek(n int) ([]record, []int, error) {
	if len(s.segs) == 0 {
		return nil, nil, nil
	}
	h := s.segs[0]
	if s.headN != h {
		b, err := os.ReadFile(s.path(h))
		if err != nil {
			return nil, nil, fmt.Errorf("spool: %w", err)
		}
		s.head, s.headN = b, h
	}
	var recs []record
	var ends []int
	off := 0
	for len(recs) < n {
		r, l := readRecord(s.head[off:])
		if l == 0 {
			break
		}
		off += l
		recs = append(recs, r)
		ends = append(ends, off)
	}
	if len(recs) == 0 {
		// The head is read (or its last record was cut short): drop it.
		if err := s.dropHead(); err != nil {
			return nil, nil, err
		}
		return s.peek(n)
	}
	return recs, ends, nil
}

// advance consumes the first bytes of the head, as peek's ends gave them.
func (s *spool) advance(bytes int) error {
	s.head = s.head[bytes:]
	if len(s.head) == 0 {
		return s.dropHead()
	}
	return nil
}

// dropHead removes the head segment, whose records were all published.
func (s *spool) dropHead() error {
	h := s.segs[0]
	if len(s.segs) == 1 && s.tail != nil {
		// The tail is the head: close it; the next add starts a new one.
		s.tail.Close()
		s.tail = nil
	}
	if err := os.Remove(s.path(h)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	s.bytes -= s.sizes[h]
	delete(s.sizes, h)
	s.segs = s.segs[1:]
	s.head, s.headN = nil, -1
	return nil
}

// close closes the tail segment; what is spooled stays for the next start.
func (s *spool) close() {
	if s.tail != nil {
		s.tail.Close()
		s.tail = nil
	}
}
