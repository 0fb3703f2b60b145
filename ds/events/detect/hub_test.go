package detect

import (
	"context"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	dsconfig "github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/cli"
	"github.com/dsengine/dsengine/ds/events/detect/config"
	"github.com/dsengine/dsengine/ds/events/detect/config/filewatch"
	"github.com/dsengine/dsengine/ds/events/detect/counter"
	"github.com/dsengine/dsengine/ds/events/detect/none"
	"github.com/dsengine/dsengine/ds/events/detect/oir"
	"github.com/dsengine/dsengine/ds/events/detect/track"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 3, 1, 0, 11, 0, 0, time.UTC)

// sink collects what fires, safe for concurrent use.
type sink struct {
	mu    sync.Mutex
	fired []Fired
}

func (s *sink) fire(f Fired) {
	s.mu.Lock()
	s.fired = append(s.fired, f)
	s.mu.Unlock()
}

func (s *sink) take() []Fired {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fired
	s.fired = nil
	return f
}

// ids lists owner/event of each fire.
func ids(fs []Fired) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Owner+"/"+f.EventID)
	}
	return out
}

func newHub(t *testing.T, opts Options) (*Hub, *clock.Virtual) {
	t.Helper()
	v := clock.NewVirtual(t0)
	opts.Clock = v
	if opts.Host == "" {
		opts.Host = "edge-1"
	}
	h := NewHub(context.Background(), opts)
	t.Cleanup(h.Close)
	return h, v
}

func deliver(h *Hub, v *clock.Virtual, line string) {
	var m events.Message
	syslogmsg.ParseString(line, v.Now(), &m)
	h.Deliver(&m)
}

