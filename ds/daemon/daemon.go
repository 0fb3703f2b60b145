package daemon

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/metrics"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/ds/vty"
)

// Options configure a Daemon.
type Options struct {
	// ConfigPath is the configuration file, read again by Reload.
	ConfigPath string
	// LoadConfig reads and checks a configuration file (required).
	LoadConfig func(path string) (*config.Config, error)
	// Config is the configuration read at start (required).
	Config *config.Config
	// Store is the open bootflash store; the daemon holds its lock.
	Store *bootflash.Store
	// Manager installs into Store (reload re-evaluates statuses with it).
	Manager *lifecycle.Manager
	// Bootflash is the store's directory: the default control socket is
	// there.
	Bootflash string
	// Commands runs one command that arrived on the control socket, with
	// the daemon's state (the CLI's command table). The request carries
	// the files the command names, read by the CLI: a command never opens
	// a path a user gave. ctx ends when the client goes away or the daemon
	// stops, and the command then stops.
	Commands func(ctx context.Context, d *Daemon, req control.Request) control.Response
	// VTYCommands are the exec commands of the Commands table a vty
	// offers (`dsengine cli`, `?`); the vty runs them through Commands.
	VTYCommands []vty.Command
	// Modes is the configuration's mode grammar for the vty's configure
	// terminal; vty.IOS() when its Apply is nil.
	Modes vty.Modes
	// Clock is the only source of time; ds.RealClock{} when nil.
	Clock ds.Clock
	// Log receives the daemon's log; nil discards.
	Log *slog.Logger
	// Shards is how many queues, each with its own goroutine, carry the
	// inputs' lines to the detectors: a sender's lines always take the
	// same one (input.Shards). 0 means one per core (GOMAXPROCS).
	Shards int
	// Fleet, when set, runs beside the stages until ctx ends (`run
	// --jetstream`: the fleet worker and executor, cmd/dsengine/relay.go).
	// It reads the DS to evaluate with Wants and runs intents with Fire.
	// Its daemon registers no timer events until SetTimers(true).
	Fleet func(ctx context.Context, d *Daemon) error
}

// Daemon is the running engine. Its fields are set by Run before the
// control socket serves, and not written after (the configuration is an
// atomic pointer), so the commands read them without locks.
type Daemon struct {
	opts  Options
	log   *slog.Logger
	clock ds.Clock
	cfg   atomic.Pointer[config.Config]

	// lock serialises what changes the state: a control command, a
	// reload, the periodic download. It is a channel so that a command
	// whose client left, or a daemon stopping, stops waiting for it.
	lock chan struct{}

	inputs   *inputStage
	sources  *sourceStage
	detect   *detectStage
	notify   *notifyStage
	schedule *scheduleStage
	metrics  *metricsStage
	mx       atomic.Pointer[metrics.Metrics] // set once its sources exist
	socket   string
	caps     capCounts
	control  atomic.Pointer[control.Server]
	stats    *statsWriter                    // run statistics and `running` status, persisted in batches
	wants    atomic.Pointer[[]registry.Want] // what the last resync registered, for Fleet
	fleet    atomic.Pointer[FleetView]       // set by Fleet
	// noTimers leaves the timer events (registry.IsTimer) of the DS and
	// applets unregistered: a fleet worker's until it holds the timers
	// lease (SetTimers).
	noTimers atomic.Bool
}

// FleetView writes the fleet's statistics to w, those of DS id only when
// id is not empty: the Fleet stage sets it, `show call-home
// diagnostic-signature [ID statistics]` prints it.
type FleetView func(ctx context.Context, w io.Writer, id string) error

// SetFleetView makes v the fleet's statistics.
func (d *Daemon) SetFleetView(v FleetView) { d.fleet.Store(&v) }

// Fleet returns the fleet's statistics view, nil when the daemon is not a
// fleet worker.
func (d *Daemon) Fleet() FleetView {
	if v := d.fleet.Load(); v != nil {
		return *v
	}
	return nil
}

