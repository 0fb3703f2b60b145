package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/detect/none"
	"github.com/dsengine/dsengine/ds/events/detect/track"
	"github.com/dsengine/dsengine/ds/registry"
)

// HistorySize is how many applet runs `show event manager history events`
// keeps (IOS keeps 10 by default and up to 50).
const HistorySize = 50

// appletFiles is the bootflash directory as applets' `action file` sees
// it: the call-home store in it is off limits. Nil without a bootflash.
func appletFiles(dir string) *applet.DirFiles {
	if dir == "" {
		return nil
	}
	return &applet.DirFiles{Root: dir, Reserved: []string{bootflash.Dir, "dsengine.sock"}}
}

// AppletOwnerPrefix is how the hub names an applet's registrations
// ("applet:NAME"): `event manager run NAME` fires that owner's `event none`.
const AppletOwnerPrefix = "applet:"

// applets runs the configuration's EEM applets on the daemon's detectors.
// Each applet has one worker and a bounded queue, as a DS has in the
// engine: a storm of events queues at most engine.DefaultQueueDepth runs,
// and the rest are dropped and counted.
type applets struct {
	ctx   context.Context
	hub   *detect.Hub
	clock ds.Clock
	host  applet.Host
	log   *slog.Logger
	// newVTY, when set, gives each run the vty its `cli` actions type
	// into; commands the vty does not know go to host's CLI.
	newVTY func(host applet.Host) applet.VTY
	// noTimers, when set and true, leaves the applets' timer events
	// unregistered (Daemon.SetTimers).
	noTimers func() bool

	mu      sync.Mutex
	workers map[string]*appletWorker // by applet name, kept across reloads
	regs    map[string]*appletReg    // by applet name: what the hub holds for it
	wg      sync.WaitGroup           // the workers

	// cur is what a run reads, swapped whole by load: a fire reads it
	// without a.mu, which load holds while the hub starts detectors.
	cur atomic.Pointer[appletsNow]

	histMu  sync.Mutex
	history []AppletRun // oldest first, at most HistorySize
	jobs    int         // the last job id given
}

// appletsNow is the registered applets and what their runs share.
type appletsNow struct {
	// registered are the applets that passed applet.CheckConfig, by
	// name: those `action policy` and RunApplet may run.
	registered map[string]*config.Applet
	env        map[string]string // event manager environment
	prompt     string            // HOSTNAME#, the end of $_cli_result
}

// appletReg is one applet's registrations in the hub, and the events,
// trigger and environment they were made from: a reload whose applet
// registers the same keeps them, so a vty line that edits one applet's
// actions does not re-register the other thousand.
type appletReg struct {
	key  string
	regs []detect.Registration
	corr *correlate.Correlator

	histMu  sync.Mutex
	history []AppletRun // oldest first, at most HistorySize
	jobs    int         // the last job id given
}

// AppletRun is one applet run in the history: `show event manager history
// events`.
type AppletRun struct {
	Job       int       // numbered from 1 since the daemon started
	Time      time.Time // when the run started
	Applet    string
	EventType string // of the event that ran it: syslog, none, timer ...
	// Status is IOS's word for the outcome: success, abort (maxrun) or
	// error.
	Status string
	Exit   int    // $_exit_status
	Err    string // the error that ended the run, "" on success
}

// appletWorker runs one applet's queued runs, one at a time.
type appletWorker struct {
	queue   chan appletRun
	runs    atomic.Int64
	dropped atomic.Int64
}

// appletRun is one queued run: the applet as registered when it fired,
// and the echo depth of the engine's own line that fired it (0 for an
// outside event).
type appletRun struct {
	ap    *config.Applet
	env   applet.Env
	depth int
}

// AppletStats are an applet's runs and dropped triggers.
type AppletStats struct {
	Name          string
	Runs, Dropped int64
}