func mustRegister(t *testing.T, h *Hub, owner string, ev ds.Event, vars map[string]string, s *sink) Registration {
	t.Helper()
	r, err := h.Register(owner, ev, vars, s.fire)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func syslogEvent(id, pattern string) ds.Event {
	return ds.Event{ID: id, Type: ds.EventSyslog, Pattern: pattern, Occurs: 1, Severity: ds.SeverityAny}
}

func TestHubSyslog(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	mustRegister(t, h, "6030", ds.Event{ID: "e1", Type: ds.EventSyslog, Occurs: 2, Period: time.Minute, Severity: 3,
		Pattern: `%LINK-3-UPDOWN: Interface ${ds_intf}, changed state to (\w+)`}, map[string]string{"ds_intf": "GigabitEthernet1/0/12"}, &s)
	mustRegister(t, h, "6031", syslogEvent("e1", `%LINEPROTO-5-UPDOWN: Line protocol on Interface (\S+), changed state to down`), nil, &s)
	mustRegister(t, h, "6032", syslogEvent("ospf", `(?i)adjchg.*from full`), nil, &s)

	deliver(h, v, "<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to down")
	deliver(h, v, "<187>344: .Sep 21 09:22:02.000: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/13, changed state to down")
	deliver(h, v, "*Mar  1 00:11:01.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to up")
	if got := s.take(); len(got) != 0 {
		t.Fatalf("fired %v", ids(got))
	}
	v.Advance(30 * time.Second)
	deliver(h, v, "<187>345: .Sep 21 09:22:31.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up")
	deliver(h, v, "*Mar  1 00:11:31.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to down")
	deliver(h, v, "%OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.1 on GigabitEthernet1/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired")
	got := s.take()
	if want := []string{"6030/e1", "6031/e1", "6032/ospf"}; !slices.Equal(ids(got), want) {
		t.Fatalf("fired %v, want %v", ids(got), want)
	}
	if got[0].Vars()["ds_syslog_1"] != "up" || got[0].Count != 2 || got[1].Vars()["ds_syslog_1"] != "FastEthernet0/0" ||
		got[0].Vars()["ds_syslog_severity"] != "3" || got[1].Host != "edge-1" {
		t.Errorf("vars %v / %v, host %q", got[0].Vars(), got[1].Vars(), got[1].Host)
	}
	// Three events, and the tracked objects' own route.
	if st := h.IndexStats(); st.IDs != 4 || st.AlwaysRun != 0 {
		t.Errorf("index %+v", st)
	}
}

func TestHubDeregister(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	r1 := mustRegister(t, h, "A", syslogEvent("e1", `%SYS-2-MALLOCFAIL`), nil, &s)
	mustRegister(t, h, "A", syslogEvent("e2", `Memory allocation`), nil, &s)
	mustRegister(t, h, "B", syslogEvent("e1", `%SYS-2-MALLOCFAIL`), nil, &s)
	const line = "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed from 0x6024F5A0, alignment 0"
	deliver(h, v, line)
	if got := s.take(); len(got) != 3 {
		t.Fatalf("fired %v", ids(got))
	}
	h.Deregister(r1)
	h.Deregister(r1) // twice is harmless
	deliver(h, v, line)
	if got := ids(s.take()); !slices.Equal(got, []string{"A/e2", "B/e1"}) && !slices.Equal(got, []string{"B/e1", "A/e2"}) {
		t.Fatalf("after Deregister fired %v", got)
	}
	if n := h.DeregisterOwner("A"); n != 1 {
		t.Errorf("DeregisterOwner removed %d", n)
	}
	deliver(h, v, line)
	if got := ids(s.take()); !slices.Equal(got, []string{"B/e1"}) {
		t.Fatalf("after DeregisterOwner fired %v", got)
	}
	if regs := h.Registrations(); len(regs) != 1 || regs[0].Owner != "B" {
		t.Errorf("registrations %+v", regs)
	}
}

func TestHubRegisterAllIsAtomic(t *testing.T) {
	h, _ := newHub(t, Options{})
	var s sink
	_, err := h.RegisterAll([]Spec{
		{Owner: "A", Event: syslogEvent("e1", `fine`), Fire: s.fire},
		{Owner: "A", Event: syslogEvent("e2", `Interface ${ds_intf}`), Fire: s.fire}, // no value: pending
	})
	if err == nil || !strings.Contains(err.Error(), "ds_intf") {
		t.Fatalf("err %v", err)
	}
	if regs := h.Registrations(); len(regs) != 0 {
		t.Fatalf("registered %v after an error", regs)
	}
	for _, ev := range []ds.Event{{ID: "x", Type: "weather"}, {ID: "y", Type: ds.EventEEM, EEMLine: "event bogus"}} {
		if _, err := h.Register("A", ev, nil, s.fire); err == nil {
			t.Errorf("no error for %+v", ev)
		}
	}
	if _, err := h.Register("A", syslogEvent("e1", "x"), nil, nil); err == nil {
		t.Error("no error without a fire function")
	}
}

func TestHubEEMLine(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	r := mustRegister(t, h, "LINKDOWN", ds.Event{ID: "e1", Type: ds.EventEEM,
		EEMLine: `event syslog pattern "%LINK-3-UPDOWN: .* down" occurs 2 period 60`}, nil, &s)
	if r.Type != ds.EventSyslog {
		t.Errorf("registered as %s", r.Type)
	}
	for range 2 {
		deliver(h, v, "%LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to down")
	}
	if got := s.take(); len(got) != 1 || got[0].EventID != "e1" {
		t.Fatalf("fired %v", ids(got))
	}
}

func TestHubOIR(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	mustRegister(t, h, "any", ds.Event{ID: "e", Type: ds.EventOIR, Slot: ds.SlotAny, OIRAction: "any"}, nil, &s)
	mustRegister(t, h, "rem3", ds.Event{ID: "e", Type: ds.EventOIR, Slot: 3, OIRAction: "remove"}, nil, &s)
	mustRegister(t, h, "ins9", ds.Event{ID: "e", Type: ds.EventOIR, Slot: 9, OIRAction: "insert"}, nil, &s)

	deliver(h, v, "%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled")
	deliver(h, v, "%OIR-6-INSCARD: Card inserted in slot 3, interfaces administratively shut down")
	deliver(h, v, "<190>12: rtr: %OIR-SP-6-REMCARD: Card removed from slot 9, interfaces disabled")
	deliver(h, v, "%LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to down")
	got := s.take()
	if want := []string{"any/e", "rem3/e", "any/e", "any/e"}; !slices.Equal(ids(got), want) {
		t.Fatalf("fired %v, want %v", ids(got), want)
	}
	if p := got[1].Payload.(oir.Fire); p.Slot != 3 || p.Action != "remove" || got[1].Message == nil || got[3].Host != "rtr" {
		t.Errorf("fired %+v", got[1])
	}

	v.Advance(time.Minute)
	if err := h.InjectOIR(9, "insert"); err != nil {
		t.Fatal(err)
	}
	got = s.take()
	if want := []string{"any/e", "ins9/e"}; !slices.Equal(ids(got), want) {
		t.Fatalf("injected: fired %v, want %v", ids(got), want)
	}
	if f := got[1]; f.Payload != (oir.Fire{Slot: 9, SlotName: "9", Action: "insert"}) || f.Message != nil || f.Host != "edge-1" || !f.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("injected: %+v", f)
	}
	if h.InjectOIR(1, "yank") == nil || h.InjectOIR(-1, "insert") == nil {
		t.Error("no error for a bad injection")
	}
}

