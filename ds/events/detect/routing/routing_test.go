package routing

import (
	"net/netip"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func change(p, typ, proto string) Change {
	return Change{Time: t0, Network: netip.MustParsePrefix(p), Type: typ, Protocol: proto, Gateway: "10.0.0.1", Interface: "veth1", Metric: 5}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		line  string
		fires []bool // for the inputs below
	}{
		// inputs: 10.0.0.0/8 add static, 10.1.0.0/16 add static,
		// 10.1.2.0/24 remove connected, 11.0.0.0/8 add static,
		// 0.0.0.0/0 remove static, 2001:db8::/48 modify ospfv3
		{`event routing network 10.0.0.0/8`, []bool{true, false, false, false, false, false}},
		{`event routing network 10.0.0.0/8 ge 16`, []bool{false, true, true, false, false, false}},
		{`event routing network 10.0.0.0/8 le 16`, []bool{true, true, false, false, false, false}},
		{`event routing network 10.0.0.0/8 ge 16 le 16`, []bool{false, true, false, false, false, false}},
		{`event routing network 10.0.0.0/8 ge 8 type remove`, []bool{false, false, true, false, false, false}},
		{`event routing network 10.0.0.0/8 le 32 protocol static`, []bool{true, true, false, false, false, false}},
		{`event routing network 0.0.0.0/0 type remove`, []bool{false, false, false, false, true, false}},
		{`event routing network 0.0.0.0/0 ge 0`, []bool{true, true, true, true, true, false}},
		{`event routing network 2001:db8::/32 le 64 protocol ospfv3`, []bool{false, false, false, false, false, true}},
	}
	inputs := []Change{
		change("10.0.0.0/8", TypeAdd, "static"),
		change("10.1.0.0/16", TypeAdd, "static"),
		change("10.1.2.0/24", TypeRemove, "connected"),
		change("11.0.0.0/8", TypeAdd, "static"),
		change("0.0.0.0/0", TypeRemove, "static"),
		change("2001:db8::/48", TypeModify, "ospfv3"),
	}
	for _, tc := range tests {
		var fired []detector.Fired
		d, err := New(ds.Event{ID: "e1", Type: ds.EventRouting, EEMLine: tc.line},
			detector.Env{Owner: "a", Host: "rtr", Fire: func(f detector.Fired) { fired = append(fired, f) }})
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		for i, in := range inputs {
			n := len(fired)
			d.HostEvent(in)
			if got := len(fired) > n; got != tc.fires[i] {
				t.Errorf("%s, %s %s %s: fired %v", tc.line, in.Network, in.Type, in.Protocol, got)
			}
		}
	}
}

func TestFire(t *testing.T) {
	var fired []detector.Fired
	d, err := New(ds.Event{ID: "e1", Type: ds.EventRouting, EEMLine: `event routing network 10.0.0.0/8 le 24`},
		detector.Env{Owner: "a", Host: "rtr", Fire: func(f detector.Fired) { fired = append(fired, f) }})
	if err != nil {
		t.Fatal(err)
	}
	d.HostEvent(otherEvent{})
	d.HostEvent(change("10.1.2.0/24", TypeAdd, "static"))
	d.Stop()
	d.HostEvent(change("10.1.2.0/24", TypeRemove, "static"))
	if len(fired) != 1 {
		t.Fatalf("fired %d times, want 1", len(fired))
	}
	f := fired[0]
	if f.Time != t0 || f.Owner != "a" || f.Type != ds.EventRouting || f.Host != "rtr" {
		t.Errorf("fired %+v", f)
	}
	v := map[string]string{}
	f.Payload.Builtins(v)
	want := map[string]string{
		"_routing_network": "10.1.2.0", "_routing_mask": "255.255.255.0", "_routing_type": "add",
		"_routing_protocol": "static", "_routing_lastgateway": "10.0.0.1", "_routing_lastinterface": "veth1",
		"_routing_metric": "5",
	}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	if got := f.Payload.Text(); got != "route 10.1.2.0/24 add static via 10.0.0.1 dev veth1 metric 5" {
		t.Errorf("Text = %q", got)
	}
	if got := Mask(false, 64); got != "64" {
		t.Errorf("Mask v6 = %q", got)
	}
}

func TestShow(t *testing.T) {
	for line, want := range map[string]string{
		`event routing network 10.0.0.1/8 ge 16 le 24 protocol static type add`: "network 10.0.0.0/8 ge 16 le 24, type add, protocol static",
		`event tag t routing network 0.0.0.0/0 type remove`:                     "network 0.0.0.0/0, type remove, protocol all",
	} {
		if got := show(ds.Event{EEMLine: line}); got != want {
			t.Errorf("show(%s) = %q, want %q", line, got, want)
		}
	}
	if _, err := New(ds.Event{ID: "x", EEMLine: `event routing type add`}, detector.Env{}); err == nil {
		t.Error("New took a line without network")
	}
}

type otherEvent struct{}

func (otherEvent) EventType() ds.EventType { return ds.EventRouting }