// load registers the applets of cfg, replacing those of before: an
// applet whose events, trigger and environment are as before keeps its
// registrations (its new actions run from the next fire), the others are
// deregistered and registered in one hub batch. An applet
// applet.CheckConfig refuses (as `config check` does) is not registered.
func (a *applets) load(cfg *config.Config) {
	a.mu.Lock()
	defer a.mu.Unlock()
	env := cfg.EventManager.Environment.Map()
	host := cfg.Hostname
	if host == "" {
		host = "Router"
	}
	now := &appletsNow{registered: map[string]*config.Applet{}, env: env, prompt: host + "#"}
	refused := applet.CheckConfig(cfg.EventManager.Applets)
	var (
		gone  []detect.Registration
		added []*config.Applet
		keep  = map[string]bool{}
	)
	for _, ap := range cfg.EventManager.Applets {
		err := refused[ap.Name]
		if err == nil && len(ap.Events) == 0 {
			// A vty builds an applet line by line; until it has an event
			// line it is configured, not registered (IOS says the same).
			err = errors.New("it has no event line; add one (event none, event syslog pattern ...) to register it")
		}
		if err != nil {
			a.log.Error("applet not registered", "applet", ap.Name, "err", err)
			continue
		}
		keep[ap.Name] = true
		if old := a.regs[ap.Name]; old != nil && old.key == a.registrationKey(ap, env) {
			now.registered[ap.Name] = ap
			continue
		}
		added = append(added, ap)
	}
	for name, r := range a.regs {
		if !keep[name] || slices.ContainsFunc(added, func(ap *config.Applet) bool { return ap.Name == name }) {
			gone = append(gone, r.regs...)
			if r.corr != nil {
				r.corr.Close()
			}
			delete(a.regs, name)
		}
	}
	a.cur.Store(now)
	if err := a.registerAll(added, gone, env, now); err != nil {
		// One applet the hub refuses must not keep the others out: one
		// batch each, the slow way, naming the one refused.
		for _, ap := range added {
			if err := a.registerAll([]*config.Applet{ap}, nil, env, now); err != nil {
				a.log.Error("applet not registered", "applet", ap.Name, "err", err)
			}
		}
	}
	a.cur.Store(now)
	a.log.Info("applets registered", "count", len(now.registered))
}

// timersOff says whether timer events are left out.
func (a *applets) timersOff() bool { return a.noTimers != nil && a.noTimers() }

// registrationKey is what an applet's registrations are made from.
func (a *applets) registrationKey(ap *config.Applet, env map[string]string) string {
	evs := slices.Clone(ap.Events)
	for i := range evs {
		evs[i].Pos = ds.Pos{}
	}
	var trig ds.Correlate
	if ap.Trigger != nil {
		trig = *ap.Trigger
		trig.Pos = ds.Pos{}
	}
	return fmt.Sprintf("%#v|%#v|%v|%v", evs, trig, env, a.timersOff())
}

// lookup returns a registered applet, nil when there is none by that
// name (`action policy`).
func (a *applets) lookup(name string) *config.Applet { return a.now().registered[name] }

// now is what runs read: the registered applets, the environment, the
// prompt.
func (a *applets) now() *appletsNow {
	if now := a.cur.Load(); now != nil {
		return now
	}
	return &appletsNow{}
}

// registerAll registers the events of applets (through each one's
// trigger's correlation when it has one) and deregisters gone, in one hub
// batch, and records them in now and a.regs; a.mu is held. On an error
// nothing changed.
func (a *applets) registerAll(aps []*config.Applet, gone []detect.Registration, env map[string]string, now *appletsNow) error {
	var specs []detect.Spec
	made := make([]*appletReg, len(aps))
	counts := make([]int, len(aps))
	for i, ap := range aps {
		r := &appletReg{key: a.registrationKey(ap, env)}
		apSpecs, err := a.specs(ap, env, r)
		if err != nil {
			return fmt.Errorf("applet %s: %w", ap.Name, err)
		}
		made[i], counts[i] = r, len(apSpecs)
		specs = append(specs, apSpecs...)
	}
	regs, err := a.hub.Replace(gone, specs)
	if err != nil {
		for _, r := range made {
			if r != nil && r.corr != nil {
				r.corr.Close()
			}
		}
		return err
	}
	if a.regs == nil {
		a.regs = map[string]*appletReg{}
	}
	for i, ap := range aps {
		made[i].regs, regs = regs[:counts[i]], regs[counts[i]:]
		a.regs[ap.Name] = made[i]
		now.registered[ap.Name] = ap
	}
	return nil
}

