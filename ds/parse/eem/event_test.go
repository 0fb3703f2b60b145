package eem_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

func TestParseEventGood(t *testing.T) {
	anySev := ds.SeverityAny
	cases := []struct {
		line string
		want ds.Event
	}{
		{`event syslog pattern "OSPF-5-ADJCHG" occurs 2 period 30`,
			ds.Event{Type: ds.EventSyslog, Pattern: "OSPF-5-ADJCHG", Occurs: 2, Period: 30 * time.Second, Severity: anySev}},
		{`event syslog pattern "%LINK-3-UPDOWN: .* down"`,
			ds.Event{Type: ds.EventSyslog, Pattern: "%LINK-3-UPDOWN: .* down", Occurs: 1, Severity: anySev}},
		{`  event tag e1 syslog occurs 3 period 30.5 priority errors severity-major pattern "Interface ${ds_intf}, changed" ratelimit 60 maxrun 90.25  `,
			ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: "Interface ${ds_intf}, changed", Occurs: 3,
				Period: 30*time.Second + 500*time.Millisecond, Severity: 3, RateLimit: time.Minute,
				MaxRun: 90*time.Second + 250*time.Millisecond}},
		{`event syslog priority 4 pattern a\b`,
			ds.Event{Type: ds.EventSyslog, Pattern: `a\b`, Occurs: 1, Severity: 4}},
		{`event syslog priority all pattern "x"`,
			ds.Event{Type: ds.EventSyslog, Pattern: "x", Occurs: 1, Severity: anySev}},
		{`event syslog pattern "a\"b\\d"`,
			ds.Event{Type: ds.EventSyslog, Pattern: `a"b\d`, Occurs: 1, Severity: anySev}},
		{`event syslog pattern "\d+\.\s\n\t\\\\"`,
			ds.Event{Type: ds.EventSyslog, Pattern: "\\d+\\.\\s\n\t\\\\", Occurs: 1, Severity: anySev}},
		{`event timer watchdog time 60 name wd ratelimit 120`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerWatchdog, Interval: time.Minute, Name: "wd", RateLimit: 2 * time.Minute, Severity: anySev}},
		{`event timer cron name c cron-entry "@hourly" ratelimit 0.5 maxrun 5`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "@hourly", Name: "c", RateLimit: 500 * time.Millisecond, MaxRun: 5 * time.Second, Severity: anySev}},
		{`event oir ratelimit 10`,
			ds.Event{Type: ds.EventOIR, Slot: ds.SlotAny, OIRAction: "any", RateLimit: 10 * time.Second, Severity: anySev}},
		{`event none sync yes default 30`,
			ds.Event{Type: ds.EventNone, Sync: true, SyncDefault: 30 * time.Second, Severity: anySev}},
		{`event none sync no ratelimit 1`,
			ds.Event{Type: ds.EventNone, RateLimit: time.Second, Severity: anySev}},
		{`event track 3 state up ratelimit 5`,
			ds.Event{Type: ds.EventTrack, TrackObject: 3, TrackState: "up", RateLimit: 5 * time.Second, Severity: anySev}},
		{`event counter name flaps entry-op ge entry-val 5 exit-op lt exit-val 5`,
			ds.Event{Type: ds.EventCounter, Name: "flaps", Severity: anySev,
				Threshold: ds.Threshold{EntryOp: "ge", EntryVal: 5, ExitOp: "lt", ExitVal: 5}}},
		{`event tag c counter name "a b" entry-op lt entry-val -2147483648 exit-comb and exit-op eq exit-val 2147483647 exit-time 0.5 ratelimit 9`,
			ds.Event{ID: "c", Type: ds.EventCounter, Name: "a b", Severity: anySev, RateLimit: 9 * time.Second,
				Threshold: ds.Threshold{EntryOp: "lt", EntryVal: -2147483648, ExitComb: "and", ExitOp: "eq", ExitVal: 2147483647, ExitTime: 500 * time.Millisecond}}},
		{`event snmp oid 1.3.6.1.2.1.1.3.0 get-type exact entry-op ge entry-val 90 poll-interval 30`,
			ds.Event{Type: ds.EventSNMP, Severity: anySev, Threshold: ds.Threshold{EntryOp: "ge", EntryVal: 90}}},
		{`event snmp oid .1.3.6 get-type next entry-op gt entry-val 1 entry-type rate exit-op lt exit-val 1 exit-type value exit-time 60 poll-interval 1.5 average-factor 64`,
			ds.Event{Type: ds.EventSNMP, Severity: anySev, Threshold: ds.Threshold{EntryOp: "gt", EntryVal: 1, ExitOp: "lt", ExitVal: 1, ExitTime: time.Minute}}},
		{`event routing network 0.0.0.0/0 type remove`,
			ds.Event{Type: ds.EventRouting, Severity: anySev}},
		{`event routing network 10.0.0.0/8 ge 16 le 24 protocol ospf type all`,
			ds.Event{Type: ds.EventRouting, Severity: anySev}},
		{`event routing network 2001:db8::/32 le 64`,
			ds.Event{Type: ds.EventRouting, Severity: anySev}},
		{`event interface name GigabitEthernet1/0/1 parameter input_errors_crc entry-op ge entry-val 100 entry-type increment poll-interval 60`,
			ds.Event{Type: ds.EventInterface, Severity: anySev, Threshold: ds.Threshold{EntryOp: "ge", EntryVal: 100}}},
		{`event interface name Gi1 parameter txload entry-op gt entry-val 200 exit-op lt exit-val 100 exit-event true average-factor 3 poll-interval 5`,
			ds.Event{Type: ds.EventInterface, Severity: anySev, Threshold: ds.Threshold{EntryOp: "gt", EntryVal: 200, ExitOp: "lt", ExitVal: 100}}},
		{`event neighbor-discovery interface regexp GigabitEthernet1/0/.* cdp add`,
			ds.Event{Type: ds.EventNeighbor, Severity: anySev}},
		{`event neighbor-discovery lldp all interface "^Te" cdp delete`,
			ds.Event{Type: ds.EventNeighbor, Severity: anySev}},
		{`event timer cron cron-entry "0 * * * *" name hourly`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "0 * * * *", Name: "hourly", Severity: anySev}},
		{`event timer cron name nightly cron-entry "@daily"`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "@daily", Name: "nightly", Severity: anySev}},
		{`event timer cron cron-entry "*/5 8-17 * jan-jun mon-fri"`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "*/5 8-17 * jan-jun mon-fri", Severity: anySev}},
		{`event timer watchdog time 300 name wd`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerWatchdog, Interval: 5 * time.Minute, Name: "wd", Severity: anySev}},
		{`event timer countdown time 0.5`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerCountdown, Interval: 500 * time.Millisecond, Severity: anySev}},
		{`event timer absolute time 0`,
			ds.Event{Type: ds.EventPeriodic, Timer: ds.TimerAbsolute, Severity: anySev}},
		{`event oir`,
			ds.Event{Type: ds.EventOIR, Slot: ds.SlotAny, OIRAction: "any", Severity: anySev}},
		{`event tag o oir maxrun 60`,
			ds.Event{ID: "o", Type: ds.EventOIR, Slot: ds.SlotAny, OIRAction: "any", Severity: anySev, MaxRun: time.Minute}},
		{`event config`,
			ds.Event{Type: ds.EventConfig, Severity: anySev}},
		{`event config pattern "^interface"`,
			ds.Event{Type: ds.EventConfig, Pattern: "^interface", Severity: anySev}},
		{`event none`,
			ds.Event{Type: ds.EventNone, Severity: anySev}},
		{`event none maxrun 600`,
			ds.Event{Type: ds.EventNone, Severity: anySev, MaxRun: 10 * time.Minute}},
		{`event track 10`,
			ds.Event{Type: ds.EventTrack, TrackObject: 10, TrackState: "any", Severity: anySev}},
		{`event tag t track 1000 state down`,
			ds.Event{ID: "t", Type: ds.EventTrack, TrackObject: 1000, TrackState: "down", Severity: anySev}},
		{`event cli pattern "^show run" sync no skip no occurs 2 period 10`,
			ds.Event{Type: ds.EventCLI, Pattern: "^show run", Occurs: 2, Period: 10 * time.Second, Severity: anySev}},
		{"event\tsyslog\npattern \"x\"",
			ds.Event{Type: ds.EventSyslog, Pattern: "x", Occurs: 1, Severity: anySev}},
	}
	for _, c := range cases {
		got, err := types.ParseEEM(c.line)
		if err != nil {
			t.Errorf("types.ParseEEM(%q): %v", c.line, err)
			continue
		}
		c.want.EEMLine = trimmed(c.line)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("types.ParseEEM(%q)\n got %+v\nwant %+v", c.line, got, c.want)
		}
	}
}

