package config

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

var t0 = time.Date(2022, 1, 6, 20, 52, 12, 0, time.UTC)

func TestIsChange(t *testing.T) {
	for line, want := range map[string]bool{
		"Sep  6 09:13:00 RouterName 82: Sep  6 14:12:56.872: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1)": true,
		"<189>2360957: Jan  6 2022 20:52:12.861: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)":            true,
		"%SYS-5-CONFIG_P: Configured programmatically by process iosp_vty_100001_dmi_nesd from console as NETCONF on vty31266":      true,
		"%SYS-5-RESTART: System restarted --":                                  false,
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up": false,
	} {
		var m events.Message
		syslogmsg.ParseString(line, t0, &m)
		if got := IsChange(&m); got != want {
			t.Errorf("IsChange(%q) = %v", line, got)
		}
	}
}

func TestDetectorPattern(t *testing.T) {
	var fired []detector.Fired
	d, err := New(ds.Event{ID: "c1", Type: ds.EventConfig, Pattern: `by (\w+) on ${ds_line}`},
		detector.Env{Owner: "x", Host: "local", Vars: map[string]string{"ds_line": "vty0"}, Fire: func(f detector.Fired) { fired = append(fired, f) }})
	if err != nil {
		t.Fatal(err)
	}
	var m events.Message
	syslogmsg.ParseString("<189>: sw01: Jan  6 2022 21:01:34.964: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)", t0, &m)
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: m.Text, Host: m.Host, Message: &m})
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: "Configured from console by admin on vty1 (192.0.2.10)"})
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: FileLine("/etc/dsengine/dsengine.conf"), Path: "/etc/dsengine/dsengine.conf"})
	if len(fired) != 1 {
		t.Fatalf("fired %d times, want 1", len(fired))
	}
	f := fired[0]
	if f.Payload.(Fire).Line != "Configured from console by admin on vty0 (192.0.2.10)" || f.Host != "sw01" || f.Vars()["ds_syslog_1"] != "admin" ||
		f.Vars()["ds_syslog_mnemonic"] != "CONFIG_I" || f.Message == nil || f.Message == &m {
		t.Errorf("fired %+v", f)
	}

	// Without a pattern, every change fires, file changes included.
	fired = nil
	d, _ = New(ds.Event{ID: "c2", Type: ds.EventConfig}, detector.Env{Host: "local", Fire: func(f detector.Fired) { fired = append(fired, f) }})
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: FileLine("/etc/x.conf"), Path: "/etc/x.conf"})
	if len(fired) != 1 || fired[0].Payload.(Fire).Path != "/etc/x.conf" || fired[0].Payload.(Fire).Line != "file /etc/x.conf changed" || fired[0].Host != "local" {
		t.Errorf("fired %+v", fired)
	}
	if _, err := New(ds.Event{ID: "c3", Pattern: "(("}, detector.Env{}); err == nil {
		t.Error("no error for a bad pattern")
	}
}
