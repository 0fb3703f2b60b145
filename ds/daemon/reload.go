package daemon

import (
	"fmt"
	"net"

	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// Reload re-reads the configuration file and applies all of it: the
// executor and command map, the rate limit, the mail servers and the other
// transport settings, the syslog inputs, the watched files and the metrics
// address, the tracked objects, the schedules, the applets, the alert
// groups' subscriptions and the environment of the DS. What it cannot
// apply without a restart (the control socket, the host name) refuses the
// reload, naming the line. Anything that fails before the switch leaves
// the running configuration in place, and the error says so. It runs
// inside a command (Do), which holds the state lock: SIGHUP is the
// `reload` command.
func (d *Daemon) Reload() error {
	next, err := d.opts.LoadConfig(d.opts.ConfigPath)
	if err != nil {
		return fmt.Errorf("reload: the running configuration stays: %w", err)
	}
	for _, w := range next.Warnings {
		d.log.Warn("configuration", "file", w.File, "line", w.Line, "warning", w.Msg)
	}
	return d.applyConfig(next)
}

// applyConfig makes next the running configuration, as Reload does after
// reading the file; a vty's configuration line comes here too. The state
// lock is held.
func (d *Daemon) applyConfig(next *config.Config) error {
	if err := d.needsRestart(d.Config(), next); err != nil {
		return fmt.Errorf("reload: the running configuration stays: %w", err)
	}
	p, err := d.prepare(next)
	if err != nil {
		return fmt.Errorf("reload: the running configuration stays: %w", err)
	}
	d.cfg.Store(next)
	d.notify.exec.swap(p.exec)
	if err := d.notify.outbox.SetTransports(p.transports); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	d.notify.live.SetMailer(p.mailer)
	if err := d.notify.limiter.SetLimit(next.CallHome.RateLimit); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	d.inputs.stopRemoved(d, next)
	d.inputs.reconfigure(d, next)
	d.inputs.start(d, p.inputs)
	d.sources.apply(d, p.sources)
	d.metrics.m.SetProfiling(next.Host.MetricsPprof)
	if p.moveMetrics {
		d.metrics.serve(d, next.Host.MetricsListen, p.metrics)
	}
	d.detect.hub.SetTracking(next.Tracks, next.IPSLAs)
	d.detect.hub.SetLimits(hubLimits(next))
	d.detect.pump.SetLocation(next.Clock.Location())
	if err := d.notify.alerts.Subscribe(d.detect.hub); err != nil {
		return fmt.Errorf("reload: alert groups: %w", err)
	}
	d.schedule.reschedule(next)
	d.detect.applets.load(next)
	if err := d.inputs.watch(next, d.opts.ConfigPath); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	// A changed environment may resolve pending DS, or unresolve some.
	changed, err := lifecycle.New(d.opts.Store, lifecycle.Checker(nil, d.clock.Now), lifecycle.HostOf(next),
		next.DiagnosticSignature.Environment.Map(), d.clock.Now).Evaluate()
	if err != nil {
		return err
	}
	for _, c := range changed {
		d.log.Info("status", "ds", c.ID, "status", c.Status, "reason", c.Reason)
	}
	d.resync()
	return nil
}

// prepared is what a reload builds before it switches: nothing of it is
// in use yet, so a failure drops it and the running configuration stays.
type prepared struct {
	exec        executor.Executor
	transports  []transport.Transport
	mailer      *emailto.Sender
	inputs      map[string]input.Input   // the inputs next adds, open
	sources     map[string]source.Source // every source of next, built (a running one with the same key stays)
	metrics     net.Listener             // the new metrics address, bound
	moveMetrics bool
}

// prepare builds and opens what next needs; on an error it closes what it
// opened.
func (d *Daemon) prepare(next *config.Config) (*prepared, error) {
	p := &prepared{}
	var err error
	if p.exec, err = d.newExecutor(next); err != nil {
		return nil, err
	}
	fail := func(err error) (*prepared, error) {
		p.exec.Close()
		closeInputs(p.inputs)
		if p.metrics != nil {
			p.metrics.Close()
		}
		return nil, err
	}
	if p.transports, p.mailer, err = d.newTransports(next); err != nil {
		return fail(err)
	}
	d.inputs.mu.Lock()
	p.inputs, err = d.openInputs(next, d.inputs.running)
	d.inputs.mu.Unlock()
	if err != nil {
		return fail(err)
	}
	if p.sources, err = d.newSources(next); err != nil {
		return fail(err)
	}
	if p.moveMetrics = next.Host.MetricsListen != d.metrics.address(); p.moveMetrics {
		if p.metrics, err = d.listenMetrics(next); err != nil {
			return fail(err)
		}
	}
	return p, nil
}

// needsRestart refuses the settings a running daemon cannot take: where
// its control socket is, and the host name the detectors, the engine and
// the messages took at start.
func (d *Daemon) needsRestart(cur, next *config.Config) error {
	if cur.Host.ControlSocket != next.Host.ControlSocket {
		return fmt.Errorf("%s:%d: control-socket %q: restart the daemon to move its control socket (the running one stays at %s)",
			d.opts.ConfigPath, next.Host.ControlSocketLine, next.Host.ControlSocket, d.socket)
	}
	if cur.Hostname != next.Hostname {
		return fmt.Errorf("%s:%d: hostname %q: restart the daemon to rename the device (it runs as %q)",
			d.opts.ConfigPath, next.HostnameLine, next.Hostname, cur.Hostname)
	}
	return nil
}
