package track

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

var t0 = time.Date(2026, 9, 21, 9, 22, 0, 0, time.UTC)

func TestCanonicalInterface(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Gi1/0/1", "GigabitEthernet1/0/1"},
		{"gi1/0/1", "GIGABITETHERNET1/0/1"},
		{"Gig1/0/1", "GigabitEthernet 1/0/1"},
		{"Te1/1/1", "TenGigabitEthernet1/1/1"},
		{"Fa0/0", "FastEthernet0/0"},
		{"Tw1/0/3", "TwoGigabitEthernet1/0/3"},
		{"Twe1/0/1", "TwentyFiveGigE1/0/1"},
		{"Fo1/0/1", "FortyGigabitEthernet1/0/1"},
		{"Hu1/0/49", "HundredGigE1/0/49"},
		{"Po10", "Port-channel10"},
		{"Vl100", "Vlan100"},
		{"Lo0", "Loopback0"},
		{"Tu1", "Tunnel1"},
		{"Se0/0/0:15", "Serial0/0/0:15"},
		{"Gi0/0.100", "GigabitEthernet0/0.100"},
		{"Vi1", "Virtual-Access1"},
		{"Et0/0", "Ethernet0/0"},
	}
	for _, tc := range tests {
		if a, b := CanonicalInterface(tc.a), CanonicalInterface(tc.b); a != b {
			t.Errorf("%s → %q, %s → %q: want equal", tc.a, a, tc.b, b)
		}
	}
	for _, pair := range [][2]string{
		{"Gi1/0/1", "Gi1/0/10"}, {"Gi1/0/1", "Te1/0/1"}, {"Fa0/1", "Fo0/1"}, {"Tw1/0/1", "Twe1/0/1"}, {"Tu1", "Te1"},
	} {
		if CanonicalInterface(pair[0]) == CanonicalInterface(pair[1]) {
			t.Errorf("%s and %s are the same interface", pair[0], pair[1])
		}
	}
}

type recorder struct{ changes []detector.TrackChange }

func (r *recorder) emit(c detector.TrackChange) { r.changes = append(r.changes, c) }

func (r *recorder) states() []string {
	var s []string
	for _, c := range r.changes {
		s = append(s, c.Prev+">"+c.State)
	}
	return s
}

func lineproto(tr *Tracker, at time.Time, line string) {
	var m events.Message
	syslogmsg.ParseString(line, at, &m)
	if !tr.Line(&m) {
		panic("not a LINEPROTO line: " + line)
	}
}

func TestInterfaceLineProtocol(t *testing.T) {
	v := clock.NewVirtual(t0)
	var r recorder
	tr := NewTracker(v, nil, nil, r.emit)
	tr.Configure([]config.Track{
		{Number: 10, Kind: config.TrackInterface, Interface: "GigabitEthernet1/0/1"},
		{Number: 11, Kind: config.TrackInterface, Interface: "Te1/1/1"},
	}, nil)
	if s, ok := tr.State(10); s != detector.StateUnknown || !ok {
		t.Fatalf("initial state %q %v", s, ok)
	}
	if _, ok := tr.State(99); ok {
		t.Fatal("object 99 is configured")
	}
	lineproto(tr, v.Now(), "<189>344: .Sep 21 09:22:01.678: %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi1/0/1, changed state to down")
	lineproto(tr, v.Now(), "*Mar  1 00:11:01.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/1, changed state to down")
	lineproto(tr, v.Now(), "%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/10, changed state to up")
	lineproto(tr, v.Now(), "<189>1 2024-10-11T10:15:31.208321-05:00 sw1 app - - - %LINEPROTO-5-UPDOWN: Line protocol on Interface gigabitethernet1/0/1, changed state to up")
	lineproto(tr, v.Now(), "%LINEPROTO-5-UPDOWN: Line protocol on Interface TenGigabitEthernet1/1/1, changed state to up")
	got := r.states()
	want := []string{"unknown>down", "down>up", "unknown>up"}
	if len(got) != len(want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d %s, want %s", i, got[i], want[i])
		}
	}
	if r.changes[0].Object != 10 || r.changes[2].Object != 11 || r.changes[0].Message == nil {
		t.Errorf("changes %+v", r.changes)
	}
	if s, _ := tr.State(10); s != detector.StateUp {
		t.Errorf("state of 10 is %s", s)
	}
	// Reconfiguring keeps the state of an unchanged object only.
	tr.Configure([]config.Track{
		{Number: 10, Kind: config.TrackInterface, Interface: "Gi1/0/1"},
		{Number: 11, Kind: config.TrackInterface, Interface: "Te1/1/2"},
	}, nil)
	if s, _ := tr.State(10); s != detector.StateUp {
		t.Errorf("state of 10 after reconfiguring is %s", s)
	}
	if s, _ := tr.State(11); s != detector.StateUnknown {
		t.Errorf("state of changed 11 after reconfiguring is %s", s)
	}
}

func TestDelay(t *testing.T) {
	v := clock.NewVirtual(t0)
	var r recorder
	tr := NewTracker(v, nil, nil, r.emit)
	tr.Configure([]config.Track{{Number: 1, Kind: config.TrackInterface, Interface: "Gi0/1", DelayDown: 10 * time.Second}}, nil)
	tr.Observe("Gi0/1", detector.StateUp, nil)
	tr.Observe("Gi0/1", detector.StateDown, nil)
	v.Advance(5 * time.Second)
	tr.Observe("Gi0/1", detector.StateUp, nil) // back before the delay: no change
	v.Advance(time.Minute)
	tr.Observe("Gi0/1", detector.StateDown, nil)
	v.Advance(9 * time.Second)
	if len(r.changes) != 1 {
		t.Fatalf("changes %v before the delay ended", r.states())
	}
	v.Advance(time.Second)
	if got := r.states(); len(got) != 2 || got[1] != "up>down" || !r.changes[1].Time.Equal(t0.Add(75*time.Second)) {
		t.Fatalf("changes %v at %v", got, r.changes[len(r.changes)-1].Time)
	}
}

