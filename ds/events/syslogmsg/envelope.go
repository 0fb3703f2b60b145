package syslogmsg

import (
	"time"

	"github.com/dsengine/dsengine/ds/events"
)

// parse5424 reads an RFC 5424 header after the PRI:
// VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG].
// It is lenient about field lengths and characters, strict about the
// structure; on failure it changes nothing in m.
func parse5424(s string, m *events.Message) (msg string, ok bool) {
	i := 0
	for i < len(s) && i < 3 && isDigit(s[i]) {
		i++
	}
	if i == 0 || s[0] == '0' || i >= len(s) || s[i] != ' ' {
		return "", false
	}
	i++
	var (
		ts      time.Time
		zone    string
		hasTime bool
	)
	switch {
	case i < len(s) && s[i] == '-':
		i++
	default:
		t, z, n := parseRFC3339(s[i:])
		if n == 0 {
			return "", false
		}
		ts, zone, hasTime = t, z, true
		i += n
	}
	var fields [4]string // hostname, app-name, procid, msgid
	for f := range fields {
		if i >= len(s) || s[i] != ' ' {
			return "", false
		}
		i++
		j := i
		for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
			j++
		}
		if j == i {
			return "", false
		}
		if tok := s[i:j]; tok != "-" {
			fields[f] = tok
		}
		i = j
	}
	if i >= len(s) || s[i] != ' ' {
		return "", false
	}
	i++
	var sd string
	switch {
	case i < len(s) && s[i] == '-':
		i++
	case i < len(s) && s[i] == '[':
		end := scanSD(s, i)
		if end < 0 {
			return "", false
		}
		sd, i = s[i:end], end
	default:
		return "", false
	}
	if i < len(s) {
		if s[i] != ' ' {
			return "", false
		}
		i++
	}
	msg = s[i:]
	if len(msg) >= 3 && msg[0] == 0xEF && msg[1] == 0xBB && msg[2] == 0xBF {
		msg = msg[3:]
	}
	m.Format = events.FormatRFC5424
	m.Host, m.AppName, m.ProcID, m.MsgID = fields[0], fields[1], fields[2], fields[3]
	m.StructuredData = sd
	if hasTime {
		m.Time, m.Zone, m.TimeFrom = ts, zone, events.TimeEnvelope
	}
	return msg, true
}

// scanSD returns the index after the SD-ELEMENTs starting at s[i] == '[',
// or -1 when they are malformed. Values may hold any byte; '\' escapes the
// next one.
func scanSD(s string, i int) int {
	for i < len(s) && s[i] == '[' {
		i++
		start := i
		for i < len(s) && s[i] != ' ' && s[i] != ']' && s[i] != '"' && s[i] != '=' {
			i++
		}
		if i == start {
			return -1
		}
		for {
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i >= len(s) {
				return -1
			}
			if s[i] == ']' {
				i++
				break
			}
			start = i
			for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != ']' && s[i] != '"' {
				i++
			}
			if i == start || i+1 >= len(s) || s[i] != '=' || s[i+1] != '"' {
				return -1
			}
			i += 2
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(s) {
				return -1
			}
			i++ // closing quote
		}
	}
	return i
}

// parse3164 reads an RFC 3164 header, "Mmm dd hh:mm:ss HOST " or
// "RFC3339-TIMESTAMP HOST ", as relays and collectors write it (with or
// without a PRI before it); a stamp without a zone is read in loc (see
// stamp.time). A stamp followed by ':' is the device's own
// Cisco stamp, not an envelope, and so is a "HOST" that ends with ':'.
func parse3164(s string, received time.Time, loc *time.Location, m *events.Message) (msg string, ok bool) {
	var (
		t    time.Time
		zone string
		n    int
	)
	if len(s) > 0 && isDigit(s[0]) {
		t, zone, n = parseRFC3339(s)
	} else {
		var st stamp
		if n = parseBSDStamp(s, &st); n > 0 {
			t, _ = st.time(received, loc)
		}
	}
	if n == 0 || n >= len(s) || s[n] != ' ' {
		return "", false
	}
	i := n + 1
	j := i
	for j < len(s) && s[j] > ' ' && j-i < 256 {
		j++
	}
	if j == i || s[j-1] == ':' || (j < len(s) && s[j] != ' ') {
		return "", false
	}
	m.Format = events.FormatRFC3164
	m.Host = s[i:j]
	m.Time, m.Zone, m.TimeFrom = t, zone, events.TimeEnvelope
	if j < len(s) {
		j++
	}
	return s[j:], true
}

// parseAppTag reads an RFC 3164 TAG, "app: " or "app[pid]: " (the IOS XR
// process has the same shape), and returns the length read including the
// colon and the spaces after it, or n = 0.
func parseAppTag(s string) (app, pid string, n int) {
	i := 0
	for i < len(s) && i < 64 && s[i] > ' ' && s[i] != ':' && s[i] != '[' && s[i] != ']' && s[i] != '%' && s[i] != 0x7f {
		i++
	}
	if i == 0 || i >= len(s) {
		return "", "", 0
	}
	app = s[:i]
	if s[i] == '[' {
		j := i + 1
		for j < len(s) && j-i <= 128 && s[j] != ']' && s[j] > ' ' {
			j++
		}
		if j >= len(s) || s[j] != ']' || j == i+1 {
			return "", "", 0
		}
		pid = s[i+1 : j]
		i = j + 1
	}
	if i >= len(s) || s[i] != ':' {
		return "", "", 0
	}
	i++
	if i < len(s) && s[i] != ' ' {
		return "", "", 0
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return app, pid, i
}
