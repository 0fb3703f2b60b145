package engine_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/vars"
)

// recorder performs actions by answering commands from a table and
// recording each action, its text as written (ds/actions renders it).
type recorder struct {
	mu       sync.Mutex
	outputs  map[string]string
	calls    []string
	block    chan struct{} // when set, commands wait on it
	started  chan struct{} // when set, gets a value as each command starts
	inflight int
	maxIn    int
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	r.calls = append(r.calls, s)
	r.mu.Unlock()
}

func (r *recorder) Perform(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	if a.Type != ds.ActionCommand {
		r.note(string(a.Type))
		return "done", nil
	}
	r.mu.Lock()
	r.inflight++
	if r.inflight > r.maxIn {
		r.maxIn = r.inflight
	}
	r.mu.Unlock()
	defer func() { r.mu.Lock(); r.inflight--; r.mu.Unlock() }()
	if r.started != nil {
		r.started <- struct{}{}
	}
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	r.note("command " + a.Text)
	out, ok := r.outputs[a.Text]
	if !ok {
		return "", errors.New("no such command")
	}
	run.Outputs = append(run.Outputs, engine.CommandOutput{Command: a.Text, Output: out})
	return out, nil
}

const sample = `<DiagnosticSignature id="6030" revision="1.1">
  <Name>ActCH</Name>
  <Variables>
    <Variable name="ds_intf" source="prompt" prompt="Interface"/>
    <Variable name="ds_env1" source="environment"/>
    <Variable name="ds_uptime" source="regex" command="show version" pattern="uptime is ([^\n]+)"/>
  </Variables>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/></Events>
  <Actions>
    <Action type="command">show interfaces ${ds_syslog_1}</Action>
    <Action type="command">show bogus</Action>
    <Action type="call-home"/>
    <Action type="emailto" to="noc@example.com" subject="${ds_hostname}: ${ds_intf}">up ${ds_uptime} env ${ds_env1}</Action>
    <Action type="script" lang="lua">print(ds_uptime)</Action>
    <Action type="message">DS ${ds_signature_id} on ${ds_syslog_1}</Action>
  </Actions>
</DiagnosticSignature>`

