package syslogdata

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
)

// Kinds of generated pattern.
const (
	KindTagText   = "tag-text"   // "%FAC-SEV-MNEMONIC: specific text", quoted
	KindTagRegexp = "tag-regexp" // a tag with regular-expression parts
	KindText      = "text"       // a literal text with no tag
	KindFold      = "fold"       // case-insensitive
	KindNoLiteral = "no-literal" // no literal of three bytes: runs on every line
)

// Pattern is one generated syslog pattern (RE2 syntax that Perl reads the
// same way).
type Pattern struct {
	ID     int
	Kind   string
	Regexp string
}

// message is one kind of IOS message: its tag and a text generator.
type message struct {
	tag    string
	weight int
	text   func(r *rand.Rand) string
	// pattern returns a tag-specific pattern of the given kind, or "".
	pattern func(r *rand.Rand, kind string) string
}

func intf(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("GigabitEthernet1/0/%d", 1+r.IntN(48))
	case 1:
		return fmt.Sprintf("GigabitEthernet2/0/%d", 1+r.IntN(48))
	case 2:
		return fmt.Sprintf("TenGigabitEthernet1/1/%d", 1+r.IntN(8))
	}
	return fmt.Sprintf("FastEthernet0/%d", r.IntN(24))
}

func ip(r *rand.Rand) string {
	return fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(32), 1+r.IntN(254))
}

func mac(r *rand.Rand) string {
	return fmt.Sprintf("%04x.%04x.%04x", r.IntN(0x10000), r.IntN(0x10000), r.IntN(0x10000))
}

func user(r *rand.Rand) string {
	return [...]string{"admin", "netops", "jdoe", "backup", "monitor", "root", "cisco"}[r.IntN(7)]
}

func pick(r *rand.Rand, s ...string) string { return s[r.IntN(len(s))] }

var q = regexp.QuoteMeta

