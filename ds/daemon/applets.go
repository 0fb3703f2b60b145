package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

	mu      sync.Mutex
	workers map[string]*appletWorker // by applet name, kept across reloads
	owners  []string
	corrs   []*correlate.Correlator
	wg      sync.WaitGroup // the workers

	// registered are the applets that passed applet.CheckConfig, by
	// name: those `action policy` and RunApplet may run.
	registered map[string]*config.Applet
	env        map[string]string // event manager environment
	prompt     string            // HOSTNAME#, the end of $_cli_result

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

// load (re)registers every applet of cfg, replacing those of before. An
// applet applet.CheckConfig refuses (as `config check` does) is not
// registered.
func (a *applets) load(cfg *config.Config) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unregister()
	env := cfg.EventManager.Environment.Map()
	a.env = env
	host := cfg.Hostname
	if host == "" {
		host = "Router"
	}
	a.prompt = host + "#"
	a.registered = map[string]*config.Applet{}
	refused := applet.CheckConfig(cfg.EventManager.Applets)
	for _, ap := range cfg.EventManager.Applets {
		err := refused[ap.Name]
		if err == nil && len(ap.Events) == 0 {
			// A vty builds an applet line by line; until it has an event
			// line it is configured, not registered (IOS says the same).
			err = errors.New("it has no event line; add one (event none, event syslog pattern ...) to register it")
		}
		if err == nil {
			err = a.register(ap, env)
		}
		if err != nil {
			a.log.Error("applet not registered", "applet", ap.Name, "err", err)
			continue
		}
		a.registered[ap.Name] = ap
		a.owners = append(a.owners, AppletOwnerPrefix+ap.Name)
	}
	a.log.Info("applets registered", "count", len(a.owners))
}

// lookup returns a registered applet, nil when there is none by that
// name (`action policy`).
func (a *applets) lookup(name string) *config.Applet {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.registered[name]
}

// register checks one applet and registers its events, through its
// trigger's correlation when it has one; a.mu is held.
func (a *applets) register(ap *config.Applet, env map[string]string) error {
	w := a.worker(ap.Name)
	queue := func(f detect.Fired) {
		r := appletRun{ap: ap, env: applet.Env{Vars: env, Event: detect.Builtins(f), Clock: a.clock}}
		if f.Message != nil {
			r.depth = f.Message.Origin.Depth
		}
		select {
		case w.queue <- r:
		default:
			w.dropped.Add(1)
			a.log.Warn("applet trigger dropped", "applet", ap.Name,
				"reason", fmt.Sprintf("%d runs already queued", cap(w.queue)))
		}
	}
	owner := AppletOwnerPrefix + ap.Name
	var corr *correlate.Correlator
	var prog *correlate.Program
	if ap.Trigger != nil {
		var err error
		if prog, err = correlate.Compile(ap.Trigger, eventIDs(ap)); err != nil {
			return err
		}
		if corr, err = correlate.New(prog, correlate.Options{Clock: a.clock, OnDelayed: func(correlate.Trigger) {}}); err != nil {
			return err
		}
		a.corrs = append(a.corrs, corr)
	}
	specs := make([]detect.Spec, 0, len(ap.Events))
	for _, ev := range ap.Events {
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
	_, err := a.hub.RegisterAll(specs)
	return err
}

// worker returns the applet's worker, starting it the first time; a.mu
// is held.
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
	a.mu.Lock()
	env.Prompt = a.prompt
	a.mu.Unlock()
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
	a.mu.Lock()
	env := a.env
	a.mu.Unlock()
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
	for _, o := range a.owners {
		a.hub.DeregisterOwner(o)
	}
	for _, c := range a.corrs {
		c.Close()
	}
	a.owners, a.corrs = nil, nil
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