func mustSig(t *testing.T, xml string) *ds.Signature {
	t.Helper()
	sig, err := parse.ParseSignature("test.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

var t0 = time.Date(2026, 11, 23, 14, 46, 17, 0, time.UTC)

func linkDown(intf string) engine.Trigger {
	return engine.Trigger{Time: t0, Events: []engine.Event{{ID: "e1", Type: ds.EventSyslog, Time: t0,
		Text: "%LINK-3-UPDOWN: Interface " + intf + ", changed state to down",
		Vars: map[string]string{"ds_syslog_1": intf, "ds_syslog_msg": "Interface " + intf + ", changed state to down"}}}}
}

// TestRunRunsActionsInOrder: the actions run in document order with the
// run's variables resolved; a failed action is recorded and the run goes
// on; OnRunStart comes before the first action and OnRunDone has the
// statistics.
func TestRunRunsActionsInOrder(t *testing.T) {
	rec := &recorder{outputs: map[string]string{"show interfaces ${ds_syslog_1}": "Gi1/0/5 is down\n"}}
	var records []engine.Record
	var done engine.RunStats
	var started []string
	var values map[string]string
	e := engine.New(engine.Options{Clock: clock.NewVirtual(t0), Actions: performFunc(func(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
		values = run.Values()
		return rec.Perform(ctx, run, a)
	}), Synchronous: true, Hostname: "edge-1",
		OnRunStart: func(id string) { started = append(started, id+" before "+fmt.Sprint(len(rec.calls))) },
		Known:      func() vars.Known { return vars.Known{Environment: map[string]string{"ds_env1": "abc"}} },
		Report:     func(r engine.Record) { records = append(records, r) },
		OnRunDone:  func(id string, s engine.RunStats) { done = s }})
	e.Add(context.Background(), mustSig(t, sample), map[string]string{"ds_intf": "Gi1/0/5"})
	e.Fire(context.Background(), "6030", linkDown("Gi1/0/5"))

	want := []string{"command show interfaces ${ds_syslog_1}", "command show bogus", "call-home", "emailto", "script", "message"}
	if strings.Join(rec.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(rec.calls, "\n"), strings.Join(want, "\n"))
	}
	if len(records) != 7 || records[0].Kind != "trigger" || records[2].Kind != "error" || !strings.Contains(records[2].Detail, "no such command") {
		t.Errorf("records: %+v", records)
	}
	if len(started) != 1 || started[0] != "6030 before 0" {
		t.Errorf("OnRunStart: %q, want once before the first action", started)
	}
	if done.Failed != 1 || done.ByType.Of(ds.ActionCommand) != 2 || done.LastFail {
		t.Errorf("run stats: %+v", done)
	}
	for k, v := range map[string]string{"ds_syslog_1": "Gi1/0/5", "ds_intf": "Gi1/0/5", "ds_env1": "abc", "ds_hostname": "edge-1",
		"ds_signature_id": "6030"} {
		if values[k] != v {
			t.Errorf("run value %s = %q, want %q", k, values[k], v)
		}
	}
}

// performFunc is an Actions of one function.
type performFunc func(ctx context.Context, run *engine.Run, a ds.Action) (string, error)

func (f performFunc) Perform(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	return f(ctx, run, a)
}

func TestRunsOfOneDSNeverOverlapAndExcessIsDropped(t *testing.T) {
	rec := &recorder{outputs: map[string]string{"show interfaces Gi0/1": "x\n", "show bogus": "", "show version": "uptime is 1\n"},
		block: make(chan struct{}), started: make(chan struct{}, 100)}
	var mu sync.Mutex
	dropped := 0
	runs := make(chan struct{}, 100)
	e := engine.New(engine.Options{Clock: ds.RealClock{}, Actions: rec, QueueDepth: 2, MaxRun: 5 * time.Second,
		Known: func() vars.Known { return vars.Known{Environment: map[string]string{"ds_env1": "abc"}} },
		Report: func(r engine.Record) {
			if r.Kind == "dropped" {
				mu.Lock()
				dropped++
				mu.Unlock()
			}
		},
		OnRunDone: func(string, engine.RunStats) { runs <- struct{}{} }})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	e.Add(ctx, mustSig(t, sample), map[string]string{"ds_intf": "Gi0/1"})
	e.Fire(ctx, "6030", linkDown("Gi0/1")) // taken by the worker, blocks in its first command
	<-rec.started
	for i := 0; i < 5; i++ { // two wait in the queue, three are dropped
		e.Fire(ctx, "6030", linkDown("Gi0/1"))
	}
	close(rec.block)
	for i := 0; i < 3; i++ {
		select {
		case <-runs:
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d runs finished", i)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if dropped != 3 {
		t.Errorf("dropped %d triggers, want 3", dropped)
	}
	if rec.maxIn != 1 {
		t.Errorf("%d commands ran at once; runs of one DS must not overlap", rec.maxIn)
	}
}

func TestMaxRunStopsARun(t *testing.T) {
	rec := &recorder{outputs: map[string]string{}, block: make(chan struct{})}
	var last engine.RunStats
	done := make(chan struct{})
	e := engine.New(engine.Options{Clock: ds.RealClock{}, Actions: rec, MaxRun: 100 * time.Millisecond,
		Known:     func() vars.Known { return vars.Known{Environment: map[string]string{"ds_env1": "abc"}} },
		OnRunDone: func(_ string, s engine.RunStats) { last = s; close(done) }})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	e.Add(ctx, mustSig(t, sample), map[string]string{"ds_intf": "Gi0/1"})
	e.Fire(ctx, "6030", linkDown("Gi0/1"))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("maxrun did not stop the run")
	}
	if !last.LastFail || last.Last != "maxrun exceeded" {
		t.Errorf("last: %+v", last)
	}
}

// Fire counts triggers and drops while the metrics scrape reads Stats
// from another goroutine: the counters must be safe to read concurrently
// (run with -race).
func TestStatsWhileFiring(t *testing.T) {
	rec := &recorder{outputs: map[string]string{}, block: make(chan struct{})}
	e := engine.New(engine.Options{Clock: ds.RealClock{}, Actions: rec, QueueDepth: 1,
		Known: func() vars.Known { return vars.Known{Environment: map[string]string{"ds_env1": "abc"}} }})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	e.Add(ctx, mustSig(t, sample), map[string]string{"ds_intf": "Gi0/1"})

	const fires = 200
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range fires {
			e.Fire(ctx, "6030", linkDown("Gi0/1"))
		}
	}()
	var last [2]int64
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		last = e.Stats()["6030"]
	}
	last = e.Stats()["6030"]
	close(rec.block)
	// The worker holds one run, the queue one more: every other trigger
	// was dropped, and every one was counted.
	if last[0] != fires || last[1] < fires-2 || last[1] > fires {
		t.Errorf("stats %v after %d fires, want %d triggers and %d to %d dropped", last, fires, fires, fires-2, fires)
	}
}