// messages is the mix of real IOS messages; weights are per 1,000 lines.
func messages() []message {
	return []message{
		{"LINK-3-UPDOWN", 90, func(r *rand.Rand) string {
			return fmt.Sprintf("Interface %s, changed state to %s", intf(r), pick(r, "up", "down", "down", "administratively down"))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%LINK-3-UPDOWN: Interface %s, changed state to down", intf(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%LINK-3-UPDOWN: Interface (Gigabit|TenGigabit)Ethernet%d/0/%d, changed state to (down|administratively down)`, 1+r.IntN(2), 1+r.IntN(48))
			}
			return ""
		}},
		{"LINEPROTO-5-UPDOWN", 90, func(r *rand.Rand) string {
			return fmt.Sprintf("Line protocol on Interface %s, changed state to %s", intf(r), pick(r, "up", "down"))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%LINEPROTO-5-UPDOWN: Line protocol on Interface %s, changed state to down", intf(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%LINEPROTO-5-UPDOWN: Line protocol on Interface \S+%d/0/%d, changed state to \w+`, 1+r.IntN(2), 1+r.IntN(48))
			}
			return ""
		}},
		{"SYS-5-CONFIG_I", 40, func(r *rand.Rand) string {
			return fmt.Sprintf("Configured from console by %s on vty%d (%s)", user(r), r.IntN(5), ip(r))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%SYS-5-CONFIG_I: Configured from console by %s on vty", user(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%SYS-5-CONFIG_I: Configured from console by %s on vty[0-4] \(10\.%d\.\d+\.\d+\)`, user(r), r.IntN(4))
			}
			return ""
		}},
		{"SEC_LOGIN-5-LOGIN_SUCCESS", 40, func(r *rand.Rand) string {
			return fmt.Sprintf("Login Success [user: %s] [Source: %s] [localport: 22] at 14:%02d:%02d UTC Mon Nov 23 2026", user(r), ip(r), r.IntN(60), r.IntN(60))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: %s] [Source: %s]", user(r), ip(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success \[user: %s\] \[Source: 10\.%d\.[0-9]+\.[0-9]+\]`, user(r), r.IntN(4))
			}
			return ""
		}},
		{"SEC_LOGIN-4-LOGIN_FAILED", 20, func(r *rand.Rand) string {
			return fmt.Sprintf("Login failed [user: %s] [Source: %s] [localport: 22] [Reason: Login Authentication Failed] at 14:%02d:%02d UTC", user(r), ip(r), r.IntN(60), r.IntN(60))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: %s]", user(r)))
			case KindTagRegexp:
				return `%SEC_LOGIN-4-LOGIN_FAILED: Login failed \[user: \w+\] \[Source: ` + fmt.Sprintf(`10\.%d\.%d\.\d+\]`, r.IntN(4), r.IntN(32))
			case KindFold:
				return fmt.Sprintf(`(?i)login failed \[user: %s\].*reason: login authentication failed`, user(r))
			}
			return ""
		}},
		{"OSPF-5-ADJCHG", 40, func(r *rand.Rand) string {
			return fmt.Sprintf("Process %d, Nbr %s on %s from %s", 1+r.IntN(3), ip(r), intf(r),
				pick(r, "LOADING to FULL, Loading Done", "FULL to DOWN, Neighbor Down: Dead timer expired", "FULL to DOWN, Neighbor Down: Interface down or detached", "EXSTART to DOWN, Neighbor Down: Too many retransmissions"))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%OSPF-5-ADJCHG: Process %d, Nbr %s on", 1+r.IntN(3), ip(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%OSPF-5-ADJCHG: Process \d+, Nbr 10\.%d\.%d\.\d+ on \S+ from FULL to DOWN`, r.IntN(4), r.IntN(32))
			case KindText:
				return `Neighbor Down: ` + pick(r, "Dead timer expired", "Too many retransmissions", "Interface down or detached")
			}
			return ""
		}},
		{"BGP-5-ADJCHANGE", 25, func(r *rand.Rand) string {
			return fmt.Sprintf("neighbor %s %s", ip(r), pick(r, "Up", "Down BGP Notification sent", "Down Peer closed the session", "Down Hold time expired"))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%BGP-5-ADJCHANGE: neighbor %s Down", ip(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%BGP-5-ADJCHANGE: neighbor 10\.%d\.%d\.[0-9]+ Down (BGP Notification sent|Hold time expired)`, r.IntN(4), r.IntN(32))
			case KindFold:
				return fmt.Sprintf(`(?i)%%bgp-5-adjchange: neighbor 10\.%d\.\d+\.\d+ down`, r.IntN(4))
			}
			return ""
		}},
		{"DUAL-5-NBRCHANGE", 25, func(r *rand.Rand) string {
			return fmt.Sprintf("EIGRP-IPv4 %d: Neighbor %s (%s) is %s", 100+r.IntN(3), ip(r), intf(r), pick(r, "up: new adjacency", "down: holding time expired", "down: interface down", "resync: peer graceful-restart"))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%DUAL-5-NBRCHANGE: EIGRP-IPv4 %d: Neighbor %s", 100+r.IntN(3), ip(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%DUAL-5-NBRCHANGE: EIGRP-IPv4 10%d: Neighbor [0-9.]+ \(\S+\) is down: (holding time expired|interface down)`, r.IntN(3))
			}
			return ""
		}},
		{"ILPOWER-5-POWER_GRANTED", 15, func(r *rand.Rand) string {
			return fmt.Sprintf("Interface %s: Power granted", intf(r))
		}, nil},
		{"ILPOWER-7-DETECT", 15, func(r *rand.Rand) string {
			return fmt.Sprintf("Interface %s: Power Device detected: IEEE PD", intf(r))
		}, nil},
		{"ILPOWER-5-IEEE_DISCONNECT", 10, func(r *rand.Rand) string {
			return fmt.Sprintf("Interface %s: PD removed", intf(r))
		}, func(r *rand.Rand, kind string) string {
			if kind == KindTagText {
				return q(fmt.Sprintf("%%ILPOWER-5-IEEE_DISCONNECT: Interface %s: PD removed", intf(r)))
			}
			return ""
		}},
		{"SW_MATM-4-MACFLAP_NOTIF", 20, func(r *rand.Rand) string {
			return fmt.Sprintf("Host %s in vlan %d is flapping between port %s and port %s", mac(r), 1+r.IntN(200), intf(r), intf(r))
		}, func(r *rand.Rand, kind string) string {
			switch kind {
			case KindTagText:
				return q(fmt.Sprintf("%%SW_MATM-4-MACFLAP_NOTIF: Host %s in vlan", mac(r)))
			case KindTagRegexp:
				return fmt.Sprintf(`%%SW_MATM-4-MACFLAP_NOTIF: Host [0-9a-f.]+ in vlan %d is flapping`, 1+r.IntN(200))
			case KindText:
				return fmt.Sprintf(`is flapping between port %s`, q(intf(r)))
			}
			return ""
		}},
		{"CDP-4-NATIVE_VLAN_MISMATCH", 10, func(r *rand.Rand) string {
			return fmt.Sprintf("Native VLAN mismatch discovered on %s (%d), with sw%02d %s (%d).", intf(r), 1+r.IntN(10), r.IntN(50), intf(r), 1+r.IntN(10))
		}, nil},
		{"PM-4-ERR_DISABLE", 5, func(r *rand.Rand) string {
			return fmt.Sprintf("%s error detected on %s, putting %s in err-disable state", pick(r, "bpduguard", "link-flap", "psecure-violation"), intf(r), intf(r))
		}, func(r *rand.Rand, kind string) string {
			if kind == KindTagRegexp {
				return `%PM-4-ERR_DISABLE: (bpduguard|link-flap) error detected on \S+, putting \S+ in err-disable state`
			}
			return ""
		}},
		{"SPANTREE-2-BLOCK_BPDUGUARD", 3, func(r *rand.Rand) string {
			return fmt.Sprintf("Received BPDU on port %s with BPDU Guard enabled. Disabling port.", intf(r))
		}, nil},
		{"SYS-2-MALLOCFAIL", 1, func(r *rand.Rand) string {
			return fmt.Sprintf("Memory allocation of %d bytes failed from 0x%08X, alignment 0", 1<<(10+r.IntN(8)), r.Uint32())
		}, nil},
		{"DOT1X-5-FAIL", 15, func(r *rand.Rand) string {
			return fmt.Sprintf("Authentication failed for client (%s) on Interface %s AuditSessionID 0A0A%012X", mac(r), intf(r), r.Uint64()&0xffffffffffff)
		}, func(r *rand.Rand, kind string) string {
			if kind == KindFold {
				return fmt.Sprintf(`(?i)authentication failed for client \(%s\)`, mac(r))
			}
			return ""
		}},
		{"IOSXE-6-PLATFORM", 10, func(r *rand.Rand) string {
			return fmt.Sprintf("R0/0: cpp_cp: QFP:0.0 Thread:%03d TS:%020d %%FW-6-SESS_AUDIT_TRAIL: (target:class)-(zone:zp):-:%d SIS_CLOSED tcp %s:%d -> %s:443", r.IntN(100), r.Uint64()>>2, r.IntN(10), ip(r), 1024+r.IntN(60000), ip(r))
		}, func(r *rand.Rand, kind string) string {
			if kind == KindTagRegexp {
				return fmt.Sprintf(`%%FW-6-SESS_AUDIT_TRAIL: .* tcp 10\.%d\.%d\.\d+:\d+ ->`, r.IntN(4), r.IntN(32))
			}
			return ""
		}},
	}
}