func TestHubConfig(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	mustRegister(t, h, "all", ds.Event{ID: "c", Type: ds.EventConfig}, nil, &s)
	mustRegister(t, h, "vty", ds.Event{ID: "c", Type: ds.EventConfig, Pattern: `on vty\d+ \(([\d.]+)\)`}, nil, &s)
	mustRegister(t, h, "file", ds.Event{ID: "c", Type: ds.EventConfig, Pattern: `^file .*dsengine\.conf changed$`}, nil, &s)

	deliver(h, v, "Sep  6 09:13:00 RouterName 82: Sep  6 14:12:56.872: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1)")
	deliver(h, v, "%SYS-5-CONFIG_I: Configured from console by console")
	deliver(h, v, "%SYS-5-RESTART: System restarted --")
	got := s.take()
	if want := []string{"all/c", "vty/c", "all/c"}; !slices.Equal(ids(got), want) {
		t.Fatalf("fired %v, want %v", ids(got), want)
	}
	if got[1].Vars()["ds_syslog_1"] != "192.0.2.1" || got[1].Payload.(config.Fire).Line != "Configured from console by admin on vty0 (192.0.2.1)" {
		t.Errorf("fired %+v", got[1])
	}

	// A real file modified on disk, through the fsnotify watcher.
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.conf")
	if err := os.WriteFile(path, []byte("hostname edge-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := filewatch.NewWatcher(ds.RealClock{}, 0, nil, h.ConfigChanged)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	if err := os.WriteFile(path, []byte("hostname edge-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// One change fires all/c then file/c, from one call; a write may be
	// reported twice (truncate, write), which fires both again.
	got = got[:0]
	if !testserver.Poll(10*time.Second, 5*time.Millisecond, func() bool {
		got = append(got, s.take()...)
		return len(got) >= 2
	}) {
		t.Fatalf("file change fired %v, want all/c and file/c", ids(got))
	}
	if got[0].Owner != "all" || got[1].Owner != "file" || got[1].Payload.(config.Fire).Path != path || got[1].Payload.(config.Fire).Line != "file "+path+" changed" || got[1].Message != nil {
		t.Errorf("file change: %+v", got[:2])
	}
}

func TestHubImmediateOnce(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	mustRegister(t, h, "6030", ds.Event{ID: "e1", Type: ds.EventImmediate}, nil, &s)
	if got := s.take(); len(got) != 0 {
		t.Fatal("fired before the clock ran")
	}
	v.Advance(0)
	v.Advance(time.Hour)
	if got := s.take(); len(got) != 1 || !got[0].Time.Equal(t0) {
		t.Fatalf("fired %+v", got)
	}
}

func TestHubPeriodic(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	r := mustRegister(t, h, "6030", ds.Event{ID: "e1", Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "*/5 * * * *"}, nil, &s)
	v.Advance(time.Hour)
	if got := s.take(); len(got) != 12 {
		t.Fatalf("fired %d times in an hour", len(got))
	}
	h.Deregister(r)
	v.Advance(time.Hour)
	if got := s.take(); len(got) != 0 || v.Pending() != 0 {
		t.Fatalf("fired %d times after Deregister, %d timers pending", len(got), v.Pending())
	}
}

func TestHubTrack(t *testing.T) {
	h, v := newHub(t, Options{Tracks: []dsconfig.Track{
		{Number: 10, Kind: dsconfig.TrackInterface, Interface: "GigabitEthernet1/0/1"},
		{Number: 12, Kind: dsconfig.TrackInterface, Interface: "Te1/1/1"},
	}})
	var s sink
	mustRegister(t, h, "down10", ds.Event{ID: "t", Type: ds.EventTrack, TrackObject: 10, TrackState: "down"}, nil, &s)
	mustRegister(t, h, "any12", ds.Event{ID: "t", Type: ds.EventTrack, TrackObject: 12, TrackState: "any"}, nil, &s)
	mustRegister(t, h, "eem", ds.Event{ID: "t", Type: ds.EventEEM, EEMLine: "event track 10 state up"}, nil, &s)

	deliver(h, v, "<189>1 2024-10-11T10:15:31.208321-05:00 sw1 app - - - %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi1/0/1, changed state to down")
	deliver(h, v, "%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/1, changed state to down")
	deliver(h, v, "*Mar  1 00:11:01.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface TenGigabitEthernet1/1/1, changed state to up")
	deliver(h, v, "%LINEPROTO-5-UPDOWN: Line protocol on Interface gi1/0/1, changed state to up")
	deliver(h, v, "%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi1/0/2, changed state to down")
	got := s.take()
	if want := []string{"down10/t", "any12/t", "eem/t"}; !slices.Equal(ids(got), want) {
		t.Fatalf("fired %v, want %v", ids(got), want)
	}
	if got[0].Payload != (track.Fire{Object: 10, State: "down", Prev: "unknown"}) || got[0].Host != "sw1" || got[2].Payload.(track.Fire).Prev != "down" {
		t.Errorf("fired %+v", got)
	}
	if st, ok := h.TrackState(10); st != StateUp || !ok {
		t.Errorf("TrackState(10) = %s %v", st, ok)
	}
	if st, ok := h.TrackState(11); st != StateUnknown || ok {
		t.Errorf("TrackState(11) = %s %v", st, ok)
	}
}

func TestHubNoneAndCallHome(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	mustRegister(t, h, "APPLET", ds.Event{ID: "e1", Type: ds.EventEEM, EEMLine: "event none"}, nil, &s)
	mustRegister(t, h, "6031", ds.Event{ID: "e1", Type: ds.EventCallHome, AlertGroup: "inventory"}, nil, &s)
	mustRegister(t, h, "6030", ds.Event{ID: "e1", Type: ds.EventCallHome, AlertGroup: "inventory"}, nil, &s)
	mustRegister(t, h, "6032", ds.Event{ID: "e1", Type: ds.EventCallHome, AlertGroup: "syslog"}, nil, &s)
	if n, err := h.Run("APPLET", []string{"Gi1/0/1"}); n != 1 || err != nil {
		t.Fatalf("Run = %d, %v", n, err)
	}
	if _, err := h.Run("6030", nil); err == nil {
		t.Error("ran a DS without event none")
	}
	got := s.take()
	if len(got) != 1 || got[0].Payload.(none.Fire).Args[0] != "Gi1/0/1" || !got[0].Time.Equal(v.Now()) {
		t.Fatalf("fired %+v", got)
	}
	if g := h.AlertGroupCommands("inventory"); !slices.Equal(g, []string{"6030", "6031"}) {
		t.Errorf("inventory: %v", g)
	}
	if g := h.AlertGroupCommands("crash"); len(g) != 0 {
		t.Errorf("crash: %v", g)
	}
	h.DeregisterOwner("6030")
	if g := h.AlertGroupCommands("inventory"); !slices.Equal(g, []string{"6031"}) {
		t.Errorf("inventory after deregistering 6030: %v", g)
	}
}

func TestHubCLI(t *testing.T) {
	h, _ := newHub(t, Options{})
	var s sink
	mustRegister(t, h, "APPLET", ds.Event{ID: "e1", Type: ds.EventEEM, EEMLine: `event cli pattern "^reload" sync no skip no`}, nil, &s)
	h.CLI("show version")
	h.CLI("reload in 5")
	if got := s.take(); len(got) != 1 || got[0].Payload.(cli.Fire).Command != "reload in 5" {
		t.Fatalf("fired %+v", got)
	}
}

func TestHubClose(t *testing.T) {
	v := clock.NewVirtual(t0)
	h := NewHub(context.Background(), Options{Clock: v})
	var s sink
	mustRegister(t, h, "x", ds.Event{ID: "e1", Type: ds.EventPeriodic, Timer: ds.TimerInterval, Interval: time.Second}, nil, &s)
	h.Close()
	if _, err := h.Register("x", syslogEvent("e", "x"), nil, s.fire); err != ErrClosed {
		t.Errorf("Register after Close: %v", err)
	}
	v.Advance(time.Minute)
	if len(s.take()) != 0 || v.Pending() != 0 {
		t.Error("a timer survived Close")
	}
}

// TestHubConcurrentRegistration delivers messages from one goroutine
// while two others register and deregister; run with -race. The stable
// registrations see every message; the churning ones never fire after
// their Deregister returned.
func TestHubConcurrentRegistration(t *testing.T) {
	h, v := newHub(t, Options{})
	var stable sink
	mustRegister(t, h, "stable", syslogEvent("e1", `%LINK-3-UPDOWN: Interface (\S+), changed state to down`), nil, &stable)
	mustRegister(t, h, "stable-oir", ds.Event{ID: "e1", Type: ds.EventOIR, Slot: ds.SlotAny, OIRAction: "any"}, nil, &stable)

	lines := []string{
		"<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to down",
		"%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled",
		"*Mar  1 00:11:01.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to up",
	}
	msgs := make([]events.Message, len(lines))
	for i, l := range lines {
		syslogmsg.ParseString(l, v.Now(), &msgs[i])
	}

	var lateFires atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var dead atomic.Bool
				fire := func(Fired) {
					if dead.Load() {
						lateFires.Add(1)
					}
				}
				owner := fmt.Sprintf("churn-%d-%d", g, i)
				regs, err := h.RegisterAll([]Spec{
					{Owner: owner, Event: syslogEvent("e1", fmt.Sprintf(`%%LINK-3-UPDOWN: Interface GigabitEthernet1/0/%d,`, 10+i%5)), Fire: fire},
					{Owner: owner, Event: ds.Event{ID: "e2", Type: ds.EventOIR, Slot: 3, OIRAction: "remove"}, Fire: fire},
				})
				if err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					h.Deregister(regs...)
				} else {
					h.DeregisterOwner(owner)
				}
				dead.Store(true)
			}
		})
	}
	const rounds = 3000
	for range rounds {
		for i := range msgs {
			h.Deliver(&msgs[i])
		}
	}
	close(stop)
	wg.Wait()

	if got := len(stable.take()); got != 2*rounds {
		t.Errorf("stable registrations fired %d times, want %d", got, 2*rounds)
	}
	// A fire already let through when Deregister ran may reach the owner
	// after it (Fired.Registration lets the owner drop it); it stays rare.
	if n := lateFires.Load(); n > 0 {
		t.Logf("%d fires raced a Deregister", n)
	}
	if regs := h.Registrations(); len(regs) != 2 {
		t.Errorf("%d registrations left, want 2", len(regs))
	}
}