func trimmed(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	return s
}

func TestParseEventBad(t *testing.T) {
	cases := []struct {
		line   string
		offset int
		msg    string
	}{
		{``, 0, `empty event line; expected event <detector> ...`},
		{`action 1.0 cli command "x"`, 0, `line starts with "action"; an EEM event line starts with event`},
		{`event`, 5, `missing event detector; expected syslog, timer, oir, config, none, track, cli, counter, snmp, routing, interface, neighbor-discovery`},
		{`event tag`, 6, `missing name after tag`},
		{`event tag e1`, 12, `missing event detector; expected syslog, timer, oir, config, none, track, cli, counter, snmp, routing, interface, neighbor-discovery`},
		{`event sislog pattern "x"`, 6, `unknown event detector "sislog"; expected syslog, timer, oir, config, none, track, cli, counter, snmp, routing, interface, neighbor-discovery`},
		{`event syslog ocurs 2 pattern "x"`, 13, `unknown option "ocurs" for event syslog; expected occurs, period, priority, pattern, ratelimit, maxrun`},
		{`event syslog occurs 2`, 6, `event syslog needs pattern "<regex>"`},
		{`event syslog pattern "x" occurs`, 25, `missing value after occurs; expected a whole number from 1 to 4294967295`},
		{`event syslog pattern "x" occurs 0`, 32, `occurs "0" is not a whole number from 1 to 4294967295`},
		{`event syslog pattern "x" occurs 4294967296`, 32, `occurs "4294967296" is not a whole number from 1 to 4294967295`},
		{`event syslog pattern "x" period 1m`, 32, `period "1m" is not a number of seconds such as 30 or 30.5, up to 4294967295`},
		{`event syslog pattern "x" period 30.`, 32, `period "30." is not a number of seconds such as 30 or 30.5, up to 4294967295`},
		{`event syslog pattern "x" period -1`, 32, `period "-1" is not a number of seconds such as 30 or 30.5, up to 4294967295`},
		{`event syslog pattern "x" pattern "y"`, 25, `duplicate option "pattern" for event syslog`},
		{`event syslog severity-major severity-minor pattern "y"`, 28, `duplicate option "severity-minor" for event syslog`},
		{`event syslog pattern "a(b"`, 21, "pattern is not a valid RE2 regular expression: missing closing ): `a(b`"},
		{`event syslog pattern "(?<x"`, 21, "pattern is not a valid RE2 regular expression: invalid named capture: `(?<x`"},
		{`event syslog pattern ""`, 21, `empty pattern`},
		{`event syslog pattern "abc`, 21, `unterminated quoted string`},
		{`event syslog priority loud pattern "x"`, 22, `priority "loud" is not all, emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7`},
		{`event syslog priority 8 pattern "x"`, 22, `priority "8" is not all, emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7`},
		{`event timer`, 6, `missing timer type after timer; expected absolute, countdown, watchdog, cron`},
		{`event timer hourly time 5`, 12, `unknown timer type "hourly"; expected absolute, countdown, watchdog, cron`},
		{`event timer cron name x`, 12, `event timer cron needs cron-entry "<minute hour day month weekday>"`},
		{`event timer cron cron-entry "* * * *"`, 28, `cron-entry "* * * *": expected exactly 5 fields, found 4: [* * * *]`},
		{`event timer cron cron-entry "0 0 0 * * *"`, 28, `cron-entry "0 0 0 * * *": expected exactly 5 fields, found 6: [0 0 0 * * *]`},
		{`event timer cron cron-entry "61 * * * *"`, 28, `cron-entry "61 * * * *": end of range (61) above maximum (59): 61`},
		{`event timer cron cron-entry "TZ=UTC"`, 28, `cron-entry "TZ=UTC": time-zone prefixes are not supported; schedules run in the host's time zone`},
		{`event timer watchdog name x`, 12, `event timer watchdog needs time <seconds>`},
		{`event timer watchdog time 0`, 26, `time must be greater than 0`},
		{`event timer countdown time 5 cron-entry "* * * * *"`, 29, `unknown option "cron-entry" for event timer countdown; expected time, name, ratelimit, maxrun`},
		{`event oir slot 1`, 10, `unknown option "slot" for event oir; expected ratelimit, maxrun`},
		{`event none maxrun`, 11, `missing value after maxrun; expected a number of seconds such as 30 or 30.5`},
		{`event track`, 6, `missing object number after track; expected 1-1000`},
		{`event track ten`, 12, `track object "ten" is not a number; expected 1-1000`},
		{`event track 1001`, 12, `track object 1001 is out of range; expected 1-1000`},
		{`event track 0 state up`, 12, `track object 0 is out of range; expected 1-1000`},
		{`event track 5 state flapping`, 20, `state "flapping" is not up, down or any`},
		{`event cli sync yes`, 6, `event cli needs pattern "<regex>"`},
		{`event cli pattern "x" sync maybe`, 27, `sync "maybe" is not yes or no`},
		{`event config pattern "[" maxrun 1`, 21, "pattern is not a valid RE2 regular expression: missing closing ]: `[`"},
		{`event syslog pattern "x" ratelimit 1m`, 35, `ratelimit "1m" is not a number of seconds such as 30 or 30.5, up to 4294967295`},
		{`event syslog pattern "x" ratelimit 1 ratelimit 2`, 37, `duplicate option "ratelimit" for event syslog`},
		{`event timer watchdog time 5 ratelimit`, 28, `missing value after ratelimit; expected a number of seconds such as 30 or 30.5`},
		{`event none sync maybe`, 16, `sync "maybe" is not yes or no`},
		{`event none sync yes default -1`, 28, `default "-1" is not a number of seconds such as 30 or 30.5, up to 4294967295`},
		{`event none pattern "x"`, 11, `unknown option "pattern" for event none; expected sync, default, ratelimit, maxrun`},
		{`event counter entry-op gt entry-val 1 exit-time 1`, 6, `event counter needs name <counter>`},
		{`event counter name c exit-time 1`, 6, `event counter needs entry-op <gt|ge|eq|ne|lt|le> entry-val <value>`},
		{`event counter name c entry-op gt exit-time 1`, 6, `event counter needs entry-op <gt|ge|eq|ne|lt|le> entry-val <value>`},
		{`event counter name c entry-op gt entry-val 1`, 6, `event counter needs exit-op <op> exit-val <value>, exit-time <seconds>, or both`},
		{`event counter name c entry-op gt entry-val 1 exit-op lt`, 6, `event counter has exit-op without exit-val`},
		{`event counter name c entry-op gt entry-val 1 exit-val 0`, 6, `event counter has exit-val without exit-op`},
		{`event counter name c entry-op gt entry-val 1 exit-comb and exit-time 5`, 6, `event counter has exit-comb and, which needs both exit-op/exit-val and exit-time`},
		{`event counter name c entry-op gte entry-val 1 exit-time 5`, 30, `entry-op "gte" is not gt, ge, eq, ne, lt or le`},
		{`event counter name c entry-op gt entry-val 2147483648 exit-time 5`, 43, `entry-val "2147483648" is not a whole number from -2147483648 to 2147483647`},
		{`event counter name c entry-op gt entry-val 1 exit-time 0`, 55, `exit-time must be greater than 0`},
		{`event counter name c entry-op gt entry-val 1 exit-comb xor exit-time 1`, 55, `exit-comb "xor" is not and or or`},
		{`event counter name "" entry-op gt entry-val 1 exit-time 1`, 19, `empty counter name`},
		{`event snmp oid 1.3.x get-type exact entry-op gt entry-val 1 poll-interval 5`, 15, `oid "1.3.x" is not a numeric OID such as 1.3.6.1.2.1.1.3.0`},
		{`event snmp oid 1.3 get-type prev entry-op gt entry-val 1 poll-interval 5`, 28, `get-type "prev" is not exact or next`},
		{`event snmp oid 1.3 get-type exact entry-op gt entry-val 1`, 6, `event snmp needs poll-interval <seconds>`},
		{`event snmp oid 1.3 entry-op gt entry-val 1 poll-interval 5`, 6, `event snmp needs get-type exact|next`},
		{`event snmp oid 1.3 get-type exact entry-op gt entry-val 1 poll-interval 0.5`, 72, `poll-interval must be at least 1 second`},
		{`event snmp oid 1.3 get-type exact entry-op gt entry-val 1 poll-interval 5 average-factor 65`, 89, `average-factor "65" is not a whole number from 1 to 64`},
		{`event routing type add`, 6, `event routing needs network <prefix/length>`},
		{`event routing network 10.0.0.0 type add`, 22, `network "10.0.0.0" is not a prefix such as 10.0.0.0/8 or 2001:db8::/32`},
		{`event routing network 10.0.0.0/8 type change`, 38, `type "change" is not add, remove, modify or all`},
		{`event routing network 10.0.0.0/8 ge 33`, 6, `event routing ge 33 is outside 8-32, from the network's length to the address's`},
		{`event routing network 10.0.0.0/8 ge 24 le 16`, 6, `event routing ge 24 is above le 16`},
		{`event routing network 10.0.0.0/8 protocol igrp`, 42, `protocol "igrp" is not all, bgp, connected, eigrp, isis, ospf, ospfv3, rip or static`},
		{`event interface name Gi1 parameter errors entry-op gt entry-val 1 poll-interval 5`, 35, `parameter "errors" is not one of input_errors, input_errors_crc, input_errors_frame, input_errors_overrun, input_packets_dropped, interface_resets, output_buffer_failures, output_buffer_swappedout, output_errors, output_errors_underrun, output_packets_dropped, receive_broadcasts, receive_giants, receive_rate_bps, receive_rate_pps, receive_runts, receive_throttle, reliability_receive, reliability_transmit, rxload, transmit_rate_bps, transmit_rate_pps, txload`},
		{`event interface parameter rxload entry-op gt entry-val 1 poll-interval 5`, 6, `event interface needs name <interface>`},
		{`event interface name Gi1 parameter rxload entry-op gt entry-val 1 exit-event maybe poll-interval 5`, 77, `exit-event "maybe" is not true or false`},
		{`event neighbor-discovery cdp add`, 6, `event neighbor-discovery needs interface <regex>`},
		{`event neighbor-discovery interface Gi.*`, 6, `event neighbor-discovery needs cdp add|delete|update|all, lldp add|delete|update|all, or both`},
		{`event neighbor-discovery interface regexp "(" cdp add`, 42, "interface pattern is not a valid RE2 regular expression: missing closing ): `(`"},
		{`event neighbor-discovery interface regexp`, 35, `missing value after interface regexp; expected a regular expression of interface names`},
		{`event neighbor-discovery interface x lldp sometimes`, 42, `lldp "sometimes" is not add, delete, update or all`},
		{"event " + strings.Repeat("x", 150), 6, `unknown event detector "` + strings.Repeat("x", 100) + `..."; expected syslog, timer, oir, config, none, track, cli, counter, snmp, routing, interface, neighbor-discovery`},
		{`event "syslog" pattern "x"`, 6, `unknown event detector "syslog"; expected syslog, timer, oir, config, none, track, cli, counter, snmp, routing, interface, neighbor-discovery`},
	}
	for _, c := range cases {
		_, err := types.ParseEEM(c.line)
		var se *eem.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("types.ParseEEM(%q) = %v, want a *eem.SyntaxError", c.line, err)
			continue
		}
		if se.Offset != c.offset || se.Msg != c.msg {
			t.Errorf("types.ParseEEM(%q)\n got %d: %s\nwant %d: %s", c.line, se.Offset, se.Msg, c.offset, c.msg)
		}
	}
}