// specs are the hub registrations of one applet: its events, and the
// tracks its trigger's correlation follows. A fire queues a run of the
// applet as it is configured when it fires.
func (a *applets) specs(ap *config.Applet, env map[string]string, r *appletReg) ([]detect.Spec, error) {
	name := ap.Name
	w := a.worker(name)
	queue := func(f detect.Fired) {
		now := a.now()
		cur := now.registered[name]
		if cur == nil {
			return // deregistered since
		}
		run := appletRun{ap: cur, env: applet.Env{Vars: now.env, Event: detect.Builtins(f), Clock: a.clock}}
		if f.Message != nil {
			run.depth = f.Message.Origin.Depth
		}
		select {
		case w.queue <- run:
		default:
			w.dropped.Add(1)
			a.log.Warn("applet trigger dropped", "applet", name,
				"reason", fmt.Sprintf("%d runs already queued", cap(w.queue)))
		}
	}
	owner := AppletOwnerPrefix + name
	var corr *correlate.Correlator
	var prog *correlate.Program
	if ap.Trigger != nil {
		var err error
		if prog, err = correlate.Compile(ap.Trigger, eventIDs(ap)); err != nil {
			return nil, err
		}
		if corr, err = correlate.New(prog, correlate.Options{Clock: a.clock, OnDelayed: func(correlate.Trigger) {}}); err != nil {
			return nil, err
		}
		r.corr = corr
	}
	specs := make([]detect.Spec, 0, len(ap.Events))
	noTimers := a.timersOff()
	for _, ev := range ap.Events {
		if noTimers && registry.IsTimer(ev) {
			continue
		}
		specs = append(specs, detect.Spec{Owner: owner, Event: ev, Vars: env, Fire: func(f detect.Fired) {
			if corr == nil {
				queue(f)
				return
			}
			if _, ok := corr.Observe(f.EventID, f.Time, f.Host); ok {
				queue(f)
			}
		}})
	}
	// `correlate ... and track N`: the correlation follows the state of
	// each tracked object it names.
	if prog != nil {
		for _, n := range prog.Tracks() {
			specs = append(specs, detect.Spec{Owner: owner,
				Event: ds.Event{ID: fmt.Sprintf("track_%d_state", n), Type: ds.EventTrack, TrackObject: n, TrackState: "any"},
				Fire: func(f detect.Fired) {
					change, _ := f.Payload.(track.Fire)
					for range corr.SetTrack(change.Object, change.State == detect.StateUp, f.Time) {
						queue(f)
					}
				}})
		}
	}
	return specs, nil
}

func (a *applets) worker(name string) *appletWorker {
	if a.workers == nil {
		a.workers = map[string]*appletWorker{}
	}
	if w := a.workers[name]; w != nil {
		return w
	}
	w := &appletWorker{queue: make(chan appletRun, engine.DefaultQueueDepth)}
	a.workers[name] = w
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for {
			select {
			case <-a.ctx.Done():
				return
			case r := <-w.queue:
				w.runs.Add(1)
				a.run(r)
			}
		}
	}()
	return w
}

// run runs one applet's actions. Its lines are marked with the applet's
// owner name and one echo deeper than what fired it, and its saved
// contexts are charged to it.
func (a *applets) run(r appletRun) {
	ctx := events.WithOrigin(a.ctx, events.Origin{Owner: AppletOwnerPrefix + r.ap.Name, Depth: r.depth + 1})
	res, err := a.runOne(ctx, r.ap, r.env)
	if err != nil {
		a.log.Warn("applet failed", "applet", r.ap.Name, "err", err)
		return
	}
	a.log.Info("applet ran", "applet", r.ap.Name, "exit", res.Exit, "output", strings.TrimSpace(res.Output))
}

// runOne runs an applet with what every run shares (the prompt, the
// registered applets for `action policy`, the debug log of each action),
// and records it in the history.
func (a *applets) runOne(ctx context.Context, ap *config.Applet, env applet.Env) (applet.Result, error) {
	env.Prompt = a.now().prompt
	env.Applet = a.lookup
	if a.newVTY != nil && env.VTY == nil {
		env.VTY = a.newVTY(a.host)
	}
	env.Trace = func(o applet.Outcome) {
		if a.log.Enabled(ctx, slog.LevelDebug) {
			a.log.Debug(o.String())
		}
	}
	start := a.clock.Now()
	res, err := applet.Run(ctx, ap, env, a.host)
	rec := AppletRun{Time: start, Applet: ap.Name, EventType: env.Event["_event_type"], Status: "success", Exit: res.Exit}
	if err != nil {
		rec.Status, rec.Err = "error", err.Error()
		if errors.Is(err, applet.ErrMaxRun) {
			rec.Status = "abort"
		}
	}
	a.record(rec)
	return res, err
}

// record adds a run to the history, dropping the oldest past HistorySize.
func (a *applets) record(r AppletRun) {
	a.histMu.Lock()
	defer a.histMu.Unlock()
	a.jobs++
	r.Job = a.jobs
	if len(a.history) == HistorySize {
		a.history = slices.Delete(a.history, 0, 1)
	}
	a.history = append(a.history, r)
}

// AppletHistory returns the recent applet runs, oldest first.
func (d *Daemon) AppletHistory() []AppletRun { return d.detect.applets.historyCopy() }

