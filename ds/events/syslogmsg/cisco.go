package syslogmsg

import (
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
)

// maxFields bounds the header fields before the stamp or tag
// (counter, host, sequence number, node, and some slack).
const maxFields = 6

// header is the Cisco header as scanned, committed to the Message only when
// it ends in a stamp or a %TAG.
type header struct {
	ok        bool
	end       int // where the body starts
	tag       tag // the tag at end, when hasTag
	hasTag    bool
	nums      [2]uint64
	nnum      int
	host      string
	hostFirst bool // the host was the first field
	fields    int  // fields before the stamp or tag
	node      string
	flag      byte
	hasStamp  bool
	st        stamp
	app, pid  string
}

// parseCisco reads what follows the envelope: the Cisco header, then the
// body with its %TAG. allowAppTag is set after an RFC 3164 header, whose
// TAG ("app: ", "app[pid]: ") may stand before the Cisco part.
func parseCisco(s string, allowAppTag bool, received time.Time, m *events.Message) {
	h := scanHeader(s)
	if allowAppTag && !(h.ok && h.hostFirst && (h.fields > 1 || h.hasStamp)) {
		if app, pid, n := parseAppTag(s); n > 0 && !allDigits(app) {
			m.AppName, m.ProcID = app, pid
			s = s[n:]
			h = scanHeader(s)
		}
	}
	text := s
	if h.ok {
		text = s[h.end:]
		switch h.nnum {
		case 1:
			m.Seq, m.HasSeq = h.nums[0], true
		case 2:
			m.Counter, m.HasCounter = h.nums[0], true
			m.Seq, m.HasSeq = h.nums[1], true
		}
		if h.host != "" {
			m.Host = h.host
		}
		m.Node = h.node
		m.Clock = events.ClockFlag(h.flag)
		if h.app != "" && m.AppName == "" {
			m.AppName, m.ProcID = h.app, h.pid
		}
		if h.hasStamp {
			if h.st.uptime {
				m.Uptime, m.HasUptime = h.st.dur, true
			} else {
				m.Time, m.Zone, m.TimeFrom = h.st.time(received), h.st.zone, events.TimeDevice
			}
		}
	}
	m.Body, m.Text = text, text
	t, at := h.tag, 0
	if !h.hasTag {
		if t, at = findTag(text); at < 0 {
			return
		}
	}
	m.Body = text[at:]
	m.Text = m.Body[t.text:]
	m.Tag, m.Facility, m.SubFacility, m.Mnemonic = t.tag, t.fac, t.sub, t.mnem
	m.Severity = ds.Severity(t.sev)
}

// scanHeader reads the IOS header fields: zero, one or two sequence numbers
// ("2360957: "), an empty counter (": "), a host ("sw01: "), an IOS XR
// node ("RP/0/RP0/CPU0:"), then a clock flag and a stamp followed by ':'
// (and an IOS XR process "ipv4_acl_mgr[310]: "), or a %TAG. h.ok is false
// when they do not end in a stamp or a tag.
func scanHeader(s string) (h header) {
	i := 0
	for f := 0; f <= maxFields && i < len(s); f++ {
		c := s[i]
		if c == '%' {
			if t, ok := parseTag(s[i:]); ok {
				h.ok, h.end, h.tag, h.hasTag = true, i, t, true
			}
			return h
		}
		j := i
		if c == '*' || c == '.' {
			j++
		}
		if n := parseCiscoStamp(s[j:], &h.st); n > 0 && j+n < len(s) && s[j+n] == ':' {
			if j > i {
				h.flag = c
			}
			k := j + n + 1
			for k < len(s) && s[k] == ' ' {
				k++
			}
			if app, pid, n := parseAppTag(s[k:]); n > 0 && pid != "" {
				h.app, h.pid = app, pid
				k += n
			}
			h.hasStamp, h.ok, h.end = true, true, k
			return h
		}
		h.st = stamp{}
		if j > i {
			return h
		}
		k := i
		for k < len(s) && k-i < 256 && s[k] > ' ' && s[k] != ':' && s[k] != '%' && s[k] != 0x7f {
			k++
		}
		if k >= len(s) || s[k] != ':' {
			return h
		}
		tok := s[i:k]
		sp := k+1 < len(s) && s[k+1] == ' '
		switch {
		case tok == "" && sp: // "<189>: sw01: …": the message counter turned off
			i = k + 2
		case sp && len(tok) <= 19 && allDigits(tok):
			if h.nnum == len(h.nums) {
				h.nums[0] = h.nums[1]
				h.nnum--
			}
			h.nums[h.nnum] = uint64(atoi(tok))
			h.nnum++
			i = k + 2
		case !sp && h.node == "" && strings.IndexByte(tok, '/') > 0:
			h.node = tok
			i = k + 1
		case sp && h.host == "" && isHostName(tok):
			h.host = tok
			h.hostFirst = h.fields == 0
			i = k + 2
		default:
			return h
		}
		h.fields++
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	return h
}

func allDigits(s string) bool {
	return s != "" && digits(s) == len(s)
}

// isHostName reports whether s can be a host name or address in the
// header: letters, digits, '.', '-', '_', starting with a letter or digit.
func isHostName(s string) bool {
	if s == "" || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// tag is a parsed %FAC[-SUB]-SEV-MNEMONIC.
type tag struct {
	tag, fac, sub, mnem string
	sev                 int
	text                int // offset of the text after ":" in the string given to parseTag
}

func isTagChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// parseTag reads a tag at s[0] == '%': "%FAC[-SUB…]-D-MNEMONIC" followed by
// ':' (IOS XR puts a space before it) or by the end of the line. D is the
// first one-digit part 0-7 after the facility with a part after it; no part
// may be empty.
func parseTag(s string) (t tag, ok bool) {
	// One pass over the token: remember the first dash and the first
	// one-digit part 0-7 after it.
	i, firstDash, sevAt := 1, -1, -1
	prevDash := true // at the start, a part begins
	for ; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			if prevDash {
				return t, false // empty part
			}
			if firstDash < 0 {
				firstDash = i
			} else if sevAt < 0 && i-2 >= firstDash && s[i-2] == '-' && s[i-1] >= '0' && s[i-1] <= '7' {
				sevAt = i - 1
			}
			prevDash = true
			continue
		}
		if !isAlnum(c) && c != '_' {
			break
		}
		prevDash = false
	}
	if prevDash || firstDash < 2 || sevAt < 0 || !isAlnum(s[1]) {
		return t, false
	}
	tok := s[1:i]
	k := i
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if k < len(s) {
		if s[k] != ':' {
			return t, false
		}
		k++
		for k < len(s) && s[k] == ' ' {
			k++
		}
	}
	t.tag, t.fac = tok, s[1:firstDash]
	if sevAt-1 > firstDash {
		t.sub = s[firstDash+1 : sevAt-1]
	}
	t.mnem = s[sevAt+2 : i]
	t.sev = int(s[sevAt] - '0')
	t.text = k
	return t, true
}

// findTag returns the first valid %TAG in s that starts s or follows a
// space, and its index, or -1.
func findTag(s string) (tag, int) {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '%')
		if j < 0 {
			return tag{}, -1
		}
		i += j
		if i == 0 || s[i-1] == ' ' {
			if t, ok := parseTag(s[i:]); ok {
				return t, i
			}
		}
		i++
	}
	return tag{}, -1
}