func TestStripPlaceholders(t *testing.T) {
	cases := map[string]string{
		"a ${ds_x} b ${ds_y_2}":  "a x b x",
		"${ds_x":                 "${ds_x",
		"${foo} ${ds_a-b} end$":  "${foo} ${ds_a-b} end$",
		"${ds_a}${ds_b}${ds_c}$": "xxx$",
	}
	for in, want := range cases {
		if got := eem.StripPlaceholders(in); got != want {
			t.Errorf("eem.StripPlaceholders(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"30", 30 * time.Second, true},
		{"30.5", 30500 * time.Millisecond, true},
		{"0.000000001", 1, true},
		{"4294967295", 4294967295 * time.Second, true},
		{"4294967296", 0, false},
		{"0.0000000001", 0, false},
		{"1e3", 0, false},
		{".5", 0, false},
		{"", 0, false},
		{"+1", 0, false},
	}
	for _, c := range cases {
		got, ok := eem.ParseSeconds(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("eem.ParseSeconds(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestCheckCron(t *testing.T) {
	for _, spec := range []string{"* * * * *", "@hourly", "@every 5m", "0 0 1,15 * sun"} {
		if err := eem.CheckCron(spec, false); err != nil {
			t.Errorf("eem.CheckCron(%q, false): %v", spec, err)
		}
	}
	if err := eem.CheckCron("30 0 * * * *", true); err != nil {
		t.Errorf("six fields with seconds: %v", err)
	}
	for _, spec := range []string{"", "TZ=UTC", "CRON_TZ=Europe/Paris 0 * * * *", "* * * * * *", "0 25 * * *", "*/0 * * * *"} {
		if err := eem.CheckCron(spec, false); err == nil {
			t.Errorf("eem.CheckCron(%q, false) accepted a bad entry", spec)
		}
	}
}

func TestFields(t *testing.T) {
	got, err := eem.Fields(` event  syslog pattern "a b\"c" x "\n\t\\\q" ""`)
	if err != nil {
		t.Fatal(err)
	}
	want := []eem.Field{
		{Text: "event", Offset: 1},
		{Text: "syslog", Offset: 8},
		{Text: "pattern", Offset: 15},
		{Text: `a b"c`, Offset: 23, Quoted: true},
		{Text: "x", Offset: 32},
		{Text: "\n\t\\\\q", Offset: 34, Quoted: true},
		{Text: "", Offset: 45, Quoted: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fields:\n got %+v\nwant %+v", got, want)
	}
}
