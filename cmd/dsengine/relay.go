package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/daemon"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/file"
	"github.com/dsengine/dsengine/ds/events/input/tcp"
	"github.com/dsengine/dsengine/ds/events/input/udp"
	"github.com/dsengine/dsengine/ds/events/input/unixgram"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/relay"
	"github.com/dsengine/dsengine/ds/fleet/worker"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/metrics"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func relayFlags(fs *flag.FlagSet) {
	fs.String("jetstream", "", "NATS URL(s) of the JetStream cluster, comma separated (required)")
	fs.Int("partitions", fleet.DefaultPartitions, "partitions of the DS_SYSLOG stream, fixed when it is created")
	fs.Int("replicas", 1, "replicas of the streams and buckets (3 on a three-node cluster)")
	fs.String("spool", "", "spool directory while JetStream is away (default BOOTFLASH/relay-spool)")
	fs.Int64("spool-max", relay.DefaultSpoolMax, "bytes the spool may hold; beyond, lines are dropped and counted")
	fs.String("name", "", "relay name in the message IDs (default the host name)")
}

func flagString(fs *flag.FlagSet, name string) string {
	return fs.Lookup(name).Value.(flag.Getter).Get().(string)
}

func flagInt(fs *flag.FlagSet, name string) int {
	return fs.Lookup(name).Value.(flag.Getter).Get().(int)
}

// runRelay is `dsengine relay`: the configuration's syslog inputs into
// the fleet's DS_SYSLOG stream (ds/fleet/relay), until SIGTERM or SIGINT.
func runRelay(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usagef("relay takes no arguments")
	}
	url := flagString(fs, "jetstream")
	if url == "" {
		return usagef("relay needs --jetstream URL")
	}
	cfgPath, ok := e.configPath()
	if !ok {
		return errors.New("no configuration found; give one with --config FILE: its `syslog listen` and `syslog file` lines are the relay's inputs")
	}
	cfg, err := readConfig(cfgPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	name := flagString(fs, "name")
	if name == "" {
		name, _ = os.Hostname()
	}
	spool := flagString(fs, "spool")
	if spool == "" {
		spool = filepath.Join(e.bootflashDir(), "relay-spool")
	}
	nc, err := relay.Connect(url, "dsengine relay "+name)
	if err != nil {
		return fmt.Errorf("--jetstream %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	// A cluster electing its leader answers within seconds; 30 s without
	// an answer is a JetStream to fix before the relay can start.
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	err = fleet.Await(ctx, log, "relay streams", func(ctx context.Context) error {
		return fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: flagInt(fs, "partitions"), Replicas: flagInt(fs, "replicas")})
	})
	cancel()
	if err != nil {
		return fmt.Errorf("--jetstream %s: %w", url, err)
	}
	r, err := relay.New(relay.Options{JS: js, Partitions: flagInt(fs, "partitions"), Name: name, SpoolDir: spool,
		SpoolMax: fs.Lookup("spool-max").Value.(flag.Getter).Get().(int64), Hostname: lifecycle.HostOf(cfg).Hostname,
		Location: cfg.Clock.Location(), Clock: ds.RealClock{}, Log: log})
	if err != nil {
		return err
	}
	inputs, err := openRelayInputs(cfgPath, cfg)
	if err != nil {
		return err
	}
	q := input.NewQueue(cfg.Host.QueueSize(), 0)
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, stop := context.WithCancel(e.ctx)
	defer stop()
	if err := serveRelayMetrics(ctx, &wg, cfgPath, cfg, r, inputs, q, log); err != nil {
		return err
	}
	for _, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := in.Run(ctx, q); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("input", "input", in.Name(), "err", err)
			}
		}()
		log.Info("listening", "input", in.Name())
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				log.Info("relay", "stats", r.Stats().String())
			}
		}
	}()
	log.Info("relay running", "jetstream", url, "partitions", flagInt(fs, "partitions"), "spool", spool)
	err = r.Run(ctx, q)
	log.Info("relay stopped", "stats", r.Stats().String())
	return err
}

