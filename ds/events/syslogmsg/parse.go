package syslogmsg

import (
	"time"
	"unsafe"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
)

// Parse reads one received line into m, overwriting every field of m. It
// never fails: what does not fit a known shape becomes text. The strings of
// m alias line (see the package comment), so Parse does not allocate.
// received is when the line was read; it is kept in m.Received, stands in
// for m.Time when the line has no calendar stamp, gives a stamp without a
// year its year, and gives a stamp without a zone its location.
func Parse(line []byte, received time.Time, m *events.Message) {
	var s string
	if len(line) > 0 {
		s = unsafe.String(unsafe.SliceData(line), len(line))
	}
	ParseString(s, received, m)
}

// ParseString is Parse for a line held in a string; m's strings are
// substrings of line.
func ParseString(line string, received time.Time, m *events.Message) {
	raw := trimEnd(line)
	*m = events.Message{
		Received: received,
		Time:     received,
		Priority: events.NoPriority,
		Severity: events.DefaultSeverity,
		Raw:      raw,
	}
	rest := raw
	if pri, n := parsePRI(rest); n > 0 {
		m.Priority = pri
		rest = rest[n:]
		if msg, ok := parse5424(rest, m); ok {
			rest = msg
		}
	}
	allowAppTag := false
	if m.Format == events.FormatPlain {
		if msg, ok := parse3164(rest, received, m); ok {
			rest = msg
			allowAppTag = true
		}
	}
	parseCisco(rest, allowAppTag, received, m)
	switch {
	case m.Tag != "":
		// set by parseCisco from the tag's digit
	case m.Priority >= 0:
		m.Severity = ds.Severity(m.Priority & 7)
	}
}

// trimEnd removes the line terminator: trailing CR, LF and NUL bytes.
func trimEnd(s string) string {
	for len(s) > 0 {
		switch s[len(s)-1] {
		case '\n', '\r', 0:
			s = s[:len(s)-1]
		default:
			return s
		}
	}
	return s
}

// parsePRI reads "<N>" with N in 0..191 and returns N and the length read,
// or n = 0.
func parsePRI(s string) (pri, n int) {
	if len(s) < 3 || s[0] != '<' {
		return 0, 0
	}
	i := 1
	for i < len(s) && i <= 3 && isDigit(s[i]) {
		pri = pri*10 + int(s[i]-'0')
		i++
	}
	if i == 1 || i >= len(s) || s[i] != '>' || pri > 191 || (s[1] == '0' && i > 2) {
		return 0, 0
	}
	return pri, i + 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// atoi reads s, which must be all digits and short enough not to overflow.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// digits returns the length of the run of digits at the start of s.
func digits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}