// thousandPatterns returns 1,000 generated DS syslog patterns.
func thousandPatterns() []syslogdata.Pattern { return syslogdata.Patterns(1000, 2, 0.02) }

// registerThousand registers the generated patterns, except those that
// match one of the bodies given.
func registerThousand(tb testing.TB, h *Hub, fire func(Fired), except ...string) {
	tb.Helper()
	var specs []Spec
	for _, p := range thousandPatterns() {
		re := regexp.MustCompile(p.Regexp)
		if slices.ContainsFunc(except, re.MatchString) {
			continue
		}
		specs = append(specs, Spec{Owner: fmt.Sprint(p.ID), Event: syslogEvent("e1", p.Regexp), Fire: fire})
	}
	if _, err := h.RegisterAll(specs); err != nil {
		tb.Fatal(err)
	}
}

func TestHubNoAllocationWithoutMatch(t *testing.T) {
	h, v := newHub(t, Options{Tracks: []dsconfig.Track{{Number: 1, Kind: dsconfig.TrackInterface, Interface: "Gi9/9/9"}}})
	routed := []string{
		"%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled",
		"Sep  6 09:13:00 RouterName 82: Sep  6 14:12:56.872: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1)",
		"*Mar  1 00:11:01.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to up",
		"NTP Core (NOTICE): Clock synchronization lost.",
	}
	var bodies []string
	for _, l := range routed {
		var m events.Message
		syslogmsg.ParseString(l, t0, &m)
		bodies = append(bodies, m.Body)
	}
	var fires atomic.Int64
	registerThousand(t, h, func(Fired) { fires.Add(1) }, bodies...)
	if n := h.IndexStats().IDs; n < 950 {
		t.Fatalf("only %d patterns registered", n)
	}
	// Inputs of the other kinds are registered too, so their paths run.
	var s sink
	mustRegister(t, h, "oir", ds.Event{ID: "e", Type: ds.EventOIR, Slot: 99, OIRAction: "any"}, nil, &s)
	mustRegister(t, h, "cfg", ds.Event{ID: "e", Type: ds.EventConfig, Pattern: "never matches this"}, nil, &s)

	// Generated lines, and shapes routed to the OIR, config and track
	// paths; the test keeps those that fire nothing.
	var quiet []events.Message
	keep := func(m *events.Message) {
		before := fires.Load()
		h.Deliver(m)
		if fires.Load() == before && len(s.take()) == 0 {
			quiet = append(quiet, m.Clone())
		}
	}
	for _, l := range routed {
		var m events.Message
		syslogmsg.ParseString(l, v.Now(), &m)
		keep(&m)
	}
	if len(quiet) != 4 {
		t.Fatalf("%d of the 4 routed shapes match nothing", len(quiet))
	}
	for _, l := range syslogdata.Lines(1000, 7, t0) {
		var m events.Message
		syslogmsg.Parse(l, v.Now(), &m)
		keep(&m)
	}
	if len(quiet) < 100 {
		t.Fatalf("only %d lines match nothing", len(quiet))
	}

	fires.Store(0)
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	// AllocsPerRun rounds down, so count every allocation of whole passes.
	if a := testing.AllocsPerRun(10, func() {
		for i := range quiet {
			h.Deliver(&quiet[i])
		}
	}); a != 0 {
		t.Errorf("%v allocations delivering %d lines that match nothing", a, len(quiet))
	}
	if n, other := fires.Load(), s.take(); n != 0 || len(other) != 0 {
		t.Errorf("quiet lines fired %d syslog events and %v", n, ids(other))
	}
}

