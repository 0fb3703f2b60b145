package registry

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/vars"
)

// effects records what the actions would do.
// effects records the actions the engine performs, their text rendered
// with the run's variables.
type effects struct{ calls []string }

func (e *effects) Perform(_ context.Context, run *engine.Run, a ds.Action) (string, error) {
	text, _ := vars.Substitute(a.Text, run.Values())
	switch a.Type {
	case ds.ActionCommand:
		e.calls = append(e.calls, "command "+text)
		return "output\n", nil
	case ds.ActionCallHome:
		e.calls = append(e.calls, "call-home "+run.Sig.ID)
	case ds.ActionMessage:
		e.calls = append(e.calls, "message "+text)
	}
	return "ok", nil
}

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

type fixture struct {
	clk *clock.Virtual
	hub *detect.Hub
	reg *Registry
	fx  *effects
	env map[string]string
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{clk: clock.NewVirtual(t0), fx: &effects{}, env: map[string]string{}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f.hub = detect.NewHub(ctx, detect.Options{Clock: f.clk, Host: "edge-1"})
	t.Cleanup(f.hub.Close)
	eng := engine.New(engine.Options{Clock: f.clk, Actions: f.fx, Synchronous: true, Hostname: "edge-1",
		Known: func() vars.Known { return vars.Known{Environment: f.env} }})
	f.reg = New(ctx, Options{Hub: f.hub, Engine: eng, Clock: f.clk, Hostname: "edge-1",
		Known: func() vars.Known { return vars.Known{Environment: f.env} }})
	return f
}

func (f *fixture) syslog(t *testing.T, at time.Duration, line string) {
	t.Helper()
	f.clk.Set(t0.Add(at))
	var m events.Message
	syslogmsg.Parse([]byte(line), f.clk.Now(), &m)
	f.hub.Deliver(&m)
}

func sig(t testing.TB, xml string) *ds.Signature {
	t.Helper()
	s, err := parse.ParseSignature("t.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const single = `<DiagnosticSignature id="6050" revision="1.0"><Name>Down</Name>
  <Variables><Variable name="ds_intf" source="prompt" prompt="i"/></Variables>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface ${ds_intf}, changed state to down"/></Events>
  <Actions><Action type="command">show interfaces ${ds_intf}</Action><Action type="message">${ds_syslog_msg}</Action></Actions>
</DiagnosticSignature>`

const correlated = `<DiagnosticSignature id="6032" revision="1.0"><Name>Multi</Name>
  <Events>
    <Event id="down" type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/>
    <Event id="out" type="oir" slot="any" action="remove"/>
    <Correlate window="120s">down and out</Correlate>
  </Events>
  <Actions><Action type="command">show interfaces ${ds_syslog_1}</Action><Action type="call-home"/></Actions>
</DiagnosticSignature>`

func TestSingleEventWithPromptInPattern(t *testing.T) {
	f := newFixture(t)
	s := sig(t, single)
	if failed := f.reg.Sync([]Want{{Sig: s, Prompts: map[string]string{"ds_intf": "Gi1/0/5"}}}); len(failed) != 0 {
		t.Fatal(failed)
	}
	f.syslog(t, 0, "*Mar  1 00:11:00.343: %LINK-3-UPDOWN: Interface Gi1/0/4, changed state to down")
	f.syslog(t, time.Second, "<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down")
	want := "command show interfaces Gi1/0/5\nmessage %LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down"
	if got := strings.Join(f.fx.calls, "\n"); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
	// A new answer re-registers the DS with the new pattern.
	f.fx.calls = nil
	f.reg.Sync([]Want{{Sig: s, Prompts: map[string]string{"ds_intf": "Gi1/0/4"}}})
	f.syslog(t, 2*time.Second, "%LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down")
	f.syslog(t, 3*time.Second, "%LINK-3-UPDOWN: Interface Gi1/0/4, changed state to down")
	if len(f.fx.calls) != 2 || f.fx.calls[0] != "command show interfaces Gi1/0/4" {
		t.Errorf("after the new answer: %q", f.fx.calls)
	}
	// Removed (pending, deinstalled): no more triggers.
	f.fx.calls = nil
	f.reg.Sync(nil)
	f.syslog(t, 4*time.Second, "%LINK-3-UPDOWN: Interface Gi1/0/4, changed state to down")
	if len(f.fx.calls) != 0 || len(f.reg.IDs()) != 0 {
		t.Errorf("after removal: %q, %v", f.fx.calls, f.reg.IDs())
	}
}

func TestCorrelatedSyslogAndOIR(t *testing.T) {
	f := newFixture(t)
	f.reg.Sync([]Want{{Sig: sig(t, correlated)}})
	f.syslog(t, 0, "%LINK-3-UPDOWN: Interface Gi3/0/1, changed state to down")
	f.clk.Set(t0.Add(150 * time.Second)) // outside the window
	f.hub.InjectOIR(3, "remove")
	if len(f.fx.calls) != 0 {
		t.Fatalf("fired outside the window: %q", f.fx.calls)
	}
	f.syslog(t, 160*time.Second, "%LINK-3-UPDOWN: Interface Gi3/0/2, changed state to down")
	want := "command show interfaces Gi3/0/2\ncall-home 6032"
	if got := strings.Join(f.fx.calls, "\n"); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
}

func TestBadDSDoesNotBlockOthers(t *testing.T) {
	f := newFixture(t)
	bad := sig(t, single) // ds_intf unanswered: the rendered pattern keeps ${ds_intf}
	good := sig(t, correlated)
	failed := f.reg.Sync([]Want{{Sig: bad}, {Sig: good}})
	if ids := f.reg.IDs(); len(ids) != 1 || ids[0] != "6032" {
		t.Errorf("registered %v (failed %v), want 6032 only", ids, failed)
	}
	if failed["6050"] == nil {
		t.Errorf("6050 registered without its prompt value: %v", failed)
	}
}

const once = `<DiagnosticSignature id="6042" revision="1.0"><Name>Once</Name>
  <Events><Event type="immediate"/></Events>
  <Actions><Action type="message">baseline</Action></Actions>
</DiagnosticSignature>`

// An immediate DS fires once when installed; after a restart (a new hub and
// registry) it does not fire again once it ran.
func TestImmediateFiresOncePerInstall(t *testing.T) {
	f := newFixture(t)
	s := sig(t, once)
	f.reg.Sync([]Want{{Sig: s}})
	f.clk.Advance(time.Second)
	if len(f.fx.calls) != 1 {
		t.Fatalf("first registration: %q, want one run", f.fx.calls)
	}
	restarted := newFixture(t)
	if failed := restarted.reg.Sync([]Want{{Sig: s, Ran: true}}); len(failed) != 0 {
		t.Fatal(failed)
	}
	restarted.clk.Advance(time.Second)
	if len(restarted.fx.calls) != 0 || len(restarted.reg.IDs()) != 1 {
		t.Errorf("after a restart: calls %q, registered %v; want no run, still registered", restarted.fx.calls, restarted.reg.IDs())
	}
}

// countingEffects counts the message actions of each DS, from any
// goroutine.
type countingEffects struct {
	mu   sync.Mutex
	runs map[string]int
	any  chan struct{} // a value after each run
}

func (e *countingEffects) Perform(_ context.Context, run *engine.Run, a ds.Action) (string, error) {
	if a.Type != ds.ActionMessage {
		return "ok", nil
	}
	e.mu.Lock()
	e.runs[run.Sig.ID]++
	e.mu.Unlock()
	select {
	case e.any <- struct{}{}:
	default:
	}
	return "ok", nil
}

// An immediate event fires from the clock's goroutine as soon as its
// detector starts, which can be before Sync has finished adopting the DS:
// that fire must still trigger the DS, once. Registered one by one, as the
// daemon registers each DS it installs, on the real clock.
func TestImmediateFireDuringSyncIsNotLost(t *testing.T) {
	const n = 300
	ctx, cancel := context.WithCancel(context.Background())
	hub := detect.NewHub(ctx, detect.Options{Clock: ds.RealClock{}, Host: "edge-1"})
	fx := &countingEffects{runs: map[string]int{}, any: make(chan struct{}, 1)}
	eng := engine.New(engine.Options{Clock: ds.RealClock{}, Actions: fx, Hostname: "edge-1"})
	reg := New(ctx, Options{Hub: hub, Engine: eng, Clock: ds.RealClock{}, Hostname: "edge-1"})
	t.Cleanup(func() { reg.Close(); hub.Close(); cancel(); eng.Wait() })

	var want []Want
	for i := range n {
		id := strconv.Itoa(7000 + i)
		want = append(want, Want{Sig: sig(t, strings.Replace(once, `id="6042"`, `id="`+id+`"`, 1))})
		if failed := reg.Sync(want); len(failed) != 0 {
			t.Fatal(failed)
		}
	}
	count := func() (done int, twice []string) {
		fx.mu.Lock()
		defer fx.mu.Unlock()
		for id, c := range fx.runs {
			if c > 1 {
				twice = append(twice, id)
			}
		}
		return len(fx.runs), twice
	}
	deadline := time.After(10 * time.Second)
	for {
		done, twice := count()
		if len(twice) > 0 {
			t.Fatalf("DS %v ran more than once", twice)
		}
		if done == n {
			return
		}
		select {
		case <-fx.any:
		case <-deadline:
			var lost []string
			fx.mu.Lock()
			for _, w := range want {
				if fx.runs[w.Sig.ID] == 0 {
					lost = append(lost, w.Sig.ID)
				}
			}
			fx.mu.Unlock()
			t.Fatalf("%d of %d immediate DS never ran: %v", len(lost), n, lost)
		}
	}
}

// originEffects records the origin each action's run carries.
type originEffects struct{ origins []string }

func (e *originEffects) Perform(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	o := events.OriginFrom(ctx)
	e.origins = append(e.origins, o.Owner+"@"+strconv.Itoa(o.Depth))
	return "ok", nil
}

// TestEchoOriginAndDepth: with a real hub, registry and engine, a run
// carries its DS and one echo deeper than the line that triggered it; an
// echoed line is not delivered to the DS that logged it, and one at the
// echo depth to none.
func TestEchoOriginAndDepth(t *testing.T) {
	clk := clock.NewVirtual(t0)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var capsHit []string
	hub := detect.NewHub(ctx, detect.Options{Clock: clk, Host: "edge-1", OnCap: func(c string) { capsHit = append(capsHit, c) }})
	t.Cleanup(hub.Close)
	fx := &originEffects{}
	eng := engine.New(engine.Options{Clock: clk, Actions: fx, Synchronous: true, Hostname: "edge-1"})
	reg := New(ctx, Options{Hub: hub, Engine: eng, Clock: clk, Hostname: "edge-1"})
	loop := func(id string) Want {
		return Want{Sig: sig(t, `<DiagnosticSignature id="`+id+`" revision="1"><Name>n</Name>
  <Events><Event type="syslog" pattern="%DS-5-MSG: loop"/></Events>
  <Actions><Action type="message">loop</Action></Actions></DiagnosticSignature>`)}
	}
	if failed := reg.Sync([]Want{loop("7801"), loop("7802")}); len(failed) != 0 {
		t.Fatal(failed)
	}
	deliver := func(from events.Origin) {
		var m events.Message
		syslogmsg.Parse([]byte("%DS-5-MSG: loop"), clk.Now(), &m)
		m.Origin = from
		hub.Deliver(&m)
	}
	deliver(events.Origin{})
	deliver(events.Origin{Owner: "7801", Depth: 1})
	deliver(events.Origin{Owner: "applet:X", Depth: 3})
	deliver(events.Origin{Owner: "applet:X", Depth: events.MaxEchoDepth})
	slices.Sort(fx.origins)
	want := []string{"7801@1", "7801@4", "7802@1", "7802@2", "7802@4"}
	if !slices.Equal(fx.origins, want) {
		t.Errorf("runs %v, want %v", fx.origins, want)
	}
	if want := []string{detect.CapSelfEcho, detect.CapEchoDepth}; !slices.Equal(capsHit, want) {
		t.Errorf("caps hit %v, want %v", capsHit, want)
	}
}

// A Sync that replaces a DS and adds a bad one: the batch fails on the
// bad one, the replaced DS's old detectors still go, and its new ones
// register alone — a line fires it once, not twice.
func TestReplaceWithABadDSInTheBatch(t *testing.T) {
	f := newFixture(t)
	if failed := f.reg.Sync([]Want{{Sig: sig(t, correlated)}}); len(failed) > 0 {
		t.Fatal(failed)
	}
	failed := f.reg.Sync([]Want{{Sig: sig(t, correlated)}, {Sig: sig(t, single)}})
	if failed["6050"] == nil || len(failed) != 1 {
		t.Errorf("failed %v, want 6050 only", failed)
	}
	n := 0
	for _, r := range f.hub.Registrations() {
		if r.Owner == "6032" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("6032 has %d registrations, want its 2 events once", n)
	}
}

// TestValuesOnlyWhereEventsNameThem: a DS whose events name no variable is
// registered once, whatever the environment does; one whose pattern names
// an environment variable is registered again with the new value, and
// both DS's actions see the value of the time they run.
func TestValuesOnlyWhereEventsNameThem(t *testing.T) {
	const plain = `<DiagnosticSignature id="7101" revision="1.0"><Name>Plain</Name>
  <Variables><Variable name="ds_site" source="environment"/></Variables>
  <Events><Event type="syslog" pattern="%SYS-5-RESTART"/></Events>
  <Actions><Action type="message">restart at ${ds_site}</Action></Actions>
</DiagnosticSignature>`
	const named = `<DiagnosticSignature id="7102" revision="1.0"><Name>Named</Name>
  <Variables><Variable name="ds_intf" source="environment"/></Variables>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface ${ds_intf}, changed state to down"/></Events>
  <Actions><Action type="message">down ${ds_intf}</Action></Actions>
</DiagnosticSignature>`
	f := newFixture(t)
	f.env["ds_site"], f.env["ds_intf"] = "paris", "Gi1/0/1"
	want := []Want{{Sig: sig(t, plain)}, {Sig: sig(t, named)}}
	if failed := f.reg.Sync(want); len(failed) != 0 {
		t.Fatal(failed)
	}
	regs := func() map[string]uint64 {
		out := map[string]uint64{}
		for _, r := range f.hub.Registrations() {
			out[r.Owner] = r.ID
		}
		return out
	}
	before := regs()
	f.env["ds_site"], f.env["ds_intf"] = "lyon", "Gi1/0/2"
	f.reg.Sync(want)
	after := regs()
	if after["7101"] != before["7101"] {
		t.Errorf("DS 7101 names no variable in its events and was registered again")
	}
	if after["7102"] == before["7102"] {
		t.Errorf("DS 7102's pattern names ds_intf, which changed, and it was not registered again")
	}
	f.syslog(t, 0, "%SYS-5-RESTART: System restarted")
	f.syslog(t, time.Second, "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
	f.syslog(t, 2*time.Second, "%LINK-3-UPDOWN: Interface Gi1/0/2, changed state to down")
	if got, want := strings.Join(f.fx.calls, "\n"), "message restart at lyon\nmessage down Gi1/0/2"; got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
}
