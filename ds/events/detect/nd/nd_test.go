package nd

import (
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func parse(t *testing.T, line string) ds.Event {
	t.Helper()
	ev, err := eem.Parse(line, []eem.Form{*Descriptor.EEM})
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return ev
}

func TestDetector(t *testing.T) {
	add := Change{Time: t0, Protocol: ProtocolLLDP, Notification: Add, Interface: "veth1", ChassisID: "aa:bb", PortID: "p1",
		SystemName: "peer", TTL: 120, Capabilities: []string{"Bridge", "Router"}, Enabled: []string{"Router"}}
	del, upd := add, add
	del.Notification, upd.Notification = Delete, Update
	other := add
	other.Interface = "eth0"
	cdp := add
	cdp.Protocol = ProtocolCDP
	changes := []Change{add, del, upd, other, cdp}
	tests := []struct {
		line  string
		fires []bool
	}{
		{`event neighbor-discovery interface regexp veth.* lldp add`, []bool{true, false, false, false, false}},
		{`event neighbor-discovery interface veth1 lldp delete`, []bool{false, true, false, false, false}},
		{`event neighbor-discovery interface regexp ^veth lldp update`, []bool{false, false, true, false, false}},
		{`event neighbor-discovery interface regexp . lldp all`, []bool{true, true, true, true, false}},
		{`event neighbor-discovery interface regexp . cdp add`, []bool{false, false, false, false, true}},
	}
	for _, tc := range tests {
		var fired []detector.Fired
		env := detector.Env{Owner: "a", Clock: clock.NewVirtual(t0), Host: "r1", CDP: func() bool { return true },
			Fire: func(f detector.Fired) { fired = append(fired, f) }}
		d, err := New(parse(t, tc.line), env)
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		for i, c := range changes {
			n := len(fired)
			d.HostEvent(c)
			if got := len(fired) > n; got != tc.fires[i] {
				t.Errorf("%s: change %d (%s %s on %s): fired %v", tc.line, i, c.Protocol, c.Notification, c.Interface, got)
			}
		}
		d.Stop()
		n := len(fired)
		d.HostEvent(add)
		d.HostEvent(cdp)
		if len(fired) != n {
			t.Errorf("%s: fired after Stop", tc.line)
		}
	}
}

func TestBuiltins(t *testing.T) {
	var got detector.Fired
	d, err := New(parse(t, `event neighbor-discovery interface regexp . lldp add`), detector.Env{Clock: clock.NewVirtual(t0),
		Fire: func(f detector.Fired) { got = f }})
	if err != nil {
		t.Fatal(err)
	}
	d.HostEvent(Change{Time: t0, Protocol: ProtocolLLDP, Notification: Add, Interface: "veth1", ChassisID: "aa:bb", PortID: "p1",
		SystemName: "peer", TTL: 120, Capabilities: []string{"Bridge", "Router"}, Enabled: []string{"Router"}, MgmtAddress: "192.0.2.1"})
	v := map[string]string{}
	got.Payload.Builtins(v)
	want := map[string]string{"_nd_protocol": "lldp", "_nd_notification": "lldp add", "_nd_local_intf_name": "veth1",
		"_nd_port_id": "p1", "_nd_lldp_chassis_id": "aa:bb", "_nd_lldp_system_name": "peer", "_nd_lldp_ttl": "120",
		"_nd_lldp_capabilities": "Bridge Router", "_nd_lldp_enabled_capabilities": "Router", "_nd_lldp_mgmt_address": "192.0.2.1"}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	for k := range v {
		if !strings.HasPrefix(k, "_nd_") || !contains(Descriptor.Builtins, k) {
			t.Errorf("%s is not in Descriptor.Builtins", k)
		}
	}
	if got.Time != t0 || got.Payload.Text() != "lldp add on veth1: peer port p1" {
		t.Errorf("%v %q", got.Time, got.Payload.Text())
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// cdp registers only when a source reports CDP neighbours.
func TestCDPRefused(t *testing.T) {
	ev := parse(t, `event neighbor-discovery interface regexp . cdp add lldp add`)
	for _, cdp := range []func() bool{nil, func() bool { return false }} {
		if _, err := New(ev, detector.Env{CDP: cdp}); err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "source lldp cdp") {
			t.Errorf("New = %v", err)
		}
	}
	if _, err := New(parse(t, `event neighbor-discovery interface regexp . lldp add`), detector.Env{}); err != nil {
		t.Error(err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, line := range []string{
		`event neighbor-discovery interface regexp . lldp sometimes`,
		`event neighbor-discovery interface regexp .`,
		`event neighbor-discovery lldp add`,
		`event neighbor-discovery interface regexp ( lldp add`,
	} {
		if _, err := eem.Parse(line, []eem.Form{*Descriptor.EEM}); err == nil {
			t.Errorf("%s: accepted", line)
		}
	}
}
