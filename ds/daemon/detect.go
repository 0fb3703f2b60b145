package daemon

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/alertgroup"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/pump"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/ds/vars"
)

// detectStage is the middle of the pipeline: the pump hands parsed lines
// to the hub, whose detectors fire into the registry (DS) and the applets;
// the registry's triggers queue in the engine, which runs the actions.
type detectStage struct {
	pump     *pump.Pump
	hub      *detect.Hub
	engine   *engine.Engine
	registry *registry.Registry
	applets  *applets
	stopCtx  context.CancelFunc

	overBudget chan overBudget // owners the hub found over their match-time budget
	stopFails  context.CancelFunc
	fails      sync.WaitGroup // the worker that fails them

	syncMu  sync.Mutex // one resync at a time
	lastIDs string     // the registered DS last logged
}

// startDetect builds the hub, the engine and the registry, and the pump
// that feeds them. Nothing is registered yet.
func (d *Daemon) startDetect(ctx context.Context) *detectStage {
	cfg := d.Config()
	ctx, cancel := context.WithCancel(ctx)
	host := lifecycle.HostOf(cfg).Hostname
	s := &detectStage{stopCtx: cancel, overBudget: make(chan overBudget, 64)}
	s.hub = detect.NewHub(ctx, detect.Options{Clock: d.clock, Host: host, Tracks: cfg.Tracks, SLAs: cfg.IPSLAs, Log: d.log,
		SNMPGet: d.snmpPoller(), CDP: d.lldpCDP, OnCap: d.caps.hit, Limits: hubLimits(cfg), OnOverBudget: func(owner, reason string) {
			select {
			case s.overBudget <- overBudget{owner, reason}:
			default:
				d.log.Error("over its match-time budget, not failed: too many at once", "owner", owner)
			}
		}})
	s.pump = pump.New(pump.Options{Hostname: host, Clock: d.clock, Deliver: s.hub.Deliver, Location: cfg.Clock.Location()})
	known := func() vars.Known {
		return vars.Known{Environment: d.Config().DiagnosticSignature.Environment.Map()}
	}
	s.engine = engine.New(engine.Options{Clock: d.clock, Actions: d.notify.actions, Hostname: host, Known: known,
		Report:     d.report,
		OnRunStart: func(id string) { d.setRunning(id, true) },
		// The registry exists before any run: runs come from its fires.
		OnRunDone: func(id string, st engine.RunStats) { d.runDone(id, st, s.registry) }})
	s.registry = registry.New(ctx, registry.Options{Hub: s.hub, Engine: s.engine, Clock: d.clock, Hostname: host,
		Known: known, Report: d.report})
	s.applets = &applets{ctx: ctx, hub: s.hub, clock: d.clock, log: d.log, noTimers: d.noTimers.Load,
		host:   d.appletHost(countingHost{applet.OnDeviceFiles(d.notify.live, appletFiles(d.opts.Bootflash)), s.hub}),
		newVTY: func(host applet.Host) applet.VTY { return d.NewAppletSession(host.CLI) }}
	fctx, stop := context.WithCancel(ctx)
	s.stopFails = stop
	s.fails.Add(1)
	go func() {
		defer s.fails.Done()
		for {
			select {
			case <-fctx.Done():
				return
			case o := <-s.overBudget:
				d.failOverBudget(fctx, o)
			}
		}
	}()
	return s
}

// close deregisters every DS and applet, stops the detectors, and waits
// for the runs in progress to end.
func (s *detectStage) close() {
	s.stopFails()
	s.fails.Wait()
	s.applets.close()
	s.registry.Close()
	s.hub.Close()
	s.stopCtx()
	s.engine.Wait()
	s.applets.wait()
}

// report logs what the engine and the registry did, and counts the
// actions in the metrics.
func (d *Daemon) report(r engine.Record) {
	level := slog.LevelInfo
	if r.Failed {
		level = slog.LevelWarn
	}
	d.log.Log(context.Background(), level, "ds "+r.Kind, "ds", r.DS, "type", r.Type, "detail", r.Detail)
	if m := d.mx.Load(); m != nil && (r.Kind == "action" || r.Kind == "error") {
		m.ObserveAction(r.Type, r.Failed)
	}
}

// Hub is the detector hub: `event oir`, `event manager run` and `show
// event manager` reach the detectors through it.
func (d *Daemon) Hub() *detect.Hub { return d.detect.hub }

// Triggers are the triggers seen and dropped per DS.
func (d *Daemon) Triggers() map[string][2]int64 { return d.detect.engine.Stats() }

// Runs returns the run outcomes per DS (completed, suppressed, failed).
func (d *Daemon) Runs() map[string]engine.Counts { return d.detect.engine.Counts() }

// hubLimits are the hub's limits on what patterns cost, from the dsengine
// block: `match literal-free-patterns` and `match time-budget`.
func hubLimits(cfg *config.Config) *detect.Limits {
	window := detect.DefaultMatchWindow
	return &detect.Limits{LiteralFree: cfg.Host.LiteralFreeLimit(), MatchWindow: window,
		MatchBudget: window * time.Duration(cfg.Host.MatchBudgetPercent()) / 100,
		// The alert groups' patterns are the configuration's and feed
		// call-home: they are not muted.
		Budgeted: func(owner string) bool { return !strings.HasPrefix(owner, alertgroup.Owner("")) }}
}