// TestSuppressEndsTheRun: an action that returns a *SuppressError with
// its result ends the run there: it is recorded as run, a "suppressed"
// record says why and how many actions were left out, the later actions
// do not run, and the run counts as suppressed, not completed.
func TestSuppressEndsTheRun(t *testing.T) {
	var calls []string
	var records []engine.Record
	var done []engine.RunStats
	stop := true
	e := engine.New(engine.Options{Clock: clock.NewVirtual(t0), Synchronous: true,
		Known: func() vars.Known { return vars.Known{Environment: map[string]string{"ds_env1": "abc"}} },
		Actions: performFunc(func(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
			calls = append(calls, string(a.Type))
			if a.Type == ds.ActionScript && stop {
				return "lua: ran", &engine.SuppressError{Reason: "ds_stop: below threshold"}
			}
			return "done", nil
		}),
		Report:    func(r engine.Record) { records = append(records, r) },
		OnRunDone: func(_ string, s engine.RunStats) { done = append(done, s) }})
	e.Add(context.Background(), mustSig(t, sample), map[string]string{"ds_intf": "Gi1/0/5"})
	e.Fire(context.Background(), "6030", linkDown("Gi1/0/5"))

	want := "command command call-home emailto script"
	if got := strings.Join(calls, " "); got != want {
		t.Errorf("actions run: %s, want %s (the message action after the script must not run)", got, want)
	}
	last := records[len(records)-1]
	if last.Kind != "suppressed" || last.Type != "script" || last.Failed ||
		last.Detail != "action 5 ended the run (ds_stop: below threshold); 1 later action not run" {
		t.Errorf("last record: %+v", last)
	}
	if r := records[len(records)-2]; r.Kind != "action" || r.Detail != "lua: ran" {
		t.Errorf("the script's own record: %+v, want an action record with its result", r)
	}
	if len(done) != 1 || done[0].Outcome != engine.Suppressed || done[0].Reason != "ds_stop: below threshold" ||
		done[0].NotRun != 1 || done[0].Failed != 0 || done[0].ByType.Of(ds.ActionScript) != 1 {
		t.Errorf("run stats: %+v", done)
	}

	stop = false
	e.Fire(context.Background(), "6030", linkDown("Gi1/0/5"))
	e.Fire(context.Background(), "6030", linkDown("Gi1/0/5"))
	if done[2].Outcome != engine.Completed || done[2].Reason != "" || done[2].NotRun != 0 {
		t.Errorf("a run that went to the end: %+v", done[2])
	}
	got := e.Counts()["6030"]
	if want := (engine.Counts{Triggers: 3, Completed: 2, Suppressed: 1}); got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
}

// TestFailedRunIsCounted: a run cut short by maxrun is Failed, says which
// actions it left out, and is counted apart from completed ones.
func TestFailedRunIsCounted(t *testing.T) {
	clk := clock.NewVirtual(t0)
	var done engine.RunStats
	var records []engine.Record
	e := engine.New(engine.Options{Clock: clk, Synchronous: true, MaxRun: 10 * time.Millisecond,
		Known: func() vars.Known { return vars.Known{Environment: map[string]string{"ds_env1": "abc"}} },
		Actions: performFunc(func(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
			if a.Type == ds.ActionCallHome {
				<-ctx.Done() // the maxrun deadline is real time; wait for it
				return "", ctx.Err()
			}
			return "done", nil
		}),
		Report:    func(r engine.Record) { records = append(records, r) },
		OnRunDone: func(_ string, s engine.RunStats) { done = s }})
	e.Add(context.Background(), mustSig(t, sample), map[string]string{"ds_intf": "Gi1/0/5"})
	e.Fire(context.Background(), "6030", linkDown("Gi1/0/5"))
	if done.Outcome != engine.Failed || done.NotRun != 3 || !strings.Contains(done.Reason, "maxrun") {
		t.Errorf("run stats: %+v", done)
	}
	if last := records[len(records)-1]; last.Detail != "actions 4 to 6 not run: the run exceeded maxrun 10ms" {
		t.Errorf("last record: %+v", last)
	}
	if c := e.Counts()["6030"]; c.Failed != 1 || c.Completed != 0 {
		t.Errorf("counts %+v", c)
	}
}

