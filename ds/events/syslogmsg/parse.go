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
// year its year, and gives a stamp without a zone its location. Parse is
// ParseIn with no location.
func Parse(line []byte, received time.Time, m *events.Message) {
	ParseIn(line, received, nil, m)
}

// ParseIn is Parse with the location of the device's clock (from `clock
// timezone` and `clock summer-time`, see config.Clock.Location, or a
// replay's --tz). A stamp without a zone is read in loc; a stamp whose
// zone name (PST, CEST) is one of loc's abbreviations at that date takes
// that offset; another name is read as UTC and sets m.ZoneUnresolved.
// A nil loc reads stamps without a zone in received's location and every
// zone name but UTC's as unresolved.
func ParseIn(line []byte, received time.Time, loc *time.Location, m *events.Message) {
	var s string
	if len(line) > 0 {
		s = unsafe.String(unsafe.SliceData(line), len(line))
	}
	ParseStringIn(s, received, loc, m)
}

// ParseString is Parse for a line held in a string; m's strings are
// substrings of line.
func ParseString(line string, received time.Time, m *events.Message) {
	ParseStringIn(line, received, nil, m)
}

// ParseStringIn is ParseIn for a line held in a string.
func ParseStringIn(line string, received time.Time, loc *time.Location, m *events.Message) {
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
		if msg, ok := parse3164(rest, received, loc, m); ok {
			rest = msg
			allowAppTag = true
			// A relay that writes its header before the device's
			// <PRI>: "Aug 22 05:11:06 relay <189>5: 000006: *Jan  2 …"
			if pri, n := parsePRI(rest); n > 0 && m.Priority < 0 {
				m.Priority = pri
				rest = rest[n:]
			}
		}
	}
	if host, n := kiwiOrigin(rest); n > 0 {
		m.Host = host
		rest = rest[n:]
	}
	parseCisco(rest, allowAppTag, received, loc, m)
	switch {
	case m.Tag != "":
		// set by parseCisco from the tag's digit
	case m.Priority >= 0:
		m.Severity = ds.Severity(m.Priority & 7)
	}
}

// kiwiOrigin reads the wrapper Kiwi Syslog Server puts after the <PRI> (or
// its RFC 3164 header) of a line it forwards, "Original Address=IP ", and
// returns the address and the length read, or n = 0.
func kiwiOrigin(s string) (host string, n int) {
	const key = "original address="
	if len(s) <= len(key) || !equalFold(s[:len(key)], key) {
		return "", 0
	}
	i := len(key)
	j := i
	for j < len(s) && s[j] > ' ' && j-i < 64 {
		j++
	}
	if j == i || !isHostName(s[i:j]) && ipv6Len(s[i:j]) == 0 {
		return "", 0
	}
	host = s[i:j]
	for j < len(s) && s[j] == ' ' {
		j++
	}
	return host, j
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
