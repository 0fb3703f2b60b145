package eem_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

func FuzzParseEvent(f *testing.F) {
	for _, line := range []string{
		`event syslog pattern "OSPF-5-ADJCHG" occurs 2 period 30`,
		`event tag e1 syslog occurs 3 period 30.5 priority errors severity-major pattern "x ${ds_a}" ratelimit 60 maxrun 90`,
		`event timer cron cron-entry "0 * * * *" name hourly`,
		`event timer watchdog time 300`,
		`event timer countdown time 0.5`,
		`event timer absolute time 0`,
		`event oir`,
		`event config pattern "^interface"`,
		`event none`,
		`event track 10 state up`,
		`event cli pattern "^show run" sync no skip no occurs 2 period 10`,
		`event syslog pattern "a\"b\\"`,
		`event syslog pattern "unterminated`,
		`event timer cron cron-entry "TZ=x"`,
		`event sislog`,
		`event syslog pattern "\n\t\\\"\q\d"`,
		`event syslog pattern "ends in a backslash\`,
		`event timer watchdog time 60 name wd ratelimit 120 maxrun 5`,
		`event none sync yes default 30`,
		`event counter name "a b" entry-op ge entry-val -5 exit-comb and exit-op lt exit-val 2 exit-time 1.5`,
		`event snmp oid 1.3.6.1.2.1.1.3.0 get-type next entry-op gt entry-val 1 entry-type rate poll-interval 5`,
		`event routing network 2001:db8::/32 ge 48 le 64 type modify protocol bgp`,
		`event interface name Gi1/0/1 parameter rxload entry-op gt entry-val 1 exit-event true poll-interval 5`,
		`event neighbor-discovery interface regexp "Gi.*" cdp add lldp all`,
	} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ev, err := types.ParseEEM(line)
		if err != nil {
			var se *eem.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *eem.SyntaxError", err)
			}
			if se.Offset < 0 || se.Offset > len(line) || se.Msg == "" {
				t.Fatalf("bad error %+v for a %d-byte line", se, len(line))
			}
			return
		}
		if ev.Type == "" || ev.EEMLine == "" {
			t.Fatalf("accepted %q as %+v", line, ev)
		}
		// The kept line parses again into the same event.
		again, err := types.ParseEEM(ev.EEMLine)
		if err != nil || !reflect.DeepEqual(again, ev) {
			t.Fatalf("EEMLine %q parses to %+v, %v; want %+v", ev.EEMLine, again, err, ev)
		}
	})
}

// FuzzFields checks the lexer on any line: words in order, each at an
// offset of the line (a quoted word's at its opening quote), and a word
// without quotes exactly the line's text there.
func FuzzFields(f *testing.F) {
	for _, line := range []string{
		`event syslog pattern "a b\"c" x`,
		`"\n\t\\\q"`,
		`"\`,
		`""""`,
		"a\tb\n\"c\\\"",
		`x"y z"`,
	} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fields, err := eem.Fields(line)
		if err != nil {
			var se *eem.SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset >= len(line) || line[se.Offset] != '"' {
				t.Fatalf("error %v for %q", err, line)
			}
			return
		}
		last := -1
		for _, w := range fields {
			if w.Offset <= last || w.Offset >= len(line) {
				t.Fatalf("word %+v out of order or outside %q", w, line)
			}
			last = w.Offset
			switch {
			case w.Quoted && line[w.Offset] != '"':
				t.Fatalf("quoted word %+v does not start at a quote in %q", w, line)
			case w.Quoted && len(w.Text) > len(line)-w.Offset-2:
				t.Fatalf("quoted word %+v longer than the rest of %q", w, line)
			case !w.Quoted && (w.Text == "" || line[w.Offset:w.Offset+len(w.Text)] != w.Text):
				t.Fatalf("word %+v is not the text of %q at its offset", w, line)
			}
		}
	})
}
