package syslogmsg_test

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/syslog"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

// TestInnerTagThroughDetector: a DS pattern written for the tag IOS XE
// wraps in %IOSXE-6-PLATFORM matches, through the syslog detector as the
// hub feeds it (the pattern on Body), and a severity threshold the outer
// tag fails passes on the inner one.
func TestInnerTagThroughDetector(t *testing.T) {
	const wrapped = "<190>1234: Nov 23 14:56:01.208: %IOSXE-6-PLATFORM: R0/0: cpp_cp: QFP:0.0 Thread:000 TS:00000000000000000000 %FW-3-DROP_PKT: Dropping tcp pkt from GigabitEthernet0/0/1 192.0.2.10:51234"
	for _, c := range []struct {
		name    string
		pattern string
		sev     ds.Severity
		fires   int
	}{
		{"inner tag", `%FW-3-DROP_PKT: Dropping tcp pkt from (\S+)`, ds.SeverityAny, 1},
		{"inner tag, errors only", `%FW-3-DROP_PKT: Dropping tcp pkt from (\S+)`, 3, 1},
		{"outer tag", `%IOSXE-6-PLATFORM: `, ds.SeverityAny, 1},
		{"critical only", `%FW-3-DROP_PKT`, 2, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := clock.NewVirtual(time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC))
			var fired []detector.Fired
			d, err := syslog.New(ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: c.pattern, Severity: c.sev},
				detector.Env{Owner: "1", Clock: v, Host: "local", Fire: func(f detector.Fired) { fired = append(fired, f) }})
			if err != nil {
				t.Fatal(err)
			}
			var m events.Message
			syslogmsg.ParseString(wrapped, v.Now(), &m)
			if d.Regexp().MatchString(m.Body) { // as the hub's index does
				d.Syslog(&m)
			}
			if len(fired) != c.fires {
				t.Fatalf("fired %d times, want %d", len(fired), c.fires)
			}
			if c.fires > 0 && c.pattern[1] == 'F' {
				if got := fired[0].Payload.(syslog.Fire).Values["ds_syslog_1"]; got != "GigabitEthernet0/0/1" {
					t.Errorf("ds_syslog_1 = %q", got)
				}
			}
		})
	}
}