// freePort returns a port on 127.0.0.1 that nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestIPSLAAgainstRealListener(t *testing.T) {
	port := freePort(t)
	v := clock.NewVirtual(t0)
	var r recorder
	tr := NewTracker(v, &net.Dialer{}, nil, r.emit)
	tr.Configure(
		[]config.Track{{Number: 20, Kind: config.TrackIPSLA, SLA: 20, SLAMode: "reachability"}},
		[]config.IPSLA{{Number: 20, Operation: "tcp-connect", Host: "127.0.0.1", Port: port, Frequency: 30 * time.Second, Timeout: 2 * time.Second}},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr.Start(ctx)
	defer tr.Stop()

	v.Advance(0) // the first run is due at once: nothing listens
	if s, _ := tr.State(20); s != detector.StateDown {
		t.Fatalf("state %s with no listener, want down", s)
	}

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("port %d taken meanwhile (rerun): %v", port, err)
	}
	accepted := make(chan struct{}, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			accepted <- struct{}{}
		}
	}()
	v.Advance(29 * time.Second)
	if s, _ := tr.State(20); s != detector.StateDown {
		t.Fatalf("probed before the frequency: %s", s)
	}
	v.Advance(time.Second)
	if s, _ := tr.State(20); s != detector.StateUp {
		t.Fatalf("state %s with a listener, want up", s)
	}
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("the listener saw no connection")
	}
	ln.Close()
	v.Advance(30 * time.Second)
	if s, _ := tr.State(20); s != detector.StateDown {
		t.Fatalf("state %s after closing the listener, want down", s)
	}
	got := r.states()
	want := []string{"unknown>down", "down>up", "up>down"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("changes %v, want %v", got, want)
	}
	for i, at := range []time.Duration{0, 30 * time.Second, 60 * time.Second} {
		if !r.changes[i].Time.Equal(t0.Add(at)) || r.changes[i].Object != 20 {
			t.Errorf("change %d: %+v", i, r.changes[i])
		}
	}
	tr.Stop()
	if v.Pending() != 0 {
		t.Errorf("%d timers pending after Stop", v.Pending())
	}
}

// stubDialer records the addresses dialled and fails or succeeds.
type stubDialer struct {
	ok    bool
	addrs []string
}

func (s *stubDialer) DialContext(_ context.Context, _, addr string) (net.Conn, error) {
	s.addrs = append(s.addrs, addr)
	if !s.ok {
		return nil, &net.OpError{Op: "dial", Err: context.DeadlineExceeded}
	}
	c1, c2 := net.Pipe()
	c2.Close()
	return c1, nil
}

func TestIPSLAScheduleDefaults(t *testing.T) {
	v := clock.NewVirtual(t0)
	d := &stubDialer{ok: true}
	var r recorder
	tr := NewTracker(v, d, nil, r.emit)
	tr.Configure([]config.Track{{Number: 1, Kind: config.TrackIPSLA, SLA: 5}, {Number: 2, Kind: config.TrackIPSLA, SLA: 5}},
		[]config.IPSLA{{Number: 5, Host: "192.0.2.10", Port: 443}})
	tr.Start(context.Background())
	v.Advance(10 * time.Minute)
	if len(d.addrs) != 11 || d.addrs[0] != "192.0.2.10:443" {
		t.Fatalf("dialled %d times (%v), want 11 at the default 60s", len(d.addrs), d.addrs[:1])
	}
	if len(r.changes) != 2 {
		t.Fatalf("changes %v: want both objects up once", r.states())
	}
	tr.Stop()
}

func TestDetector(t *testing.T) {
	var fired []detector.Fired
	env := detector.Env{Owner: "x", Host: "local", Fire: func(f detector.Fired) { fired = append(fired, f) }}
	up, _ := New(ds.Event{ID: "up", TrackObject: 10, TrackState: "up"}, env)
	anyState, _ := New(ds.Event{ID: "any", TrackObject: 10}, env)
	other, _ := New(ds.Event{ID: "other", TrackObject: 11, TrackState: "any"}, env)
	for _, c := range []detector.TrackChange{
		{Time: t0, Object: 10, State: "down", Prev: "unknown"},
		{Time: t0, Object: 10, State: "up", Prev: "down"},
	} {
		for _, d := range []*Detector{up, anyState, other} {
			d.TrackChange(c)
		}
	}
	var ids []string
	for _, f := range fired {
		ids = append(ids, f.EventID+":"+f.Payload.(Fire).State)
	}
	if len(ids) != 3 || ids[0] != "any:down" || ids[1] != "up:up" || ids[2] != "any:up" {
		t.Errorf("fired %v", ids)
	}
	if fired[1].Payload != (Fire{Object: 10, State: "up", Prev: "down"}) || fired[1].Host != "local" {
		t.Errorf("fired %+v", fired[1])
	}
	for _, bad := range []ds.Event{{TrackObject: 0}, {TrackObject: 1, TrackState: "flapping"}} {
		if _, err := New(bad, env); err == nil {
			t.Errorf("no error for %+v", bad)
		}
	}
}