// synthetic is the number of synthetic facilities FAC1..FACn.
const synthetic = 300

func syntheticTag(fac, mnem, sev int) string {
	return fmt.Sprintf("FAC%d-%d-EVENT_%d", fac, sev, mnem)
}

func syntheticText(r *rand.Rand, mnem int) string {
	return fmt.Sprintf("Synthetic event %d on %s value %d from %s", mnem, intf(r), r.IntN(100000), ip(r))
}

// Lines returns n syslog lines as IOS devices, relays and collectors write
// them, starting at start, one second apart on average. The lines share one
// backing array.
func Lines(n int, seed uint64, start time.Time) [][]byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	msgs := messages()
	total := 0
	for _, m := range msgs {
		total += m.weight
	}
	buf := make([]byte, 0, n*150)
	ends := make([]int, n)
	t := start
	seq := uint64(r.IntN(1000000))
	for i := 0; i < n; i++ {
		t = t.Add(time.Duration(r.IntN(2000)) * time.Millisecond)
		seq++
		var tag, text string
		var sev int
		if w := r.IntN(1000); w < total {
			for _, m := range msgs {
				if w < m.weight {
					tag, text = m.tag, m.text(r)
					break
				}
				w -= m.weight
			}
			fmt.Sscanf(strings.Split(tag, "-")[len(strings.Split(tag, "-"))-2], "%d", &sev)
		} else if w < 985 {
			fac, mnem := 1+r.IntN(synthetic), r.IntN(5)
			sev = 2 + (fac+mnem)%6
			tag, text = syntheticTag(fac, mnem, sev), syntheticText(r, mnem)
		} else {
			text = pick(r, "last message repeated 66 times", "NTP Core (NOTICE): Clock synchronization lost.",
				"Pool: Processor  Free: 120  Cause: Not enough free memory", "-Traceback= 1A2B3C 4D5E6F 7A8B9C")
		}
		body := text
		if tag != "" {
			body = "%" + tag + ": " + text
		}
		host := fmt.Sprintf("sw%03d", r.IntN(200))
		pri := 23*8 + sev
		stamp := t.Format("Jan _2 15:04:05.000")
		switch v := r.IntN(100); {
		case v < 40:
			buf = fmt.Appendf(buf, "<%d>%d: *%s UTC: %s", pri, seq, stamp, body)
		case v < 60:
			buf = fmt.Appendf(buf, "<%d>%d: %s: %06d: %s: %s", pri, seq, host, seq+7, stamp, body)
		case v < 75:
			buf = fmt.Appendf(buf, "%s %s %d: %s: %s", t.Format(time.Stamp), host, seq, stamp, body)
		case v < 85:
			// APP-NAME, PROCID, MSGID and STRUCTURED-DATA nil, as rsyslog relays it.
			buf = fmt.Appendf(buf, "<%d>1 %s %s - - - - %s", pri, t.Format("2006-01-02T15:04:05.000000Z07:00"), host, body)
		case v < 90:
			buf = fmt.Appendf(buf, "<%d>%d: %dd%02dh: %s", pri, seq, r.IntN(30), r.IntN(24), body)
		case v < 95:
			buf = fmt.Appendf(buf, "<%d>%d: .%s: %s", pri, seq, stamp, body)
		default:
			buf = append(buf, body...)
		}
		ends[i] = len(buf)
	}
	lines := make([][]byte, n)
	prev := 0
	for i, e := range ends {
		lines[i] = buf[prev:e:e]
		prev = e
	}
	return lines
}

