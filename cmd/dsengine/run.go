package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/actions/outbox"
	"github.com/dsengine/dsengine/ds/actions/script"
	"github.com/dsengine/dsengine/ds/actions/transport"
	"github.com/dsengine/dsengine/ds/alertgroup"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	dsconfig "github.com/dsengine/dsengine/ds/events/detect/config/filewatch"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/file"
	"github.com/dsengine/dsengine/ds/events/input/tcp"
	"github.com/dsengine/dsengine/ds/events/input/udp"
	"github.com/dsengine/dsengine/ds/events/input/unixgram"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/metrics"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/dsengine/dsengine/signatures"
)

func runFlags(fs *flag.FlagSet) {
	fs.Bool("demo", false, "run the bundled example signatures with the demo key, a syslog listener on "+
		"127.0.0.1:5514 (UDP and TCP) and an outbox standing in for the collector")
}

// demoConfig is the embedded default of `run --demo`. The collector
// address answers nothing, so call-home messages wait in the outbox.
const demoConfig = `hostname dsengine-demo
service call-home
call-home
 contact-email-addr demo@dsengine.invalid
 rate-limit 60
 profile "demo"
  destination transport-method http
  no destination transport-method email
  destination address http http://127.0.0.1:9/callhome
 diagnostic-signature
  profile demo
  environment ds_noc_email noc@dsengine.invalid
  environment ds_audit_to audit@dsengine.invalid
  trust-key DEMO_KEY_PATH
  command-map "show inventory" "lscpu; lsblk -d -o NAME,SIZE,MODEL"
dsengine
 syslog listen udp 127.0.0.1:5514
 syslog listen tcp 127.0.0.1:5514
event manager applet LINKFLAP
 event syslog pattern "%LINK-3-UPDOWN: .* down" occurs 2 period 60
 action 1.0 cli command "show ip interface brief"
 action 2.0 syslog msg "a link went down twice in a minute"
event manager applet HELLO
 event none
 action 1.0 syslog msg "hello from $_none_arg1"
`

