package daemon

import (
	"context"
	"os"
	"slices"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/alertgroup"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// notifyStage is what the actions reach: the executor for commands, the
// rate limit and durable outbox in front of the transports, the mail
// servers, the syslog messenger, the alert groups.
type notifyStage struct {
	exec      *swapExecutor // swapped by a reload
	outbox    *outbox.Outbox
	limiter   *outbox.RateLimiter
	messenger *message.Messenger
	notifier  *notify.Notifier
	live      *actions.Live  // the device every action, script and applet acts on
	actions   *actions.Table // the DS action types, on live
	alerts    *alertgroup.Sender
	hostname  string
}

// startNotify builds the action side and starts the outbox's workers.
func (d *Daemon) startNotify(ctx context.Context) (*notifyStage, error) {
	cfg := d.Config()
	n := &notifyStage{hostname: lifecycle.HostOf(cfg).Hostname}
	exec, err := d.newExecutor(cfg)
	if err != nil {
		return nil, err
	}
	n.exec = newSwapExecutor(exec)
	transports, mailer, err := d.newTransports(cfg)
	if err != nil {
		n.close()
		return nil, err
	}
	if n.outbox, err = outbox.New(d.opts.Store, outbox.Options{Transports: transports, Clock: d.clock, Logger: d.log}); err != nil {
		n.close()
		return nil, err
	}
	for _, w := range n.outbox.Warnings() {
		d.log.Warn("outbox", "warning", w)
	}
	n.outbox.Start()
	if n.limiter, err = outbox.NewRateLimiter(cfg.CallHome.RateLimit, d.clock, n.outbox.Stats(), n.outbox); err != nil {
		n.close()
		return nil, err
	}
	n.messenger = message.New(message.Options{OnCap: d.caps.hit, Echo: func(sev ds.Severity, line string, from events.Origin) {
		d.log.Info("syslog", "line", line)
		// The engine's own messages go through the detectors too, as IOS
		// EEM sees the lines of its logging buffer; a full echo queue
		// drops and counts.
		if !d.detect.pump.Echo(line, from) {
			d.log.Warn("syslog echo dropped: too many of the engine's own lines waiting", "line", line)
		}
	}})
	// One notifier composes every call-home message, numbering them from
	// one counter.
	// The notifier's host name is the machine's own: the device name of a
	// configuration without `hostname`, and a name data-privacy hostname
	// scrubs besides the configured one.
	machine, _ := os.Hostname()
	if machine == "" {
		machine = n.hostname
	}
	if n.notifier, err = notify.New(notify.Options{Device: actions.HostDevice(), Hostname: machine, Clock: d.clock,
		Out: n.limiter}); err != nil {
		n.close()
		return nil, err
	}
	n.live = &actions.Live{Exec: n.exec, Notify: n.notifier, Messenger: n.messenger, Values: d.opts.Store,
		Config: d.Config, Clock: d.clock}
	n.live.SetMailer(mailer)
	n.actions = actions.New(n.live, action.Deps{Clock: d.clock, OnCap: d.caps.hit})
	return n, nil
}

// newExecutor builds the executor of cfg: its `executor` and `command-map`
// lines, then the alert groups' commands, which the configuration's own
// lines override.
func (d *Daemon) newExecutor(cfg *config.Config) (executor.Executor, error) {
	commandMap := append(slices.Clone(cfg.DiagnosticSignature.CommandMap), alertgroup.CommandMap(d.opts.ConfigPath)...)
	return executor.New(cfg.DiagnosticSignature.Executor, commandMap, executor.Options{})
}

// newTransports builds the outbox's transports of cfg (mail servers,
// sender, proxy, source binding) and the sender through the call-home mail
// servers (nil without a mail-server).
func (d *Daemon) newTransports(cfg *config.Config) ([]transport.Transport, *emailto.Sender, error) {
	transports, err := transport.New(&cfg.CallHome, transport.Options{Clock: d.clock})
	if err != nil {
		return nil, nil, err
	}
	var mailer *emailto.Sender
	for _, t := range transports {
		if t.Name() == transport.NameEmail && len(cfg.CallHome.MailServers) > 0 {
			if mailer, err = emailto.NewSender(t, d.clock); err != nil {
				return nil, nil, err
			}
		}
	}
	return transports, mailer, nil
}

// startAlerts starts the alert groups once the hub exists: DS call-home
// events add their commands to the groups' messages.
func (n *notifyStage) startAlerts(d *Daemon, ctx context.Context) error {
	alerts, err := alertgroup.New(alertgroup.Options{Config: d.Config, Exec: n.exec, Notify: n.notifier, Clock: d.clock,
		Logger:        d.log,
		ExtraCommands: func(g config.AlertGroup) []string { return d.callHomeEventCommands(g) }})
	if err != nil {
		return err
	}
	n.alerts = alerts
	// The alert groups' syslog, environment, inventory and configuration
	// events are detectors on the hub, like any DS's.
	return alerts.Subscribe(d.detect.hub)
}

// close stops the alert groups, the outbox's workers and the executor;
// what is queued stays on disk.
func (n *notifyStage) close() {
	if n.alerts != nil {
		n.alerts.Close()
	}
	if n.messenger != nil {
		n.messenger.Close()
	}
	if n.outbox != nil {
		n.outbox.Close()
	}
	if n.exec != nil {
		n.exec.Close()
	}
}

// Alerts is the alert-group sender: `call-home test|send|request` go
// through it.
func (d *Daemon) Alerts() *alertgroup.Sender { return d.notify.alerts }

// OutboxStats are the running outbox's counters.
func (d *Daemon) OutboxStats() outbox.Statistics { return d.notify.outbox.Stats().Snapshot() }