func (a *applets) historyCopy() []AppletRun {
	a.histMu.Lock()
	defer a.histMu.Unlock()
	return slices.Clone(a.history)
}

// ErrNotManual: RunApplet named an applet that has no `event none`.
var ErrNotManual = errors.New("only an applet with `event none` runs by hand")

// RunApplet runs the registered applet name now, in the caller's
// goroutine, as `event manager run NAME ARGS` runs a sync applet: its
// `event none` built-ins hold args ($_none_argc, $_none_arg1 …), term is
// the vty for `action gets` and `puts` (nil: gets fails, puts goes to
// Result.Output), and the run is in the history. It returns when the run
// ends (maxrun at the latest); Result.Exit is its $_exit_status.
func (d *Daemon) RunApplet(ctx context.Context, name string, args []string, term applet.Terminal) (applet.Result, error) {
	return d.detect.applets.runManual(ctx, name, args, term)
}

func (a *applets) runManual(ctx context.Context, name string, args []string, term applet.Terminal) (applet.Result, error) {
	ap := a.lookup(name)
	if ap == nil {
		return applet.Result{}, fmt.Errorf("applet %s is not registered; check `show event manager policy registered` and `dsengine config check`", name)
	}
	i := slices.IndexFunc(ap.Events, func(e ds.Event) bool { return e.Type == ds.EventNone })
	if i < 0 {
		return applet.Result{}, fmt.Errorf("applet %s: %w", name, ErrNotManual)
	}
	env := a.now().env
	f := detect.Fired{Owner: AppletOwnerPrefix + name, EventID: ap.Events[i].ID, Type: ds.EventNone,
		Time: a.clock.Now(), Count: 1, Payload: none.Fire{Args: slices.Clone(args)}}
	ctx = events.WithOrigin(ctx, events.Origin{Owner: AppletOwnerPrefix + name, Depth: 1})
	return a.runOne(ctx, ap, applet.Env{Vars: env, Event: detect.Builtins(f), Clock: a.clock, Terminal: term})
}

// AppletSync reports whether the registered applet name has an `event
// none ... sync yes` line: `event manager run` then waits for its run.
func (d *Daemon) AppletSync(name string) bool {
	ap := d.detect.applets.lookup(name)
	if ap == nil {
		return false
	}
	return slices.ContainsFunc(ap.Events, func(e ds.Event) bool { return e.Type == ds.EventNone && e.Sync })
}

// stats lists each applet's runs and dropped triggers, by name.
func (a *applets) stats() []AppletStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]AppletStats, 0, len(a.workers))
	for name, w := range a.workers {
		out = append(out, AppletStats{Name: name, Runs: w.runs.Load(), Dropped: w.dropped.Load()})
	}
	return out
}

// close deregisters every applet; the workers end with the daemon's
// context.
func (a *applets) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unregister()
}

// unregister removes every applet's detectors and correlations; a.mu is
// held.
func (a *applets) unregister() {
	var regs []detect.Registration
	for _, r := range a.regs {
		regs = append(regs, r.regs...)
		if r.corr != nil {
			r.corr.Close()
		}
	}
	a.hub.Deregister(regs...)
	a.regs = nil
	a.cur.Store(&appletsNow{registered: map[string]*config.Applet{}})
}

// deregister takes one applet out of the hub until the next reload (over
// its match-time budget).
func (a *applets) deregister(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.regs[name]
	if r == nil {
		return
	}
	a.hub.Deregister(r.regs...)
	if r.corr != nil {
		r.corr.Close()
	}
	delete(a.regs, name)
	next := *a.now()
	next.registered = maps.Clone(next.registered)
	delete(next.registered, name)
	a.cur.Store(&next)
}

// wait waits for the workers after the daemon's context ended.
func (a *applets) wait() { a.wg.Wait() }

func eventIDs(ap *config.Applet) []string {
	ids := make([]string, 0, len(ap.Events))
	for _, e := range ap.Events {
		ids = append(ids, e.ID)
	}
	return ids
}

// AppletStats lists each applet's runs and dropped triggers.
func (d *Daemon) AppletStats() []AppletStats { return d.detect.applets.stats() }

// countingHost tells the hub's `event counter` detectors of each change an
// applet's `action counter` makes.
type countingHost struct {
	applet.Host
	hub *detect.Hub
}

// UpdateCounter implements applet.State.
func (h countingHost) UpdateCounter(ctx context.Context, name string, op applet.CounterOp, v int64) (int64, error) {
	n, err := h.Host.UpdateCounter(ctx, name, op, v)
	if err == nil && op != applet.CounterNop {
		h.hub.CounterChanged(name, n)
	}
	return n, err
}