// runDaemon is `dsengine run`: it wires the packages together and runs
// until SIGTERM or SIGINT; SIGHUP re-reads the configuration.
func runDaemon(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usagef("run takes no arguments")
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	demo := fs.Lookup("demo").Value.(flag.Getter).Get().(bool)
	var cfgPath string
	if demo {
		p, err := writeDemo(e.bootflashDir())
		if err != nil {
			return err
		}
		cfgPath = p
	} else if p, ok := e.configPath(); ok {
		cfgPath = p
	} else {
		return errors.New("no configuration found; give one with --config FILE, or try `dsengine run --demo`")
	}
	cfg, err := readConfig(cfgPath)
	if err != nil {
		return err
	}
	var current atomic.Pointer[config.Config]
	current.Store(cfg)

	store, mgr, err := e.openStore(cfg, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if demo {
		if err := installDemo(e, store, mgr, filepath.Dir(cfgPath)); err != nil {
			return err
		}
	}
	// A DS left running by a daemon that stopped mid-run is registered.
	for _, en := range store.List() {
		if en.Status == ds.StatusRunning {
			setRunning(store, en.ID, false, log)
		}
	}

	state := &daemonState{store: store, mgr: mgr, cfg: current.Load}
	ctx, stop := context.WithCancel(e.ctx)
	defer stop()
	clock := ds.RealClock{}
	host := hostInfo(cfg)
	hub := detect.NewHub(ctx, detect.Options{Clock: clock, Host: host.Hostname, Tracks: cfg.Tracks, SLAs: cfg.IPSLAs, Log: log})
	defer hub.Close()

	// The alert groups' IOS commands map to Linux ones after the
	// configuration's own command-map lines, which win.
	commandMap := append(slices.Clone(cfg.DiagnosticSignature.CommandMap), alertgroup.CommandMap(cfgPath)...)
	exec, err := executor.New(cfg.DiagnosticSignature.Executor, commandMap, executor.Options{})
	if err != nil {
		return err
	}
	defer exec.Close()
	transports, err := transport.New(&cfg.CallHome, transport.Options{Clock: clock})
	if err != nil {
		return err
	}
	ob, err := outbox.New(store, outbox.Options{Transports: transports, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	for _, w := range ob.Warnings() {
		log.Warn("outbox", "warning", w)
	}
	ob.Start()
	defer ob.Close()
	limiter, err := outbox.NewRateLimiter(cfg.CallHome.RateLimit, clock, ob.Stats(), ob)
	if err != nil {
		return err
	}
	var mail *emailto.Action
	for _, t := range transports {
		if t.Name() == "email" && len(cfg.CallHome.MailServers) > 0 {
			if mail, err = emailto.New(t, clock, host.Hostname); err != nil {
				return err
			}
		}
	}
	messenger := message.New(message.Options{Echo: func(sev ds.Severity, line string) {
		log.Info("syslog", "line", line)
		// The engine's own messages go through the detectors too, as IOS
		// EEM sees the lines of its logging buffer.
		go deliverLine(hub, host.Hostname, line, clock.Now())
	}})
	defer messenger.Close()

	live := &actions.Live{Exec: exec, CallHomes: limiter, Mail: mail, Scripts: script.NewRunner(script.Options{Clock: clock}),
		Messenger: messenger, Values: store, Config: current.Load, Device: actions.HostDevice(), Hostname: host.Hostname, Clock: clock}
	alerts, err := alertgroup.New(alertgroup.Options{Config: current.Load, Exec: exec, Out: limiter, Clock: clock,
		Device: live.Device, Hostname: host.Hostname, Logger: log,
		ExtraCommands: func(g config.AlertGroup) []string { return callHomeEventCommands(hub, store, g) }})
	if err != nil {
		return err
	}
	defer alerts.Close()
	// The configuration alert group follows configuration changes through
	// the same detector as DS config events (%SYS-5-CONFIG_I/P, watched files).
	if _, err := hub.Register("alertgroup:configuration", ds.Event{ID: "change", Type: ds.EventConfig}, nil,
		func(detect.Fired) { go alerts.ConfigChanged(ctx) }); err != nil {
		return err
	}
	known := func() vars.Known {
		return vars.Known{Environment: current.Load().DiagnosticSignature.Environment.Map()}
	}
	var mx atomic.Pointer[metrics.Metrics] // set once its sources exist; earlier records are only logged
	report := func(r engine.Record) {
		logRecord(log, r)
		if m := mx.Load(); m != nil && (r.Kind == "action" || r.Kind == "error") {
			m.ObserveAction(r.Type, r.Failed)
		}
	}
	eng := engine.New(engine.Options{Clock: clock, Effects: live, Hostname: host.Hostname, Known: known,
		Report:     report,
		OnRunStart: func(id string) { setRunning(store, id, true, log) },
		OnRunDone: func(id string, st engine.RunStats) {
			if err := store.Update(id, func(en *bootflash.Entry) {
				addRunStats(en, st)
				if en.Status == ds.StatusRunning {
					en.Status = ds.StatusRegistered
				}
			}); err != nil {
				log.Error("statistics", "ds", id, "err", err)
			}
		}})
	reg := registry.New(ctx, registry.Options{Hub: hub, Engine: eng, Clock: clock, Hostname: host.Hostname, Known: known,
		Report: report})
	defer func() { reg.Close(); stop(); eng.Wait() }()

	var syncMu sync.Mutex
	var lastIDs string
	resync := func() {
		syncMu.Lock()
		defer syncMu.Unlock()
		var want []registry.Want
		for _, en := range store.List() {
			if en.Runnable() && (en.Status == ds.StatusRegistered || en.Status == ds.StatusRunning) {
				want = append(want, registry.Want{Sig: en.Signature, Prompts: en.PromptAnswers,
					Ran: en.Stats.Runs > 0 && !en.Stats.LastTrigger.Before(en.LastUpdate)})
			}
		}
		for id, err := range reg.Sync(want) {
			log.Error("register", "ds", id, "err", err)
			_ = store.Update(id, func(en *bootflash.Entry) {
				en.Status, en.FailureReason = ds.StatusFailed, "cannot register: "+err.Error()
			})
		}
		if ids := strings.Join(reg.IDs(), " "); ids != lastIDs {
			log.Info("registered", "ds", ids)
			lastIDs = ids
		}
	}
	reload := func() error {
		p := cfgPath
		next, err := readConfig(p)
		if err != nil {
			return fmt.Errorf("reload: the running configuration stays: %w", err)
		}
		current.Store(next)
		hub.SetTracking(next.Tracks, next.IPSLAs)
		if state.rescheduled != nil {
			state.rescheduled(next)
		}
		if state.applets != nil {
			state.applets(next)
		}
		// A changed environment may resolve pending DS, or unresolve some.
		changed, err := lifecycle.New(store, lifecycle.Checker(nil, e.now), hostInfo(next),
			next.DiagnosticSignature.Environment.Map(), e.now).Evaluate()
		if err != nil {
			return err
		}
		for _, c := range changed {
			log.Info("status", "ds", c.ID, "status", c.Status, "reason", c.Reason)
		}
		resync()
		return nil
	}
	resync()
	eem := &applets{ctx: ctx, hub: hub, clock: clock, log: log,
		host: &appletHost{exec: exec, messenger: messenger, mail: mail, MemoryState: &applet.MemoryState{}}}
	eem.load(cfg)

	// Files named by `watch file PATH`: a change is a config event.
	if len(cfg.Host.WatchFiles) > 0 {
		watcher, err := dsconfig.NewWatcher(clock, 200*time.Millisecond, log, hub.ConfigChanged)
		if err != nil {
			return err
		}
		defer watcher.Close()
		for _, f := range cfg.Host.WatchFiles {
			if err := watcher.Add(f.Path); err != nil {
				return fmt.Errorf("%s:%d: watch file %s: %w", cfgPath, f.Line, f.Path, err)
			}
		}
		go func() {
			if err := watcher.Run(ctx); err != nil {
				log.Error("watch file", "err", err)
			}
		}()
	}

	// Inputs → one bounded queue → parse → detectors.
	queue := input.NewQueue(4096, 0)
	var inputs []input.Input
	for _, l := range cfg.Host.SyslogListen {
		in, err := listen(l, clock)
		if err != nil {
			return fmt.Errorf("%s:%d: syslog listen %s %s: %w", cfgPath, l.Line, l.Network, l.Address, err)
		}
		inputs = append(inputs, in)
	}
	for _, f := range cfg.Host.SyslogFiles {
		t, err := file.New(f.Path, file.Options{Options: input.Options{Now: clock.Now}})
		if err != nil {
			return fmt.Errorf("%s:%d: syslog file %s: %w", cfgPath, f.Line, f.Path, err)
		}
		inputs = append(inputs, t)
	}
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Add(1)
		go func(in input.Input) {
			defer wg.Done()
			if err := in.Run(ctx, queue); err != nil {
				log.Error("input", "input", in.Name(), "err", err)
			}
		}(in)
		log.Info("listening", "input", in.Name())
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m events.Message
		for {
			item, err := queue.Get(ctx)
			if err != nil {
				return
			}
			syslogmsg.Parse(item.Line, item.Received, &m)
			if m.Host == "" && item.Peer.IsValid() {
				m.Host = item.Peer.Addr().String()
			}
			hub.Deliver(&m)
			alerts.Syslog(&m)
		}
	}()

	// The control socket: every live CLI command reaches this state.
	state.reload, state.changed, state.outboxStats, state.applets = reload, resync, ob.Stats().Snapshot, eem.load
	state.events = &eventState{hub: hub, triggers: eng.Stats,
		queueDepth: func() (int, int) { return queue.Len(), queue.Cap() },
		inputs: func() []input.Stats {
			out := make([]input.Stats, 0, len(inputs))
			for _, in := range inputs {
				out = append(out, in.Stats())
			}
			return out
		}}
	// Prometheus metrics, when `metrics listen ADDRESS` asks for them.
	if addr := cfg.Host.MetricsListen; addr != "" {
		m := metrics.New(metrics.Sources{Inputs: state.events.inputs, Triggers: eng.Stats, Queue: state.events.queueDepth,
			Outbox: ob.Stats().Snapshot, OutboxLen: ob.Len,
			Statuses: func() map[string]int {
				n := map[string]int{}
				for _, en := range store.List() {
					n[string(en.Status)]++
				}
				return n
			}})
		mx.Store(m)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.Serve(ctx, addr); err != nil {
				log.Error("metrics", "err", err)
			}
		}()
		log.Info("metrics", "listen", addr)
	}
	sockPath := cfg.Host.ControlSocket
	if sockPath == "" {
		sockPath = filepath.Join(e.bootflashDir(), "dsengine.sock")
	}
	srv, err := control.Listen(sockPath)
	if err != nil {
		return err
	}
	base := *e
	base.config = cfgPath
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ctx, state.handler(&base)); err != nil {
			log.Error("control socket", "err", err)
		}
	}()
	// The periodic alert-group messages; the regular DS download runs
	// right after the DS profile's periodic inventory message, as the
	// guide says, and only once a DS profile is assigned.
	sched := alertgroup.NewScheduler(alerts, func(profile string) {
		c := current.Load()
		if c.DiagnosticSignature.ProfileLine == 0 || c.DiagnosticSignature.Repository == "" ||
			!strings.EqualFold(profile, c.DiagnosticSignature.Profile) {
			return
		}
		state.mu.Lock()
		defer state.mu.Unlock()
		res, err := downloadDS(ctx, c, store, mgr, clock, false, nil, nil)
		if err != nil {
			log.Error("periodic DS download", "err", err)
		}
		if res != nil {
			log.Info("periodic DS download", "result", res.String())
		}
		resync()
	})
	defer sched.Stop()
	reschedule := func(c *config.Config) {
		if err := sched.Reschedule(c); err != nil {
			log.Error("alert-group schedules", "err", err)
		}
		for _, p := range sched.Planned() {
			log.Info("periodic message planned", "plan", fmt.Sprintf("%+v", p))
		}
	}
	reschedule(cfg)
	state.rescheduled = reschedule
	state.alerts = alerts

	log.Info("dsengine running", "config", cfgPath, "bootflash", e.bootflashDir(), "control", sockPath,
		"ds", len(reg.IDs()))

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			log.Info("stopping", "outbox", ob.Len())
			stop()
			wg.Wait()
			return nil
		case <-hup:
			state.mu.Lock()
			if err := reload(); err != nil {
				log.Error("reload", "err", err)
			} else {
				log.Info("configuration reloaded", "config", cfgPath)
			}
			state.mu.Unlock()
		}
	}
}