// New checks opts and returns a Daemon ready to Run.
func New(opts Options) (*Daemon, error) {
	switch {
	case opts.Config == nil:
		return nil, errors.New("daemon: Options.Config is required")
	case opts.LoadConfig == nil:
		return nil, errors.New("daemon: Options.LoadConfig is required")
	case opts.Store == nil || opts.Manager == nil:
		return nil, errors.New("daemon: Options.Store and Options.Manager are required")
	case opts.Commands == nil:
		return nil, errors.New("daemon: Options.Commands is required")
	}
	if opts.Clock == nil {
		opts.Clock = ds.RealClock{}
	}
	if opts.Modes.Apply == nil {
		opts.Modes = vty.IOS()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{opts: opts, clock: opts.Clock, lock: make(chan struct{}, 1)}
	d.log = slog.New(cutHandler{h: opts.Log.Handler(), hit: d.caps.hit})
	d.cfg.Store(opts.Config)
	d.noTimers.Store(opts.Fleet != nil)
	d.stats = newStatsWriter(opts.Store, opts.Clock, d.log)
	d.socket = opts.Config.Host.ControlSocket
	if d.socket == "" {
		d.socket = filepath.Join(opts.Bootflash, "dsengine.sock")
	}
	return d, nil
}

// Run starts the stages in order, from the actions back to the inputs,
// serves the control socket last, and runs until ctx ends; then it stops
// everything it started, in reverse, and returns. The outbox stays on
// disk.
func (d *Daemon) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.stats.start()
	defer d.stats.stop() // after the engine's last runs: the stages close first
	d.markStopped()
	var err error
	if d.notify, err = d.startNotify(ctx); err != nil {
		return err
	}
	defer d.notify.close()
	d.detect = d.startDetect(ctx)
	defer d.detect.close()
	if err := d.notify.startAlerts(d, ctx); err != nil {
		return err
	}
	d.resync()
	d.detect.applets.load(d.Config())
	// What the start read and parsed (file bytes, XML tokens: as much as
	// the DS themselves) is garbage now: give it back to the OS at once
	// rather than over minutes of the runtime's scavenger, so the
	// resident size is the DS's (issue 16: 10,000 DS in 100 MB).
	debug.FreeOSMemory()
	d.schedule = d.startSchedule(ctx)
	defer d.schedule.stop()

	// Every goroutine started from here on ends with ctx and is waited
	// for before the stages above close.
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	if d.inputs, err = d.startInputs(ctx, &wg); err != nil {
		return err
	}
	if d.sources, err = d.startSources(ctx, &wg, d.Config()); err != nil {
		return err
	}
	if d.metrics, err = d.startMetrics(ctx, &wg); err != nil {
		return err
	}
	if d.opts.Fleet != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.opts.Fleet(ctx, d); err != nil && !errors.Is(err, context.Canceled) {
				d.log.Error("fleet", "err", err)
			}
		}()
	}
	srv, err := control.Listen(d.socket, d.log)
	if err != nil {
		return err
	}
	srv.HandleSessions(control.SessionVTY, MaxVTY, d.serveVTY)
	d.control.Store(srv)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ctx, d.handle); err != nil && !errors.Is(err, context.Canceled) {
			d.log.Error("control socket", "err", err)
		}
	}()
	d.log.Info("dsengine running", "config", d.opts.ConfigPath, "bootflash", d.opts.Bootflash, "control", d.socket,
		"ds", len(d.detect.registry.IDs()))
	<-ctx.Done()
	d.log.Info("stopping", "outbox", d.notify.outbox.Len())
	return nil
}

// Config is the running configuration.
func (d *Daemon) Config() *config.Config { return d.cfg.Load() }

// Store is the daemon's open store and its lifecycle manager.
func (d *Daemon) Store() (*bootflash.Store, *lifecycle.Manager) { return d.opts.Store, d.opts.Manager }

// markStopped registers again a DS left running by a daemon that stopped
// mid-run.
func (d *Daemon) markStopped() {
	for _, en := range d.opts.Store.List() {
		if en.Status == ds.StatusRunning {
			d.setRunning(en.ID, false)
		}
	}
}
