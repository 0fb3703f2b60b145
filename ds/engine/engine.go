package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/dsengine/dsengine/internal/english"
)

// Defaults for a DS run.
const (
	DefaultMaxRun     = 60 * time.Second // a whole run of a DS's actions
	DefaultQueueDepth = 16               // triggers waiting behind a run
)

// Trigger is one firing of a DS: the event (or correlated events) that
// raised it, and the variables the event supplies (syslog variables).
type Trigger struct {
	Time   time.Time
	Events []Event // the events that made it fire; the last one fired it
	// Done, when set, is called once the trigger's run ended, or with a
	// Failed outcome when the trigger was dropped or its DS removed before
	// it ran: a fleet executor acks the trigger's intent then.
	Done func(RunStats) `json:"-"`
}

// notRun tells t's Done that it will not run, and why.
func (t Trigger) notRun(why string) {
	if t.Done != nil {
		t.Done(RunStats{Trigger: t.Time, Outcome: Failed, Reason: why, Skipped: true})
	}
}

// Event is one detector firing, as the engine needs it.
type Event struct {
	ID   string            // the DS's event id
	Type ds.EventType      // what detected it
	Time time.Time         // when it happened
	Text string            // a one-line description (the syslog line, "slot 3 remove"…)
	Vars map[string]string // ds_syslog_* and capture groups
	Info map[string]string // for scripts' event_reqinfo(): msg, slot, state…
	// Depth is the echo depth (events.Origin.Depth) of the engine's own
	// line that caused the event; 0 for an event from outside.
	Depth int
	// Received is when the event entered the engine: when the input read
	// the syslog line that fired it, else when the detector fired.
	Received time.Time
}

// Depth is how deep in a chain of the engine's own lines the trigger is:
// the deepest of its events.
func (t Trigger) Depth() int {
	d := 0
	for _, ev := range t.Events {
		d = max(d, ev.Depth)
	}
	return d
}

// CommandOutput is the output of one command action, kept for the
// call-home and emailto actions that follow it.
type CommandOutput struct {
	Command string
	Output  string
	Err     string
}

// Run is the state of one run of a DS's actions.
type Run struct {
	Sig     *ds.Signature
	Trigger Trigger
	Outputs []CommandOutput // of the command actions so far
	values  map[string]string
	resolve func() map[string]string // builds values at the first Values call
}

// NewRun returns a run of sig for t whose variables are values (nil: none
// yet), for the callers that run actions without the engine.
func NewRun(sig *ds.Signature, t Trigger, values map[string]string) *Run {
	return &Run{Sig: sig, Trigger: t, values: values}
}

// Values returns every resolved variable: the map the run's actions read
// and add to. The engine builds it at the first call, so a run whose
// actions name no variable (a plain message, a command without ${}) does
// not pay for it: it was a third of such a run's cost.
func (r *Run) Values() map[string]string {
	if r.values == nil {
		if r.resolve != nil {
			r.values, r.resolve = r.resolve(), nil
		} else {
			r.values = map[string]string{}
		}
	}
	return r.values
}

// Actions perform one action of a run: render it, act, and return a short
// result for the records and statistics. ds/actions implements it over a
// live device for the daemon and a dry one for `ds test`.
type Actions interface {
	Perform(ctx context.Context, run *Run, a ds.Action) (string, error)
}

// Record is one thing the engine did, for `ds test` output, logs and
// statistics.
type Record struct {
	Time   time.Time `json:"time"`
	DS     string    `json:"ds"`
	Kind   string    `json:"kind"` // trigger, action, suppressed, pending, error, dropped
	Type   string    `json:"type"` // the event or action type
	Detail string    `json:"detail"`
	Failed bool      `json:"-"`
}

// Options configure an Engine.
type Options struct {
	Clock      ds.Clock
	Actions    Actions
	Report     func(Record)      // every record; may be nil
	Hostname   string            // ds_hostname
	Known      func() vars.Known // environment and prompts at run time; Hostname filled in
	MaxRun     time.Duration
	QueueDepth int
	// Synchronous runs actions in the caller's goroutine (for `ds test`,
	// where virtual time must not move while a DS runs).
	Synchronous bool
	// OnRunStart is called before a run's first action (the DS is
	// running), OnRunDone after its last (statistics, back to registered).
	// Either may be nil.
	OnRunStart func(id string)
	OnRunDone  func(id string, stats RunStats)
}

// Outcome is how a run of a DS's actions ended.
type Outcome string