func listen(l config.Listener, clock ds.Clock) (input.Input, error) {
	o := input.Options{Now: clock.Now}
	switch l.Network {
	case "udp":
		return udp.Listen(l.Address, udp.Options{Options: o})
	case "tcp":
		return tcp.Listen(l.Address, tcp.Options{Options: o})
	case "unix":
		return unixgram.Listen(l.Address, unixgram.Options{Options: o})
	}
	return nil, fmt.Errorf("unknown network %q", l.Network)
}

// deliverLine feeds one of the engine's own syslog lines to the detectors.
func deliverLine(hub *detect.Hub, host, line string, now time.Time) {
	var m events.Message
	syslogmsg.Parse([]byte(line), now, &m)
	if m.Host == "" {
		m.Host = host
	}
	hub.Deliver(&m)
}

func logRecord(log *slog.Logger, r engine.Record) {
	if r.Failed {
		log.Warn("ds "+r.Kind, "ds", r.DS, "type", r.Type, "detail", r.Detail)
		return
	}
	log.Info("ds "+r.Kind, "ds", r.DS, "type", r.Type, "detail", r.Detail)
}

// setRunning marks a registered DS running while its actions run (SPEC §4).
func setRunning(store *bootflash.Store, id string, running bool, log *slog.Logger) {
	err := store.Update(id, func(en *bootflash.Entry) {
		switch {
		case running && en.Status == ds.StatusRegistered:
			en.Status = ds.StatusRunning
		case !running && en.Status == ds.StatusRunning:
			en.Status = ds.StatusRegistered
		}
	})
	if err != nil {
		log.Error("status", "ds", id, "err", err)
	}
}