// Patterns returns n patterns in a realistic mix: mostly a tag with specific
// text, some with regular-expression parts, a few text-only and
// case-insensitive ones, and noLiteral of them (a fraction, e.g. 0.02)
// without a usable literal.
func Patterns(n int, seed uint64, noLiteral float64) []Pattern {
	r := rand.New(rand.NewPCG(seed, 0xda7a))
	msgs := messages()
	out := make([]Pattern, 0, n)
	nNo := int(float64(n)*noLiteral + 0.5)
	for i := 0; i < nNo; i++ {
		out = append(out, Pattern{len(out), KindNoLiteral, noLiteralPattern(r, i)})
	}
	for len(out) < n {
		kind := KindTagText
		switch v := r.IntN(100); {
		case v < 25:
			kind = KindTagRegexp
		case v < 33:
			kind = KindText
		case v < 38:
			kind = KindFold
		}
		var re string
		if r.IntN(100) < 45 {
			m := msgs[r.IntN(len(msgs))]
			if m.pattern != nil {
				re = m.pattern(r, kind)
			}
		} else {
			fac, mnem := 1+r.IntN(synthetic), r.IntN(5)
			sev := 2 + (fac+mnem)%6
			switch kind {
			case KindTagText:
				re = q(fmt.Sprintf("%%%s: Synthetic event %d on %s", syntheticTag(fac, mnem, sev), mnem, intf(r)))
			case KindTagRegexp:
				re = fmt.Sprintf(`%%FAC%d-[0-7]-EVENT_%d: Synthetic event \d+ on \S+ value 9\d{3}\b`, fac, mnem)
			case KindText:
				re = fmt.Sprintf(`value %d from 10\.%d\.`, r.IntN(100000), r.IntN(4))
			case KindFold:
				re = fmt.Sprintf(`(?i)%%fac%d-\d-event_%d: synthetic event`, fac, mnem)
			}
		}
		if re == "" {
			continue
		}
		out = append(out, Pattern{len(out), kind, re})
	}
	return out
}

// noLiteralPattern returns the i-th pattern without a literal of three bytes:
// severity filters, address shapes, interface numbers, catch-alls, each
// with a varying part so that no two are the same.
func noLiteralPattern(r *rand.Rand, i int) string {
	switch i % 8 {
	case 0:
		return fmt.Sprintf(`^%%[A-Z_]+-[0-%d]`, i%3)
	case 1:
		return fmt.Sprintf(`(?i)^%%s\w{1,%d}-\d-`, 2+i)
	case 2:
		return fmt.Sprintf(`Gi\d/\d/\d{1,2}\b.{%d}`, 10+r.IntN(40))
	case 3:
		return fmt.Sprintf(`^.{%d,}$`, 300+i)
	case 4:
		return fmt.Sprintf(`\b[0-9a-f]{4}\.[0-9a-f]{4}\.%x[0-9a-f]{3}\b`, r.IntN(16))
	case 5:
		return fmt.Sprintf(`\d+\.\d+\.\d+\.\d+:%d\d{3}\b`, 1+r.IntN(9))
	case 6:
		return fmt.Sprintf(`^[^%%].{0,%d}$`, 20+i)
	}
	return fmt.Sprintf(`\s\d{%d,}\s`, 6+i%3)
}

// WriteLines writes lines, one a line.
func WriteLines(w io.Writer, lines [][]byte) error {
	bw := bufio.NewWriter(w)
	for _, l := range lines {
		bw.Write(l)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WritePatterns writes patterns as "id<TAB>kind<TAB>regexp" lines.
func WritePatterns(w io.Writer, patterns []Pattern) error {
	bw := bufio.NewWriter(w)
	for _, p := range patterns {
		fmt.Fprintf(bw, "%d\t%s\t%s\n", p.ID, p.Kind, p.Regexp)
	}
	return bw.Flush()
}