// The outcomes of a run. `ds test --expect`, `show … statistics` and the
// metrics count them apart from the triggers.
const (
	// Completed: every action ran. Some may have failed: as IOS does
	// with a failing CLI command in a DS, the run goes on, and the
	// failures are counted in RunStats.Failed.
	Completed Outcome = "completed"
	// Suppressed: an action ended the run on purpose (a script's
	// `return false` or ds_stop), so the actions after it did not run.
	Suppressed Outcome = "suppressed"
	// Failed: the run was cut short, by maxrun or by the DS being
	// removed while it ran.
	Failed Outcome = "failed"
)

// SuppressError is what an action returns, with its result, to end its
// run on purpose: the actions after it do not run and the run is
// Suppressed. The action itself counts as run, not failed.
type SuppressError struct {
	Reason string // why, as the action says it ("ds_stop: below threshold")
}

func (e *SuppressError) Error() string { return "run suppressed: " + e.Reason }

// ActionCounts counts a run's actions by type, each type once, in the
// order they first ran: a DS has a few actions, and a map per run cost a
// sixth of a plain run.
type ActionCounts []ActionCount

// ActionCount is how many actions of one type a run ran.
type ActionCount struct {
	Type ds.ActionType
	N    int
}

// Of returns how many actions of type t ran.
func (c ActionCounts) Of(t ds.ActionType) int {
	for _, tc := range c {
		if tc.Type == t {
			return tc.N
		}
	}
	return 0
}

func (c *ActionCounts) add(t ds.ActionType) {
	for i := range *c {
		if (*c)[i].Type == t {
			(*c)[i].N++
			return
		}
	}
	*c = append(*c, ActionCount{Type: t, N: 1})
}

// RunStats summarise one run for the store's statistics.
type RunStats struct {
	Trigger time.Time
	// Received is when the event that fired the run entered the engine
	// (Event.Received of the trigger's last event): the start of its
	// event → action-done latency.
	Received time.Time
	Duration time.Duration
	ByType   ActionCounts
	Failed   int    // actions that failed
	Last     string // result or error of the last action
	LastFail bool
	Outcome  Outcome
	// Reason says why a run was Suppressed (the script's reason) or
	// Failed; empty for a Completed run.
	Reason string
	// NotRun counts the actions a Suppressed or Failed run left out.
	NotRun int
	// Skipped is a trigger that never ran (dropped, or its DS removed or
	// unknown); only a Trigger's Done sees it.
	Skipped bool
}

// Counts are a DS's triggers and run outcomes since it was added to the
// engine, for the metrics and `ds test`.
type Counts struct {
	Triggers   int64 // triggers fired, run or dropped
	Dropped    int64 // triggers dropped because the queue was full
	Completed  int64
	Suppressed int64
	Failed     int64
}

// Engine dispatches triggers to the actions of registered DS.
type Engine struct {
	opts Options

	mu  sync.Mutex
	dss map[string]*entry
	wg  sync.WaitGroup
}

type entry struct {
	sig     *ds.Signature
	prompts map[string]string
	ctx     context.Context // Add's: bounds the DS's worker

	// A DS has a worker goroutine only while it has triggers to run: with
	// 10,000 DS, a goroutine and a queue each held 35 MB (stacks and
	// buffers) although most DS never fire. mu guards the fields below.
	mu      sync.Mutex
	pending []Trigger          // waiting behind the run in progress
	working bool               // a worker is draining pending
	removed bool               // Remove ran: nothing more runs
	cancel  context.CancelFunc // the worker's, while working
	// The counters are written by Fire, from the detectors' goroutines,
	// and read by Stats, from the metrics scrape, without e.mu.
	dropped  atomic.Int64
	triggers atomic.Int64
	// The run outcomes, written by the worker (or by Fire when
	// synchronous).
	completed, suppressed, failed atomic.Int64
}

// New returns an Engine.
func New(opts Options) *Engine {
	if opts.MaxRun == 0 {
		opts.MaxRun = DefaultMaxRun
	}
	if opts.QueueDepth == 0 {
		opts.QueueDepth = DefaultQueueDepth
	}
	if opts.Report == nil {
		opts.Report = func(Record) {}
	}
	return &Engine{opts: opts, dss: map[string]*entry{}}
}

// Add makes a DS runnable: triggers for it are accepted from now on. ctx
// bounds its worker. Adding a DS that is there replaces it.
func (e *Engine) Add(ctx context.Context, sig *ds.Signature, prompts map[string]string) {
	e.Remove(sig.ID)
	en := &entry{sig: sig, prompts: maps.Clone(prompts), ctx: ctx}
	e.mu.Lock()
	e.dss[sig.ID] = en
	e.mu.Unlock()
}