func TestHubReplace(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	old := mustRegister(t, h, "6030", ds.Event{ID: "e1", Type: ds.EventSyslog, Severity: ds.SeverityAny,
		Pattern: `Interface ${ds_intf},`}, map[string]string{"ds_intf": "Gi1/0/1"}, &s)
	newSpec := Spec{Owner: "6030", Event: ds.Event{ID: "e1", Type: ds.EventSyslog, Severity: ds.SeverityAny,
		Pattern: `Interface ${ds_intf},`}, Vars: map[string]string{"ds_intf": "Gi1/0/2"}, Fire: s.fire}
	// Feb 30 never comes: the periodic detector fails to start, and the
	// whole change is undone.
	never := Spec{Owner: "6030", Event: ds.Event{ID: "e2", Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "0 0 30 2 *"}, Fire: s.fire}
	if _, err := h.Replace([]Registration{old}, []Spec{newSpec, never}); err == nil {
		t.Fatal("no error for a schedule that never fires")
	}
	deliver(h, v, "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
	deliver(h, v, "%LINK-3-UPDOWN: Interface Gi1/0/2, changed state to down")
	if got := s.take(); len(got) != 1 || got[0].Registration != old.ID {
		t.Fatalf("after a failed Replace fired %+v", got)
	}
	regs, err := h.Replace([]Registration{old}, []Spec{newSpec})
	if err != nil {
		t.Fatal(err)
	}
	deliver(h, v, "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
	deliver(h, v, "%LINK-3-UPDOWN: Interface Gi1/0/2, changed state to down")
	if got := s.take(); len(got) != 1 || got[0].Registration != regs[0].ID || got[0].Vars()["ds_syslog_msg"] != "%LINK-3-UPDOWN: Interface Gi1/0/2, changed state to down" {
		t.Fatalf("after Replace fired %+v", got)
	}
	if all := h.Registrations(); len(all) != 1 || all[0].ID != regs[0].ID {
		t.Errorf("registrations %+v", all)
	}
}

func TestHubIPSLATrack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close() // down first: nothing listens
	h, v := newHub(t, Options{
		Tracks: []dsconfig.Track{{Number: 20, Kind: dsconfig.TrackIPSLA, SLA: 20, SLAMode: "reachability"}},
		SLAs:   []dsconfig.IPSLA{{Number: 20, Operation: "tcp-connect", Host: "127.0.0.1", Port: addr.Port, Frequency: 30 * time.Second, Timeout: time.Second}},
	})
	var s sink
	mustRegister(t, h, "6040", ds.Event{ID: "t", Type: ds.EventTrack, TrackObject: 20, TrackState: "any"}, nil, &s)
	v.Advance(0)
	if ln, err = net.Listen("tcp", addr.String()); err != nil {
		t.Fatalf("port taken meanwhile (rerun): %v", err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	v.Advance(30 * time.Second)
	ln.Close()
	v.Advance(30 * time.Second)
	var got []string
	for _, f := range s.take() {
		p := f.Payload.(track.Fire)
		got = append(got, p.Prev+">"+p.State+"@"+f.Time.Sub(t0).String())
	}
	if want := []string{"unknown>down@0s", "down>up@30s", "up>down@1m0s"}; !slices.Equal(got, want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
}

// A ratelimit, on any event type, drops the fires within its time of the
// last fire let through, on the hub's clock, and counts each drop.
func TestHubRateLimit(t *testing.T) {
	var mu sync.Mutex
	caps := map[string]int{}
	h, v := newHub(t, Options{OnCap: func(c string) { mu.Lock(); caps[c]++; mu.Unlock() }})
	var s sink
	mustRegister(t, h, "6030", ds.Event{ID: "e1", Type: ds.EventEEM,
		EEMLine: `event syslog pattern "%LINK-3-UPDOWN" ratelimit 10`}, nil, &s)
	mustRegister(t, h, "APPLET", ds.Event{ID: "e1", Type: ds.EventEEM, EEMLine: "event none ratelimit 2.5"}, nil, &s)
	mustRegister(t, h, "TICK", ds.Event{ID: "e1", Type: ds.EventEEM, EEMLine: "event timer watchdog time 1 ratelimit 3"}, nil, &s)
	down := "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"
	fires := func() map[string]int {
		n := map[string]int{}
		for _, f := range s.take() {
			n[f.Owner]++
		}
		return n
	}

	deliver(h, v, down) // 0s: fires
	h.Run("APPLET", nil)
	h.Run("APPLET", nil) // dropped
	v.Advance(5 * time.Second)
	deliver(h, v, down) // 5s: dropped
	v.Advance(4*time.Second + 999*time.Millisecond)
	deliver(h, v, down) // 9.999s: dropped
	v.Advance(time.Millisecond)
	deliver(h, v, down) // 10s: fires
	h.Run("APPLET", nil)
	// The watchdog expired each second from 1s to 10s: those at 1, 4, 7
	// and 10 passed.
	if got, want := fires(), map[string]int{"6030": 2, "APPLET": 2, "TICK": 4}; !maps.Equal(got, want) {
		t.Errorf("fired %v, want %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if caps[CapRateLimit] != 2+1+6 {
		t.Errorf("%d fires counted as dropped, want 9", caps[CapRateLimit])
	}
}

// Counter changes reach the counter events that name the counter, through
// CounterChanged, with no switch on the type in the hub.
func TestHubCounter(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	mustRegister(t, h, "A", ds.Event{ID: "e1", Type: ds.EventEEM,
		EEMLine: "event counter name flaps entry-op ge entry-val 3 exit-op lt exit-val 3"}, nil, &s)
	mustRegister(t, h, "B", ds.Event{ID: "e1", Type: ds.EventEEM,
		EEMLine: "event counter name other entry-op ge entry-val 1 exit-time 10"}, nil, &s)
	for _, n := range []int64{1, 2, 3, 4} {
		h.CounterChanged("flaps", n)
	}
	got := s.take()
	if len(got) != 1 || got[0].Owner != "A" || got[0].Payload.(counter.Fire).Value != 3 || !got[0].Time.Equal(v.Now()) {
		t.Fatalf("fired %+v", got)
	}
	if b := Builtins(got[0]); b["_counter_name"] != "flaps" || b["_event_type_string"] != "counter" {
		t.Errorf("builtins %v", b)
	}
	h.DeregisterOwner("A")
	h.CounterChanged("flaps", 0)
	h.CounterChanged("flaps", 5)
	if got := s.take(); len(got) != 0 {
		t.Errorf("fired after deregistering: %v", ids(got))
	}
}

// TestHubReplaceManyOnEveryCore: a batch large enough to be built on every
// core registers each spec under its own owner, and of several bad specs
// the error names the first in the batch's order.
func TestHubReplaceManyOnEveryCore(t *testing.T) {
	h, v := newHub(t, Options{})
	var s sink
	var specs []Spec
	for i := range 3 * parallelBuild {
		specs = append(specs, Spec{Owner: fmt.Sprint(10000 + i), Fire: s.fire,
			Event: syslogEvent("e1", fmt.Sprintf(`%%LINK-3-UPDOWN: Interface Gi%d/0/%d, changed state to down`, i/48, i%48))})
	}
	bad := slices.Clone(specs)
	bad[300].Event.Pattern, bad[700].Event.Pattern = "(unclosed", "[also"
	if _, err := h.Replace(nil, bad); err == nil || !strings.Contains(err.Error(), "register 10300 event e1") {
		t.Fatalf("err %v, want the first bad spec's (10300)", err)
	}
	regs, err := h.Replace(nil, specs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range regs {
		if r.Owner != specs[i].Owner {
			t.Fatalf("registration %d is %s's, want %s's", i, r.Owner, specs[i].Owner)
		}
	}
	deliver(h, v, "%LINK-3-UPDOWN: Interface Gi10/0/17, changed state to down")
	if got := ids(s.take()); !slices.Equal(got, []string{fmt.Sprint(10000+10*48+17) + "/e1"}) {
		t.Errorf("fired %v", got)
	}
}
