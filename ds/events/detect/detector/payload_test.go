package detector_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/cli"
	"github.com/dsengine/dsengine/ds/events/detect/config"
	"github.com/dsengine/dsengine/ds/events/detect/counter"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/immediate"
	"github.com/dsengine/dsengine/ds/events/detect/none"
	"github.com/dsengine/dsengine/ds/events/detect/oir"
	"github.com/dsengine/dsengine/ds/events/detect/periodic"
	"github.com/dsengine/dsengine/ds/events/detect/syslog"
	"github.com/dsengine/dsengine/ds/events/detect/track"
	"github.com/dsengine/dsengine/ds/events/detect/types"
)

// TestPayloads pins what each type's fire says of itself: the one-line
// text and event_reqinfo() fields the registry gives the engine, the
// applet $_ variables and the ds_ variables, as they were when a switch
// on the type in the registry and in the applet runtime built them. A
// syslog message behind a fire describes it, whatever its type.
func TestPayloads(t *testing.T) {
	at := time.Date(2026, 11, 23, 14, 46, 17, 0, time.UTC)
	msg := &events.Message{Body: "%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled"}
	base := func(typ ds.EventType, p detector.Payload) detector.Fired {
		return detector.Fired{Owner: "6030", EventID: "e1", Type: typ, Time: at, Host: "edge-1", Count: 1, Payload: p}
	}
	withMsg := func(f detector.Fired) detector.Fired { f.Message, f.Host = msg, "rtr"; return f }
	info := func(typ string, kv ...string) map[string]string {
		m := map[string]string{"event_id": "e1", "event_type": typ, "event_pub_sec": "1795445177",
			"event_pub_time": "Mon Nov 23 14:46:17 2026"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	builtins := func(typ string, kv ...string) map[string]string {
		m := map[string]string{"_event_id": "e1", "_event_type": typ, "_event_type_string": typ, "_event_pub_sec": "1795445177",
			"_event_pub_msec": "0", "_event_pub_time": "Mon Nov 23 14:46:17 2026"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	syslogVars := map[string]string{"ds_syslog_msg": "m", "ds_syslog_1": "Gi1/0/1"}
	cases := []struct {
		name     string
		f        detector.Fired
		text     string
		info     map[string]string
		builtins map[string]string
		vars     map[string]string
	}{
		{"syslog", withMsg(base(ds.EventSyslog, syslog.Fire{Values: syslogVars})), msg.Body,
			info("syslog", "msg", msg.Body, "host", "rtr"), builtins("syslog", "_syslog_msg", msg.Body), syslogVars},
		{"periodic", base(ds.EventPeriodic, periodic.Fire{Timer: ds.TimerCron, Name: "hourly", Time: at, Remain: time.Hour}), "timer cron",
			info("periodic", "timer_type", "cron", "timer_time_sec", "1795445177", "timer_time_msec", "0",
				"timer_remain_sec", "3600", "timer_remain_msec", "0", "name", "hourly"),
			builtins("periodic", "_event_type_string", "timer cron", "_timer_type", "cron", "_timer_time", "1795445177.000",
				"_timer_remain", "3600.000", "_timer_name", "hourly"), nil},
		{"interval", base(ds.EventPeriodic, periodic.Fire{Timer: ds.TimerInterval, Time: at.Add(250 * time.Millisecond), Remain: 1500 * time.Millisecond}), "timer interval",
			info("periodic", "timer_type", "interval", "timer_time_sec", "1795445177", "timer_time_msec", "250",
				"timer_remain_sec", "1", "timer_remain_msec", "500"),
			builtins("periodic", "_event_type_string", "timer watchdog", "_timer_type", "interval", "_timer_time", "1795445177.250",
				"_timer_remain", "1.500"), nil},
		{"counter", base(ds.EventCounter, counter.Fire{Name: "flaps", Value: -3}), "counter flaps -3",
			info("counter", "name", "flaps", "value", "-3"),
			builtins("counter", "_counter_name", "flaps", "_counter_value_remain", "-3"), nil},
		{"oir injected", base(ds.EventOIR, oir.Fire{Slot: 3, SlotName: "3", Action: "remove"}), "slot 3 remove",
			info("oir", "slot", "3", "event", "remove"), builtins("oir", "_oir_slot", "3", "_oir_event", "remove"), nil},
		{"oir from a message", withMsg(base(ds.EventOIR, oir.Fire{Slot: 3, SlotName: "3", Action: "remove"})), msg.Body,
			info("oir", "msg", msg.Body, "host", "rtr"),
			builtins("oir", "_syslog_msg", msg.Body, "_oir_slot", "3", "_oir_event", "remove"), nil},
		{"config file", base(ds.EventConfig, config.Fire{Line: "file /etc/x.conf changed", Path: "/etc/x.conf"}), "file /etc/x.conf changed",
			info("config", "msg", "file /etc/x.conf changed"), builtins("config"), nil},
		{"immediate", base(ds.EventImmediate, immediate.Fire{}), "immediate", info("immediate"), builtins("immediate"), nil},
		{"track", base(ds.EventTrack, track.Fire{Object: 20, State: "down", Prev: "up"}), "track 20 down (was up)",
			info("track", "track_number", "20", "track_state", "down"),
			builtins("track", "_track_number", "20", "_track_state", "down"), nil},
		{"none", base(ds.EventNone, none.Fire{Args: []string{"Gi1/0/1", "x"}}), "run by hand Gi1/0/1 x",
			info("none", "argc", "2"), builtins("none", "_none_argc", "2", "_none_arg1", "Gi1/0/1", "_none_arg2", "x"), nil},
		{"cli", base(ds.EventCLI, cli.Fire{Command: "reload in 5", Values: map[string]string{"ds_syslog_1": "5"}}), "cli",
			info("cli"), builtins("cli", "_cli_msg", "reload in 5"), map[string]string{"ds_syslog_1": "5"}},
		{"no payload", base(ds.EventCallHome, nil), "call-home", info("call-home"), builtins("call-home"), nil},
	}
	for _, c := range cases {
		if got := c.f.Text(); got != c.text {
			t.Errorf("%s: Text %q, want %q", c.name, got, c.text)
		}
		if got := c.f.Info(); !maps.Equal(got, c.info) {
			t.Errorf("%s: Info\n got %v\nwant %v", c.name, got, c.info)
		}
		if got := detector.Builtins(c.f); !maps.Equal(got, c.builtins) {
			t.Errorf("%s: Builtins\n got %v\nwant %v", c.name, got, c.builtins)
		}
		if got := c.f.Vars(); !maps.Equal(got, c.vars) || (got == nil) != (c.vars == nil) {
			t.Errorf("%s: Vars %v, want %v", c.name, got, c.vars)
		}
		// The descriptor documents what the payload sets.
		d, _ := types.Lookup(c.f.Type)
		for name := range c.builtins {
			if !generic[name] && !slices.Contains(d.Builtins, numbered(name)) {
				t.Errorf("%s: $%s is not among the descriptor's Builtins %v", c.name, name, d.Builtins)
			}
		}
		for name := range c.vars {
			if !declares(d, name) {
				t.Errorf("%s: %s is not among the descriptor's Vars %v (captures %v)", c.name, name, d.Vars, d.Captures)
			}
		}
	}
}

// generic are the $_ variables of every fire, and _syslog_msg of every
// fire a syslog message caused.
var generic = map[string]bool{"_event_id": true, "_event_type": true, "_event_type_string": true, "_event_pub_sec": true,
	"_event_pub_msec": true, "_event_pub_time": true, "_syslog_msg": true}

// numbered returns the documented name of a numbered variable: _none_arg2
// is documented as _none_arg1, ds_syslog_3 as ds_syslog_1.
func numbered(name string) string {
	trimmed := strings.TrimRight(name, "0123456789")
	if trimmed == name {
		return name
	}
	return trimmed + "1"
}

// declares reports whether d declares the ds_ variable name: among its
// Vars, or a capture group's ds_syslog_N when it has Captures.
func declares(d detector.Descriptor, name string) bool {
	if d.Captures && numbered(name) == "ds_syslog_1" {
		return true
	}
	return slices.ContainsFunc(d.Vars, func(v detector.Var) bool { return v.Name == name })
}

// The syslog variables a descriptor lists are those SyslogVars sets, and
// a syslog event sets them on every fire.
func TestSyslogVarList(t *testing.T) {
	m := &events.Message{Body: "%LINK-3-UPDOWN: x", Facility: "LINK", Mnemonic: "UPDOWN", Host: "rtr"}
	set := detector.SyslogVars(m, []string{"x", "1"})
	d, _ := types.Lookup(ds.EventSyslog)
	for name := range set {
		if !declares(d, name) {
			t.Errorf("SyslogVars sets %s, which the syslog descriptor does not declare", name)
		}
	}
	for _, v := range d.Vars {
		if _, ok := set[v.Name]; !ok || v.When != "" {
			t.Errorf("syslog declares %s (when %q), which SyslogVars does not set on every fire", v.Name, v.When)
		}
	}
}
