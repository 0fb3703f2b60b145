package oir

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	tests := []struct {
		line   string
		ok     bool
		slot   int
		name   string
		action string
	}{
		{"%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled", true, 3, "3", "remove"},
		{"%OIR-6-INSCARD: Card inserted in slot 3, interfaces administratively shut down", true, 3, "3", "insert"},
		{"%OIR-SP-6-REMCARD: Card removed from slot 9, interfaces disabled", true, 9, "9", "remove"},
		{"<190>88: rtr1: *Mar  1 00:11:00.343: %OIR-SP-6-INSCARD: Card inserted in slot 12, interfaces are now online", true, 12, "12", "insert"},
		{"%IOSXE_OIR-6-REMSPA: SPA removed from subslot 0/1, interfaces disabled", true, 0, "0/1", "remove"},
		{"%IOSXE_OIR-6-INSCARD: Card (fp) inserted in slot F0", true, detector.SlotUnknown, "F0", "insert"},
		{"%OIR-6-INSCARD: Card inserted in slot 0000:00:1f.0, interfaces are now online (pci vendor 8086)", true, detector.SlotUnknown, "0000:00:1f.0", "insert"},
		{"%OIR-6-REMCARD: Card removed from slot 1-1.2, interfaces disabled (usb)", true, detector.SlotUnknown, "1-1.2", "remove"},
		{"%OIR-6-REMCARD: Card removed from slot 4: interfaces disabled", true, 4, "4", "remove"},
		{"%IOSXE_OIR-6-ONLINECARD: Card (cc) online in slot 1", false, 0, "", ""},
		{"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to down", false, 0, "", ""},
		{"%OIR-6-REMCARD: something without a slot", false, 0, "", ""},
	}
	for _, tc := range tests {
		var m events.Message
		syslogmsg.ParseString(tc.line, t0, &m)
		e, ok := Parse(&m)
		if ok != tc.ok {
			t.Errorf("%q: ok %v, want %v", tc.line, ok, tc.ok)
			continue
		}
		if ok && (e.Slot != tc.slot || e.SlotName != tc.name || e.Action != tc.action || e.Message != &m) {
			t.Errorf("%q: %+v", tc.line, e)
		}
	}
}

func TestDetector(t *testing.T) {
	tests := []struct {
		slot   int
		action string
		fires  []bool // for: insert 3, remove 3, remove 4, insert F0
	}{
		{ds.SlotAny, "any", []bool{true, true, true, true}},
		{ds.SlotAny, "", []bool{true, true, true, true}},
		{3, "any", []bool{true, true, false, false}},
		{3, "remove", []bool{false, true, false, false}},
		{ds.SlotAny, "insert", []bool{true, false, false, true}},
		{4, "insert", []bool{false, false, false, false}},
	}
	inputs := []detector.OIR{
		{Slot: 3, SlotName: "3", Action: "insert"},
		{Slot: 3, SlotName: "3", Action: "remove"},
		{Slot: 4, SlotName: "4", Action: "remove"},
		{Slot: detector.SlotUnknown, SlotName: "F0", Action: "insert"},
	}
	for _, tc := range tests {
		var fired []detector.Fired
		d, err := New(ds.Event{ID: "e2", Type: ds.EventOIR, Slot: tc.slot, OIRAction: tc.action},
			detector.Env{Owner: "x", Host: "local", Fire: func(f detector.Fired) { fired = append(fired, f) }})
		if err != nil {
			t.Fatal(err)
		}
		for i, in := range inputs {
			n := len(fired)
			d.OIR(in)
			if got := len(fired) > n; got != tc.fires[i] {
				t.Errorf("slot %d action %q, input %+v: fired %v", tc.slot, tc.action, in, got)
			}
			if len(fired) > n {
				f := fired[n]
				if f.Payload != (Fire{Slot: in.Slot, SlotName: in.SlotName, Action: in.Action}) || f.Host != "local" || f.Message != nil {
					t.Errorf("fired %+v", f)
				}
			}
		}
	}
	for _, bad := range []ds.Event{{Slot: -5}, {Slot: 1, OIRAction: "pull"}} {
		if _, err := New(bad, detector.Env{}); err == nil {
			t.Errorf("no error for %+v", bad)
		}
	}
}
