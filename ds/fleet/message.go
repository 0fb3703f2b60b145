package fleet

import (
	"encoding/binary"
	"errors"
	"time"
	"unsafe"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
)

// wireVersion starts every encoded message.
const wireVersion = 1

// ErrWire is a message that is not one AppendMessage wrote.
var ErrWire = errors.New("fleet: not a dsengine message (wrong version or cut short)")

// AppendMessage appends the wire form of m, a parsed line, to b: the
// relay parses each line once and the workers read the fields back with
// DecodeMessage. The string fields go as offsets into Raw.
func AppendMessage(b []byte, m *events.Message) []byte {
	b = append(b, wireVersion)
	b = appendTime(b, m.Received)
	b = appendTime(b, m.Time)
	flags := uint64(m.TimeFrom) | uint64(m.Format)<<2 | uint64(m.Clock)<<4 |
		b2u(m.ZoneUnresolved)<<12 | b2u(m.HasUptime)<<13 | b2u(m.HasSeq)<<14 | b2u(m.HasCounter)<<15
	b = binary.AppendUvarint(b, flags)
	b = binary.AppendVarint(b, int64(m.Uptime))
	b = binary.AppendVarint(b, int64(m.Priority))
	b = binary.AppendUvarint(b, m.Seq)
	b = binary.AppendUvarint(b, m.Counter)
	b = binary.AppendVarint(b, int64(m.Severity))
	b = binary.AppendVarint(b, int64(m.Inner.Severity))
	b = binary.AppendUvarint(b, uint64(len(m.Raw)))
	b = append(b, m.Raw...)
	for _, s := range fields(m) {
		b = appendString(b, *s, m.Raw)
	}
	return b
}

// fields are the string fields besides Raw, in wire order.
func fields(m *events.Message) []*string {
	return []*string{&m.Zone, &m.Host, &m.AppName, &m.ProcID, &m.MsgID, &m.StructuredData, &m.Node,
		&m.Tag, &m.Facility, &m.SubFacility, &m.Mnemonic, &m.Body, &m.Text,
		&m.Inner.Tag, &m.Inner.Facility, &m.Inner.SubFacility, &m.Inner.Mnemonic, &m.Inner.Text}
}

// DecodeMessage reads a message AppendMessage wrote into m. Raw is a copy:
// m does not alias b.
func DecodeMessage(b []byte, m *events.Message) error {
	d := decoder{b: b}
	if d.byte() != wireVersion {
		return ErrWire
	}
	*m = events.Message{}
	m.Received = d.time()
	m.Time = d.time()
	flags := d.uvarint()
	m.TimeFrom = events.TimeSource(flags & 3)
	m.Format = events.Format(flags >> 2 & 3)
	m.Clock = events.ClockFlag(flags >> 4 & 0xff)
	m.ZoneUnresolved, m.HasUptime, m.HasSeq, m.HasCounter = flags>>12&1 == 1, flags>>13&1 == 1, flags>>14&1 == 1, flags>>15&1 == 1
	m.Uptime = time.Duration(d.varint())
	m.Priority = int(d.varint())
	m.Seq = d.uvarint()
	m.Counter = d.uvarint()
	m.Severity = ds.Severity(d.varint())
	m.Inner.Severity = ds.Severity(d.varint())
	n := d.uvarint()
	m.Raw = string(d.take(n))
	for _, s := range fields(m) {
		*s = d.string(m.Raw)
	}
	if d.err {
		return ErrWire
	}
	return nil
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// appendTime writes t as Unix nanoseconds and its zone offset in seconds.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	_, off := t.Zone()
	b = binary.AppendVarint(b, t.UnixNano())
	return binary.AppendVarint(b, int64(off))
}

// appendString writes s as an offset into raw when it lies inside it, else
// whole.
func appendString(b []byte, s, raw string) []byte {
	if s == "" {
		return append(b, 0)
	}
	if raw != "" {
		base := uintptr(unsafe.Pointer(unsafe.StringData(raw)))
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		if p >= base && p-base+uintptr(len(s)) <= uintptr(len(raw)) {
			b = binary.AppendUvarint(b, uint64(len(s))<<1)
			return binary.AppendUvarint(b, uint64(p-base))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s))<<1|1)
	return append(b, s...)
}

type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) take(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.err = true
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time {
	if d.byte() == 0 {
		return time.Time{}
	}
	ns, off := d.varint(), d.varint()
	t := time.Unix(0, ns)
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(off)))
}

func (d *decoder) string(raw string) string {
	h := d.uvarint()
	if h == 0 {
		return ""
	}
	n := h >> 1
	if h&1 == 1 {
		return string(d.take(n))
	}
	off := d.uvarint()
	if off+n > uint64(len(raw)) {
		d.err = true
		return ""
	}
	return raw[off : off+n]
}
