package syslogmsg

import (
	"net/netip"
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
// TAG ("app: ", "app[pid]: ") may stand before the Cisco part. loc reads
// the stamp (see stamp.time).
func parseCisco(s string, allowAppTag bool, received time.Time, loc *time.Location, m *events.Message) {
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
				var ok bool
				m.Time, ok = h.st.time(received, loc)
				m.Zone, m.ZoneUnresolved, m.TimeFrom = h.st.zone, !ok, events.TimeDevice
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
	if it, at := findTag(m.Text); at >= 0 {
		m.Inner = events.InnerTag{Tag: it.tag, Facility: it.fac, SubFacility: it.sub, Mnemonic: it.mnem,
			Severity: ds.Severity(it.sev), Text: m.Text[at+it.text:]}
	}
}

// scanHeader reads the IOS header fields: zero, one or two sequence numbers
// ("2360957: "), an empty counter (": "), a host ("sw01: ", an IPv6
// address "2001:db8::1: "), an IOS XR node ("RP/0/RP0/CPU0:"), a WLC task
// ("*spamApTask4: "), then a clock flag and a stamp followed by ':' (and an
// IOS XR process "ipv4_acl_mgr[310]: "), or a %TAG. One token it does not
// know (a host name without its colon, "xr1 ", as logging hostnameprefix
// writes it) is passed over, taken as the host when it looks like one.
// An NX-OS year-first stamp may also end in " [HOST ]%TAG". h.ok is false
// when the fields do not end in a stamp or a tag.
func scanHeader(s string) (h header) {
	i, unknown := 0, false
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
		if n := parseCiscoStamp(s[j:], &h.st); n > 0 && j+n < len(s) {
			if j > i {
				h.flag = c
			}
			k := j + n
			if s[k] == ' ' && h.st.yearFirst {
				// NX-OS log file: "2026 Nov 23 14:46:17 nx1 %TAG: …"
				if host, at := hostThenTag(s, k+1); at > 0 {
					h.host, h.hasStamp, h.ok, h.end = host, true, true, at
					h.tag, h.hasTag = parseTag(s[at:])
					return h
				}
			}
			if s[k] == ':' {
				k++
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
		}
		h.st = stamp{}
		if j > i {
			// "*Dot1x_NW_MsgTask_0: ", a WLC task, not a clock flag
			if n := wlcTask(s[j:]); c == '*' && n > 0 && h.app == "" {
				h.app = s[j : j+n]
				i = j + n + 2
				h.fields++
				continue
			}
			return h
		}
		if n := ipv6Host(s[i:]); n > 0 && h.host == "" {
			h.host = s[i : i+n]
			h.hostFirst = h.fields == 0
			i += n + 2
			h.fields++
			continue
		}
		k := i
		for k < len(s) && k-i < 256 && s[k] > ' ' && s[k] != ':' && s[k] != '%' && s[k] != 0x7f {
			k++
		}
		if k >= len(s) {
			return h
		}
		tok := s[i:k]
		if s[k] == ' ' {
			// a word without a colon: pass over one
			if unknown || tok == "" {
				return h
			}
			unknown = true
			if h.host == "" && isHostName(tok) {
				h.host = tok
				h.hostFirst = h.fields == 0
			}
			i = k + 1
			h.fields++
			for i < len(s) && s[i] == ' ' {
				i++
			}
			continue
		}
		if s[k] != ':' {
			return h
		}
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
		case sp && !unknown:
			// "sw1.example.com(192.0.2.1): ": an origin the scanner does
			// not know, passed over once
			unknown = true
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

// hostThenTag reads "[HOST ]%TAG" at s[i] and returns the host and where
// the tag starts, or at = 0.
func hostThenTag(s string, i int) (host string, at int) {
	if i < len(s) && s[i] != '%' {
		k := i
		for k < len(s) && k-i < 256 && s[k] > ' ' {
			k++
		}
		if k >= len(s) || s[k] != ' ' || !isHostName(s[i:k]) {
			return "", 0
		}
		host, i = s[i:k], k+1
	}
	if i >= len(s) || s[i] != '%' {
		return "", 0
	}
	if _, ok := parseTag(s[i:]); !ok {
		return "", 0
	}
	return host, i
}

// wlcTask returns the length of a Cisco WLC task name at s (letters,
// digits and '_', as in "spamApTask4") followed by ": ", or 0.
func wlcTask(s string) int {
	i := 0
	for i < len(s) && i < 64 && (isAlnum(s[i]) || s[i] == '_') {
		i++
	}
	if i == 0 || !isAlpha(s[0]) || i+1 >= len(s) || s[i] != ':' || s[i+1] != ' ' {
		return 0
	}
	return i
}

// ipv6Host returns the length of an IPv6 address at s followed by ": ",
// or 0.
func ipv6Host(s string) int {
	i, colons := 0, 0
	for i < len(s) && i < 46 && (isHex(s[i]) || s[i] == ':' || s[i] == '.') {
		if s[i] == ':' {
			colons++
		}
		i++
	}
	// the run ends with the header's ':' and a space
	if colons < 3 || i+1 > len(s) || i < 2 || s[i-1] != ':' || i >= len(s) || s[i] != ' ' {
		return 0
	}
	a, err := netip.ParseAddr(s[:i-1])
	if err != nil || !a.Is6() {
		return 0
	}
	return i - 1
}

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

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
// may be empty. Without such a digit, the Cisco small-business switches'
// "%FAC-L-MNEMONIC" is read, L a letter of smallBizSeverity.
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
	if prevDash || firstDash < 2 || !isAlnum(s[1]) {
		return t, false
	}
	sev := 0
	switch {
	case sevAt >= 0:
		sev = int(s[sevAt] - '0')
	case firstDash+3 < i && s[firstDash+2] == '-' && smallBizSeverity(s[firstDash+1]) >= 0:
		sevAt = firstDash + 1
		sev = smallBizSeverity(s[sevAt])
	default:
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
	t.sev = sev
	t.text = k
	return t, true
}

// smallBizSeverity returns the severity of a small-business switch's
// letter ("%LINK-W-Down", "%SNMP-W-SNMPAUTHFAIL"), or -1: F(atal) 0,
// A(lert) 1, C(ritical) 2, E(rror) 3, W(arning) 4, N(otice) 5, I(nfo) 6,
// D(ebug) 7.
func smallBizSeverity(c byte) int {
	switch c {
	case 'F':
		return 0
	case 'A':
		return 1
	case 'C':
		return 2
	case 'E':
		return 3
	case 'W':
		return 4
	case 'N':
		return 5
	case 'I':
		return 6
	case 'D':
		return 7
	}
	return -1
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

// ipv6Len returns len(s) when s is an IPv6 address, else 0.
func ipv6Len(s string) int {
	if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
		return len(s)
	}
	return 0
}
