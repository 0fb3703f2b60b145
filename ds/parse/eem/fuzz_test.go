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