// Remove stops a DS: queued triggers are dropped; a run in progress is
// cancelled.
func (e *Engine) Remove(id string) {
	e.mu.Lock()
	en, ok := e.dss[id]
	delete(e.dss, id)
	e.mu.Unlock()
	if !ok {
		return
	}
	en.mu.Lock()
	en.removed = true
	cancel, queued := en.cancel, en.pending
	en.pending = nil
	en.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	// What is still queued never runs.
	for _, t := range queued {
		t.notRun("the DS was removed before the trigger ran")
	}
}

// work runs en's pending triggers one after the other, in the order they
// came, and ends when none is left: the next Fire starts another.
func (e *Engine) work(en *entry) {
	defer e.wg.Done()
	ctx, cancel := context.WithCancel(en.ctx)
	defer cancel()
	en.mu.Lock()
	en.cancel = cancel
	for len(en.pending) > 0 && !en.removed && ctx.Err() == nil {
		t := en.pending[0]
		n := copy(en.pending, en.pending[1:])
		en.pending[n] = Trigger{} // drop the popped trigger's references
		en.pending = en.pending[:n]
		en.mu.Unlock()
		e.run(ctx, en, t)
		en.mu.Lock()
	}
	left := en.pending
	en.pending, en.working, en.cancel = nil, false, nil
	en.mu.Unlock()
	// Left only when the DS was removed or the engine stops.
	for _, t := range left {
		t.notRun("the DS was stopped before the trigger ran")
	}
}

// Has reports whether a DS is registered in the engine.
func (e *Engine) Has(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.dss[id]
	return ok
}

// Fire queues a trigger for a DS. A DS whose queue is full drops the
// trigger and counts it: a storm of events must not pile up runs.
func (e *Engine) Fire(ctx context.Context, id string, t Trigger) {
	e.mu.Lock()
	en, ok := e.dss[id]
	e.mu.Unlock()
	if !ok || len(t.Events) == 0 {
		t.notRun("the DS is not registered")
		return
	}
	en.triggers.Add(1)
	last := t.Events[len(t.Events)-1]
	e.opts.Report(Record{Time: t.Time, DS: id, Kind: "trigger", Type: string(last.Type),
		Detail: strings.TrimSpace(last.ID + ": " + last.Text)})
	if e.opts.Synchronous {
		e.run(ctx, en, t)
		return
	}
	en.mu.Lock()
	switch {
	case en.removed:
		en.mu.Unlock()
		t.notRun("the DS was removed before the trigger ran")
	case en.ctx.Err() != nil:
		en.mu.Unlock()
		t.notRun("the engine is stopping")
	case len(en.pending) >= e.opts.QueueDepth:
		en.mu.Unlock()
		en.dropped.Add(1)
		why := fmt.Sprintf("%d runs already queued; trigger dropped", e.opts.QueueDepth)
		t.notRun(why)
		e.opts.Report(Record{Time: t.Time, DS: id, Kind: "dropped", Type: string(last.Type), Detail: why, Failed: true})
	default:
		en.pending = append(en.pending, t)
		start := !en.working
		if start {
			en.working = true
			e.wg.Add(1)
		}
		en.mu.Unlock()
		if start {
			go e.work(en)
		}
	}
}

// Wait waits for the workers after their context ended.
func (e *Engine) Wait() { e.wg.Wait() }

