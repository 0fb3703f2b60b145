package syslog

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

var t0 = time.Date(2026, 3, 1, 0, 11, 0, 0, time.UTC)

// setup returns a detector for ev on a virtual clock and the list its
// fires go to.
func setup(t *testing.T, ev ds.Event, vars map[string]string) (*Detector, *clock.Virtual, *[]detector.Fired) {
	t.Helper()
	v := clock.NewVirtual(t0)
	var fired []detector.Fired
	d, err := New(ev, detector.Env{Owner: "6030", Clock: v, Vars: vars, Host: "local", Fire: func(f detector.Fired) { fired = append(fired, f) }})
	if err != nil {
		t.Fatal(err)
	}
	return d, v, &fired
}

// deliver parses line and gives it to d if its pattern matches, as the
// Hub's index would.
func deliver(d *Detector, v *clock.Virtual, line string) {
	var m events.Message
	syslogmsg.ParseString(line, v.Now(), &m)
	if d.Regexp().MatchString(m.Body) {
		d.Syslog(&m)
	}
}

const down = "*Mar  1 00:11:00.343: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to down"

func TestOccursPeriodBoundary(t *testing.T) {
	ev := ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: `%LINK-3-UPDOWN: Interface \S+, changed state to down`,
		Occurs: 3, Period: 60 * time.Second, Severity: ds.SeverityAny}

	// 0s, 30s, 60s: the third is exactly one period after the first.
	d, v, fired := setup(t, ev, nil)
	deliver(d, v, down)
	v.Advance(30 * time.Second)
	deliver(d, v, down)
	v.Advance(30 * time.Second)
	if deliver(d, v, down); len(*fired) != 1 {
		t.Fatalf("3 matches within exactly 60s: fired %d times, want 1", len(*fired))
	}
	if f := (*fired)[0]; f.Count != 3 || !f.Time.Equal(t0.Add(60*time.Second)) || f.EventID != "e1" || f.Owner != "6030" {
		t.Errorf("fired %+v", f)
	}

	// 0s, 30s, 60.001s: the first has left the window.
	d, v, fired = setup(t, ev, nil)
	deliver(d, v, down)
	v.Advance(30 * time.Second)
	deliver(d, v, down)
	v.Advance(30*time.Second + time.Millisecond)
	if deliver(d, v, down); len(*fired) != 0 {
		t.Fatalf("3 matches over 60.001s fired")
	}
	// A fourth within 60s of the second completes the count again.
	v.Advance(29 * time.Second)
	if deliver(d, v, down); len(*fired) != 1 {
		t.Fatalf("sliding window: fired %d, want 1", len(*fired))
	}
	// The count starts again after firing.
	deliver(d, v, down)
	deliver(d, v, down)
	if len(*fired) != 1 {
		t.Fatalf("fired again with 2 new matches")
	}
	deliver(d, v, down)
	if len(*fired) != 2 {
		t.Fatalf("3 new matches: fired %d, want 2", len(*fired))
	}
}

func TestSeverityThreshold(t *testing.T) {
	ev := ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: `UPDOWN`, Occurs: 1, Severity: 3} // errors and worse
	d, v, fired := setup(t, ev, nil)
	deliver(d, v, "*Mar  1 00:11:01.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to up")
	if len(*fired) != 0 {
		t.Fatal("severity 5 passed a threshold of 3")
	}
	deliver(d, v, "<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up")
	deliver(d, v, "%LINK-2-UPDOWN: made-up critical")
	if len(*fired) != 2 {
		t.Fatalf("severities 3 and 2: fired %d, want 2", len(*fired))
	}
}

func TestCaptureGroupsAndVars(t *testing.T) {
	ev := ds.Event{ID: "e1", Type: ds.EventSyslog, Severity: ds.SeverityAny,
		Pattern: `%OSPF-5-ADJCHG: Process (\d+), Nbr (\S+) on ${ds_intf} from (\w+) to (\w+)(x)?`}
	d, v, fired := setup(t, ev, map[string]string{"ds_intf": "GigabitEthernet1/0/1"})
	if got := d.Regexp().String(); got != `%OSPF-5-ADJCHG: Process (\d+), Nbr (\S+) on GigabitEthernet1/0/1 from (\w+) to (\w+)(x)?` {
		t.Fatalf("substituted pattern %q", got)
	}
	deliver(d, v, "<189>12: sw01: *Mar  1 00:11:05.000: %OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.2 on GigabitEthernet1/0/2 from FULL to DOWN")
	if len(*fired) != 0 {
		t.Fatal("matched another interface")
	}
	line := "<189>12: sw01: *Mar  1 00:11:05.000: %OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.1 on GigabitEthernet1/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired"
	deliver(d, v, line)
	if len(*fired) != 1 {
		t.Fatalf("fired %d, want 1", len(*fired))
	}
	f := (*fired)[0]
	want := map[string]string{
		"ds_syslog_msg":      "%OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.1 on GigabitEthernet1/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired",
		"ds_syslog_facility": "OSPF", "ds_syslog_severity": "5", "ds_syslog_mnemonic": "ADJCHG", "ds_syslog_host": "sw01",
		"ds_syslog_1": "1", "ds_syslog_2": "10.0.0.1", "ds_syslog_3": "FULL", "ds_syslog_4": "DOWN", "ds_syslog_5": "",
	}
	if len(f.Vars()) != len(want) {
		t.Errorf("vars %v", f.Vars())
	}
	for k, w := range want {
		if f.Vars()[k] != w {
			t.Errorf("%s = %q, want %q", k, f.Vars()[k], w)
		}
	}
	if f.Host != "sw01" || f.Message == nil || f.Message.Raw != line || f.Type != ds.EventSyslog {
		t.Errorf("fired %+v", f)
	}
}

func TestUnresolvedVariable(t *testing.T) {
	_, err := New(ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: `Interface ${ds_intf}`}, detector.Env{})
	if err == nil {
		t.Fatal("no error for an unresolved ${ds_intf}")
	}
	if _, err := New(ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: `(`}, detector.Env{}); err == nil {
		t.Fatal("no error for a bad pattern")
	}
}

func TestStop(t *testing.T) {
	d, v, fired := setup(t, ds.Event{ID: "e1", Pattern: `UPDOWN`, Severity: ds.SeverityAny}, nil)
	d.Stop()
	deliver(d, v, down)
	if len(*fired) != 0 {
		t.Fatal("fired after Stop")
	}
}