// openRelayInputs opens the `syslog listen` and `syslog file` inputs of
// cfg, as the daemon does.
func openRelayInputs(path string, cfg *config.Config) ([]input.Input, error) {
	var out []input.Input
	o := input.Options{Now: ds.RealClock{}.Now}
	closeAll := func() {
		for _, in := range out {
			if c, ok := in.(interface{ Close() error }); ok {
				c.Close()
			}
		}
	}
	for _, l := range cfg.Host.SyslogListen {
		var in input.Input
		var err error
		switch l.Network {
		case "udp":
			in, err = udp.Listen(l.Address, udp.Options{Options: o, ReadBuffer: cfg.Host.ReceiveBuffer()})
		case "tcp":
			in, err = tcp.Listen(l.Address, tcp.Options{Options: o})
		case "unix":
			in, err = unixgram.Listen(l.Address, unixgram.Options{Options: o})
		default:
			err = fmt.Errorf("unknown network %q", l.Network)
		}
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("%s:%d: syslog listen %s %s: %w", path, l.Line, l.Network, l.Address, err)
		}
		out = append(out, in)
	}
	for _, f := range cfg.Host.SyslogFiles {
		in, err := file.New(f.Path, file.Options{Options: o})
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("%s:%d: syslog file %s: %w", path, f.Line, f.Path, err)
		}
		out = append(out, in)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no `syslog listen` or `syslog file` line: the relay has no input; add one", path)
	}
	return out, nil
}

// fleetOptions are `run --jetstream URL [--role worker|executor|both]`.
type fleetOptions struct {
	url, role, id string
	replicas      int
	ttl           time.Duration
	log           *slog.Logger
}

// runFleet is the daemon's Fleet stage: a worker consuming its share of
// the partitions with the DS the daemon registered (a new revision rolls
// out at the next resync, without stopping consumption), and an executor
// running intents with the daemon's engine.
func runFleet(o fleetOptions) func(ctx context.Context, d *daemon.Daemon) error {
	return func(ctx context.Context, d *daemon.Daemon) error {
		nc, err := nats.Connect(o.url, nats.Name("dsengine "+o.id), nats.MaxReconnects(-1),
			nats.ReconnectWait(250*time.Millisecond), nats.RetryOnFailedConnect(true))
		if err != nil {
			return fmt.Errorf("--jetstream %s: %w", o.url, err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		defer wg.Wait()
		var b fleet.Buckets
		if err := fleet.Await(ctx, o.log, "fleet buckets", func(ctx context.Context) (err error) {
			b, err = fleet.EnsureBuckets(ctx, js, o.replicas, o.ttl)
			return err
		}); err != nil {
			return fmt.Errorf("--jetstream %s: %w", o.url, err)
		}
		d.SetFleetView(func(ctx context.Context, w io.Writer, id string) error {
			v, err := fleet.ReadView(ctx, b.Stats, time.Now())
			if err != nil {
				return err
			}
			if id != "" {
				v.WriteDS(w, id)
			} else {
				v.Write(w)
			}
			return nil
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			writeStats(ctx, d, fleet.NewStatsWriter(b.Stats, o.id), o.log)
		}()
		// Whatever its role, one worker of the fleet runs the timer
		// events: the holder of the timers lease.
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker.RunTimers(ctx, worker.TimersOptions{Leases: b.Leases, ID: o.id, LeaseTTL: o.ttl, Set: d.SetTimers, Log: o.log})
		}()
		if o.role != "executor" {
			var w *worker.Worker
			if err := fleet.Await(ctx, o.log, "fleet worker", func(ctx context.Context) (err error) {
				w, err = worker.New(ctx, worker.Options{JS: js, Buckets: b, ID: o.id, LeaseTTL: o.ttl, Log: o.log})
				return err
			}); err != nil {
				return err
			}
			w.SetSignatures(d.Wants())
			if err := d.RegisterMetrics(w.Collectors()...); err != nil {
				return err
			}
			wg.Add(2)
			go func() {
				defer wg.Done()
				if err := w.Run(ctx); err != nil {
					o.log.Error("fleet worker", "err", err)
				}
			}()
			go func() {
				defer wg.Done()
				rollout(ctx, d, w)
			}()
		}
		if o.role == "worker" {
			<-ctx.Done()
			return nil
		}
		var ex *worker.Executor
		if err := fleet.Await(ctx, o.log, "fleet executor", func(ctx context.Context) error {
			if err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: mustPartitions(ctx, js), Replicas: o.replicas}); err != nil {
				return err
			}
			done, err := fleet.EnsureDone(ctx, js, o.replicas, fleet.DefaultDedup)
			if err != nil {
				return err
			}
			ex, err = worker.NewExecutor(ctx, worker.ExecutorOptions{JS: js, Log: o.log, Done: done, AckWait: executorAckWait,
				Run: func(ctx context.Context, in fleet.Intent) error { return runIntent(ctx, d, o.id, in) }})
			return err
		}); err != nil {
			return fmt.Errorf("--jetstream %s: %w", o.url, err)
		}
		if err := d.RegisterMetrics(ex.Collectors()...); err != nil {
			return err
		}
		return ex.Run(ctx)
	}
}

// executorAckWait is how long JetStream waits for an intent's ack before
// another executor gets it: above the engine's default maxrun, and renewed
// while the run is in progress.
const executorAckWait = engine.DefaultMaxRun + 30*time.Second