// run runs a DS's actions once, in document order, within MaxRun. A failed
// action is reported and the run goes on, as IOS does with a failing CLI
// command in a DS: the other outputs are still worth sending.
func (e *Engine) run(ctx context.Context, en *entry, t Trigger) {
	maxRun := e.opts.MaxRun
	for _, ev := range en.sig.Events {
		if ev.MaxRun > 0 && ev.MaxRun > maxRun {
			maxRun = ev.MaxRun
		}
	}
	rc := newRunContext(ctx, maxRun)
	defer rc.stop()
	ctx = rc
	// The run's lines are marked with its DS and one echo deeper than
	// what triggered it; its saved contexts are charged to the DS.
	ctx = events.WithOrigin(ctx, events.Origin{Owner: en.sig.ID, Depth: t.Depth() + 1})
	start := e.opts.Clock.Now()
	if e.opts.OnRunStart != nil {
		e.opts.OnRunStart(en.sig.ID)
	}
	run := &Run{Sig: en.sig, Trigger: t, resolve: func() map[string]string { return e.values(en, t) }}
	stats := RunStats{Trigger: t.Time, Outcome: Completed}
	if len(t.Events) > 0 {
		stats.Received = t.Events[len(t.Events)-1].Received
	}
	for i, a := range en.sig.Actions {
		if err := ctx.Err(); err != nil {
			why := fmt.Sprintf("the run exceeded maxrun %s", maxRun)
			stats.Last = "maxrun exceeded"
			if !errors.Is(err, context.DeadlineExceeded) {
				why, stats.Last = "the DS was stopped while it ran", "stopped"
			}
			stats.NotRun = len(en.sig.Actions) - i
			e.opts.Report(Record{Time: e.opts.Clock.Now(), DS: en.sig.ID, Kind: "error", Type: string(a.Type),
				Detail: fmt.Sprintf("%s not run: %s", actionsFrom(i, len(en.sig.Actions)), why), Failed: true})
			stats.Failed++
			stats.LastFail = true
			stats.Outcome, stats.Reason = Failed, why
			break
		}
		result, err := e.opts.Actions.Perform(ctx, run, a)
		stats.ByType.add(a.Type)
		var sup *SuppressError
		if errors.As(err, &sup) {
			err = nil
		}
		rec := Record{Time: e.opts.Clock.Now(), DS: en.sig.ID, Kind: "action", Type: string(a.Type), Detail: result}
		if err != nil {
			rec.Kind, rec.Detail, rec.Failed = "error", err.Error(), true
			stats.Failed++
		}
		stats.Last, stats.LastFail = rec.Detail, rec.Failed
		e.opts.Report(rec)
		if sup != nil {
			// The script (or any action) said the rest is not wanted:
			// the run ends here and is counted apart from completed runs.
			rest := len(en.sig.Actions) - i - 1
			stats.Outcome, stats.Reason, stats.NotRun = Suppressed, sup.Reason, rest
			e.opts.Report(Record{Time: e.opts.Clock.Now(), DS: en.sig.ID, Kind: "suppressed", Type: string(a.Type),
				Detail: fmt.Sprintf("action %d ended the run (%s); %s not run", i+1, sup.Reason, english.Plural(rest, "later action"))})
			break
		}
	}
	switch stats.Outcome {
	case Completed:
		en.completed.Add(1)
	case Suppressed:
		en.suppressed.Add(1)
	case Failed:
		en.failed.Add(1)
	}
	stats.Duration = e.opts.Clock.Now().Sub(start)
	if e.opts.OnRunDone != nil {
		e.opts.OnRunDone(en.sig.ID, stats)
	}
	if t.Done != nil {
		t.Done(stats)
	}
}

// actionsFrom names actions i+1 to n (1-based) in a record.
func actionsFrom(i, n int) string {
	if i == n-1 {
		return fmt.Sprintf("action %d", n)
	}
	return fmt.Sprintf("actions %d to %d", i+1, n)
}

// values resolves every variable known before the actions run: system,
// environment, prompt, and the trigger's syslog variables.
func (e *Engine) values(en *entry, t Trigger) map[string]string {
	var k vars.Known
	if e.opts.Known != nil {
		k = e.opts.Known()
	}
	k.Hostname = e.opts.Hostname
	k.Now = t.Time
	if k.Prompts == nil {
		k.Prompts = en.prompts
	}
	over := make([]map[string]string, 0, 4)
	for _, ev := range t.Events {
		over = append(over, ev.Vars)
	}
	return vars.Values(en.sig, k, over...)
}

// Stats returns the triggers seen and dropped per DS, for show commands.
func (e *Engine) Stats() map[string][2]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string][2]int64{}
	for id, en := range e.dss {
		out[id] = [2]int64{en.triggers.Load(), en.dropped.Load()}
	}
	return out
}

// Counts returns the triggers and run outcomes per DS, for the metrics
// and `ds test`. Like Stats, they start at 0 when a DS is (re)added.
func (e *Engine) Counts() map[string]Counts {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]Counts, len(e.dss))
	for id, en := range e.dss {
		out[id] = Counts{Triggers: en.triggers.Load(), Dropped: en.dropped.Load(), Completed: en.completed.Load(),
			Suppressed: en.suppressed.Load(), Failed: en.failed.Load()}
	}
	return out
}

// IDs lists the registered DS, sorted numerically.
func (e *Engine) IDs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := make([]string, 0, len(e.dss))
	for id := range e.dss {
		ids = append(ids, id)
	}
	ds.SortIDs(ids)
	return ids
}