// addRunStats adds one run to a DS's statistics.
func addRunStats(en *bootflash.Entry, st engine.RunStats) {
	s := &en.Stats
	s.Triggers++
	s.LastTrigger = st.Trigger
	s.Runs++
	s.TotalRunTime += st.Duration
	if s.ByAction == nil {
		s.ByAction = map[ds.ActionType]int64{}
	}
	for t, n := range st.ByType {
		s.ByAction[t] += int64(n)
		s.ActionsRun += int64(n)
	}
	s.ActionsFailed += int64(st.Failed)
	s.LastAction = st.Trigger.Add(st.Duration)
	s.LastActionResult, s.LastActionFailed = st.Last, st.LastFail
}

// writeDemo writes the demo configuration and the demo key under the
// bootflash directory and returns the configuration's path.
func writeDemo(bootflashDir string) (string, error) {
	dir := filepath.Join(bootflashDir, "demo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	key, err := fs.ReadFile(signatures.Files, signatures.DemoKey)
	if err != nil {
		return "", err
	}
	keyPath := filepath.Join(dir, "demo-public.asc")
	if err := os.WriteFile(keyPath, key, 0o644); err != nil {
		return "", err
	}
	cfgPath := filepath.Join(dir, "dsengine.conf")
	abs, err := filepath.Abs(keyPath)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(cfgPath, []byte(strings.Replace(demoConfig, "DEMO_KEY_PATH", abs, 1)), 0o644); err != nil {
		return "", err
	}
	return cfgPath, nil
}

// installDemo installs each bundled signature not installed yet, from the
// embedded files, verified like any other.
func installDemo(e *env, store *bootflash.Store, mgr *lifecycle.Manager, dir string) error {
	names, err := fs.Glob(signatures.Files, "*.xml")
	if err != nil {
		return err
	}
	for _, name := range names {
		id := strings.TrimSuffix(name, ".xml")
		if _, ok := store.Get(id); ok {
			continue
		}
		for _, f := range []string{name, name + ".asc"} {
			data, err := fs.ReadFile(signatures.Files, f)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
				return err
			}
		}
		res, err := mgr.InstallFile(filepath.Join(dir, name), nil, nil)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		fmt.Fprintf(e.stderr, "demo: DS %s installed, %s %s\n", id, res.Status, res.Reason)
	}
	return nil
}

// callHomeEventCommands lists the command actions of the registered DS
// whose call-home event adds them to group g's messages.
func callHomeEventCommands(hub *detect.Hub, store *bootflash.Store, g config.AlertGroup) []string {
	var cmds []string
	for _, owner := range hub.AlertGroupCommands(string(g)) {
		en, ok := store.Get(owner)
		if !ok || en.Signature == nil {
			continue
		}
		for _, a := range en.Signature.Actions {
			if a.Type == ds.ActionCommand {
				cmds = append(cmds, a.Text)
			}
		}
	}
	return cmds
}