// runIntent runs an intent's trigger with the daemon's engine and returns
// once the run ended: the executor acks the intent then, so an executor
// that dies mid-run leaves it to another.
func runIntent(ctx context.Context, d *daemon.Daemon, id string, in fleet.Intent) error {
	ended := make(chan engine.RunStats, 1)
	t := in.Trigger
	t.Done = func(st engine.RunStats) { ended <- st }
	if !d.Fire(ctx, in.DS, t) {
		return fmt.Errorf("DS %s is not registered on %s: install it, or its intent waits for an executor that has it", in.DS, id)
	}
	select {
	case st := <-ended:
		if st.Skipped {
			// It never ran (dropped, or its DS removed): again later.
			return fmt.Errorf("intent %s not run: %s", in.ID, st.Reason)
		}
		return nil // a run that ended, its actions failed or not, is done
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeStats writes the daemon's DS statistics to DS_STATS every
// fleet.StatsInterval, for the fleet view.
func writeStats(ctx context.Context, d *daemon.Daemon, sw *fleet.StatsWriter, log *slog.Logger) {
	tick := time.NewTicker(fleet.StatsInterval)
	defer tick.Stop()
	for {
		store, _ := d.Store()
		var cur []fleet.DSStats
		for _, en := range store.List() {
			if st := en.Stats; st.Triggers > 0 {
				cur = append(cur, fleet.DSStats{DS: en.ID, Triggers: st.Triggers, Runs: st.Runs, Suppressed: st.Suppressed,
					FailedRuns: st.FailedRuns, ActionsRun: st.ActionsRun, ActionsFailed: st.ActionsFailed, RunTime: st.TotalRunTime})
			}
		}
		if err := sw.Write(ctx, time.Now(), cur); err != nil && ctx.Err() == nil {
			log.Warn("fleet statistics not written", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// mustPartitions is the stream's partition count, or the default when a
// relay has not created it yet.
func mustPartitions(ctx context.Context, js jetstream.JetStream) int {
	if n, err := fleet.Partitions(ctx, js); err == nil {
		return n
	}
	return fleet.DefaultPartitions
}

// rollout gives the worker the daemon's DS set each time a resync makes a
// new one.
func rollout(ctx context.Context, d *daemon.Daemon, w *worker.Worker) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	last := d.Wants()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if now := d.Wants(); !sameWants(now, last) {
				w.SetSignatures(now)
				last = now
			}
		}
	}
}

func sameWants(a, b []registry.Want) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Sig != b[i].Sig {
			return false
		}
	}
	return true
}

// fleetFlag reads `run`'s --jetstream, --role, --replicas and --worker-id:
// nil without --jetstream.
func fleetFlag(fs *flag.FlagSet, log *slog.Logger) (func(context.Context, *daemon.Daemon) error, error) {
	url := flagString(fs, "jetstream")
	if url == "" {
		return nil, nil
	}
	o := fleetOptions{url: url, role: flagString(fs, "role"), id: flagString(fs, "worker-id"), replicas: flagInt(fs, "replicas"),
		ttl: fleet.DefaultLeaseTTL, log: log}
	switch o.role {
	case "worker", "executor", "both":
	default:
		return nil, usagef("--role %q: give worker, executor or both", o.role)
	}
	if o.id == "" {
		o.id, _ = os.Hostname()
	}
	return runFleet(o), nil
}

// serveRelayMetrics serves, when the configuration has `metrics listen`,
// the relay's counters (the spool and JetStream's absence among them) and
// its inputs' until ctx ends.
func serveRelayMetrics(ctx context.Context, wg *sync.WaitGroup, cfgPath string, cfg *config.Config, r *relay.Relay,
	inputs []input.Input, q *input.Queue, log *slog.Logger) error {
	addr := cfg.Host.MetricsListen
	if addr == "" {
		return nil
	}
	m := metrics.New(metrics.Sources{
		Inputs: func() []input.Stats {
			out := make([]input.Stats, 0, len(inputs))
			for _, in := range inputs {
				out = append(out, in.Stats())
			}
			return out
		},
		Queue: func() (int, int) { return q.Len(), q.Cap() },
	})
	if err := m.Register(r.Collectors()...); err != nil {
		return err
	}
	m.SetProfiling(cfg.Host.MetricsPprof)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s:%d: metrics listen %s: %w", cfgPath, cfg.Host.MetricsListenLine, addr, err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := m.ServeListener(ctx, ln); err != nil { // nil once ctx ended
			log.Error("metrics", "listen", addr, "err", err)
		}
	}()
	log.Info("metrics", "listen", addr)
	return nil
}