// TestTriggerDone: a trigger's Done hears of its run's end, and of a
// trigger that will never run (its DS unknown, or removed while the
// trigger waited in the queue): a fleet executor acks its intent then.
func TestTriggerDone(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	e := engine.New(engine.Options{Clock: clock.NewVirtual(t0), QueueDepth: 4,
		Actions: performFunc(func(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
			started <- struct{}{}
			<-release
			return "done", nil
		})})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.Add(ctx, mustSig(t, sample), map[string]string{"ds_intf": "Gi1/0/5"})
	done := make(chan engine.RunStats, 4)
	tr := linkDown("Gi1/0/5")
	tr.Done = func(s engine.RunStats) { done <- s }
	e.Fire(ctx, "nope", tr)
	if s := <-done; !s.Skipped || s.Reason != "the DS is not registered" {
		t.Errorf("unknown DS: %+v", s)
	}
	e.Fire(ctx, "6030", tr)
	<-started
	e.Fire(ctx, "6030", tr) // queued behind the run
	e.Remove("6030")
	if s := <-done; !s.Skipped || s.Reason != "the DS was removed before the trigger ran" {
		t.Errorf("queued, then removed: %+v", s)
	}
	close(release)
	if s := <-done; s.Skipped || s.Outcome != engine.Failed || s.Reason == "" {
		t.Errorf("the run the removal stopped: %+v", s)
	}
}

// TestIdleDSHoldNoGoroutine: a DS has a worker only while it has triggers
// to run (10,000 idle workers held 35 MB), and one that fires again after
// its worker ended gets a new one.
func TestIdleDSHoldNoGoroutine(t *testing.T) {
	runs := make(chan string, 4)
	e := engine.New(engine.Options{Clock: clock.NewVirtual(t0),
		Actions:   performFunc(func(context.Context, *engine.Run, ds.Action) (string, error) { return "done", nil }),
		OnRunDone: func(id string, _ engine.RunStats) { runs <- id }})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	before := runtime.NumGoroutine()
	for i := range 1000 {
		sig := mustSig(t, sample)
		sig.ID = fmt.Sprint(10000 + i)
		e.Add(ctx, sig, nil)
	}
	if n := runtime.NumGoroutine() - before; n > 10 {
		t.Errorf("1,000 idle DS started %d goroutines", n)
	}
	for range 3 { // each run ends its worker's queue: the next Fire starts one again
		e.Fire(ctx, "10007", linkDown("Gi0/1"))
		if id := <-runs; id != "10007" {
			t.Fatalf("ran DS %s", id)
		}
	}
}

// TestStopEndsQueuedTriggers: when the engine's context ends, a trigger
// queued behind a run is told it did not run (a fleet executor then
// leaves its intent to another), and the worker ends.
func TestStopEndsQueuedTriggers(t *testing.T) {
	started := make(chan struct{}, 1)
	e := engine.New(engine.Options{Clock: clock.NewVirtual(t0), QueueDepth: 4,
		Actions: performFunc(func(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
			select {
			case started <- struct{}{}:
			default:
			}
			<-ctx.Done()
			return "", ctx.Err()
		})})
	ctx, cancel := context.WithCancel(context.Background())
	e.Add(ctx, mustSig(t, sample), nil)
	done := make(chan engine.RunStats, 2)
	tr := linkDown("Gi0/1")
	tr.Done = func(s engine.RunStats) { done <- s }
	e.Fire(ctx, "6030", tr)
	<-started
	e.Fire(ctx, "6030", tr)
	cancel()
	e.Wait()
	var skipped int
	for range 2 {
		if s := <-done; s.Skipped {
			skipped++
		}
	}
	if skipped != 1 {
		t.Errorf("%d of the 2 triggers were skipped, want the queued one", skipped)
	}
	e.Fire(ctx, "6030", tr)
	if s := <-done; !s.Skipped || s.Reason != "the engine is stopping" {
		t.Errorf("a trigger after the stop: %+v", s)
	}
}
