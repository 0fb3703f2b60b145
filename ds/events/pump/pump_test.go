package pump

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// TestLineHost: a line without a host takes the sender's address, and
// the engine's own lines the local host name.
func TestLineHost(t *testing.T) {
	var got []string
	p := New(Options{Hostname: "edge-1", Clock: clock.NewVirtual(t0), Deliver: func(m *events.Message) {
		got = append(got, m.Host+" "+m.Mnemonic)
	}})
	var m events.Message
	p.Line(&m, input.Item{Line: []byte("%LINK-3-UPDOWN: Interface Gi1, changed state to down"), Received: t0,
		Peer: netip.MustParseAddrPort("192.0.2.7:514")})
	p.Line(&m, input.Item{Line: []byte("%DS-5-MSG: hello"), Received: t0, Input: EchoInput})
	p.Line(&m, input.Item{Line: []byte("<189>Nov 23 14:00:00 core-2 %SYS-5-CONFIG_I: Configured"), Received: t0,
		Peer: netip.MustParseAddrPort("192.0.2.7:514")})
	want := []string{"192.0.2.7 UPDOWN", "edge-1 MSG", "core-2 CONFIG_I"}
	if len(got) != len(want) {
		t.Fatalf("delivered %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// TestEchoIsBounded: the engine's own lines wait in a bounded queue; a
// full queue drops and counts, never blocks, and never starts a goroutine
// per line.
func TestEchoIsBounded(t *testing.T) {
	release := make(chan struct{})
	delivered := make(chan string, 16)
	p := New(Options{Hostname: "edge-1", EchoQueue: 4, Deliver: func(m *events.Message) {
		<-release
		delivered <- m.Text
	}})
	// Nobody drains yet: 4 fit, 6 are dropped.
	accepted := 0
	for i := range 10 {
		if p.Echo("%DS-5-MSG: line "+string(rune('a'+i)), events.Origin{}) {
			accepted++
		}
	}
	if accepted != 4 {
		t.Fatalf("accepted %d lines, want 4", accepted)
	}
	st := p.EchoStats()
	if st.Input != EchoInput || st.Received != 10 || st.Delivered != 4 || st.Dropped != 6 {
		t.Errorf("stats = %+v, want 10 received, 4 delivered, 6 dropped", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	close(release)
	timeout := time.After(5 * time.Second)
	var got []string
	for len(got) < 4 {
		select {
		case line := <-delivered:
			got = append(got, line)
		case <-timeout:
			t.Fatalf("%d of 4 echoed lines delivered", len(got))
		}
	}
	cancel()
	<-done
	if got[0] != "line a" || got[3] != "line d" {
		t.Errorf("delivered %q, want lines a to d in order", got)
	}
}

// TestLineLocation: the devices' zone reads their stamps, and
// SetLocation (a reload) changes it for the next lines.
func TestLineLocation(t *testing.T) {
	var got []string
	p := New(Options{Clock: clock.NewVirtual(t0), Location: time.FixedZone("PST", -8*3600), Deliver: func(m *events.Message) {
		got = append(got, m.Time.UTC().Format(time.TimeOnly))
	}})
	var m events.Message
	line := []byte("<189>77: Nov 23 06:00:00 PST: %SYS-5-CONFIG_I: Configured")
	p.Line(&m, input.Item{Line: line, Received: t0})
	p.SetLocation(nil)
	p.Line(&m, input.Item{Line: line, Received: t0})
	if want := []string{"14:00:00", "06:00:00"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("times %q, want %q", got, want)
	}
}
