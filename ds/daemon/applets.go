package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/detect/track"
)

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

	mu      sync.Mutex
	workers map[string]*appletWorker // by applet name, kept across reloads
	owners  []string
	corrs   []*correlate.Correlator
	wg      sync.WaitGroup // the workers
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

// load (re)registers every applet of cfg, replacing those of before.
func (a *applets) load(cfg *config.Config) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unregister()
	env := cfg.EventManager.Environment.Map()
	for _, ap := range cfg.EventManager.Applets {
		if err := a.register(ap, env); err != nil {
			a.log.Error("applet not registered", "applet", ap.Name, "err", err)
			continue
		}
		a.owners = append(a.owners, AppletOwnerPrefix+ap.Name)
	}
	a.log.Info("applets registered", "count", len(a.owners))
}

// register checks one applet and registers its events, through its
// trigger's correlation when it has one; a.mu is held.
func (a *applets) register(ap *config.Applet, env map[string]string) error {
	if err := applet.Check(ap); err != nil {
		return err
	}
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
	res, err := applet.Run(ctx, r.ap, r.env, a.host)
	if err != nil {
		a.log.Warn("applet failed", "applet", r.ap.Name, "err", err)
		return
	}
	a.log.Info("applet ran", "applet", r.ap.Name, "exit", res.Exit, "output", strings.TrimSpace(res.Output))
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
