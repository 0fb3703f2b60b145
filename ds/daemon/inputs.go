package daemon

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect/config/filewatch"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/file"
	"github.com/dsengine/dsengine/ds/events/input/tcp"
	"github.com/dsengine/dsengine/ds/events/input/udp"
	"github.com/dsengine/dsengine/ds/events/input/unixgram"
)

// inputStage is the syslog inputs, the bounded queues they share (one per
// core, a sender's lines always in the same one), and the watcher of
// `watch file` paths. A reload opens the inputs a new
// configuration adds and closes those it removes.
type inputStage struct {
	ctx     context.Context // the daemon's: inputs run until it ends
	wg      *sync.WaitGroup // Run's: every input goroutine is in it
	queue   *input.Shards
	watcher *filewatch.Watcher

	mu      sync.Mutex
	running map[string]*runningInput // by key: "udp 127.0.0.1:514", "file /var/log/x"
	watched []string
}

// runningInput is one input and what stops it.
type runningInput struct {
	in   input.Input
	stop context.CancelFunc
}

// inputKey names an input the way the configuration does.
func inputKey(network, address string) string { return network + " " + address }

// startInputs opens every `syslog listen` and `syslog file` input and the
// `watch file` watcher, and starts them and the pump; the goroutines are
// in wg.
func (d *Daemon) startInputs(ctx context.Context, wg *sync.WaitGroup) (*inputStage, error) {
	cfg := d.Config()
	// `syslog queue-size`: a reload cannot resize the queue the pump reads.
	s := &inputStage{ctx: ctx, wg: wg, queue: input.NewShards(d.shards(), cfg.Host.QueueSize(), 0), running: map[string]*runningInput{}}
	opened, err := d.openInputs(cfg, nil)
	if err != nil {
		return nil, err
	}
	// Files named by `watch file PATH`: a change is a config event.
	if s.watcher, err = filewatch.NewWatcher(d.clock, 200*time.Millisecond, d.log, d.detect.hub.ConfigChanged); err != nil {
		closeInputs(opened)
		return nil, err
	}
	if err := s.watch(cfg, d.opts.ConfigPath); err != nil {
		s.watcher.Close()
		closeInputs(opened)
		return nil, err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer s.watcher.Close()
		if err := s.watcher.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			d.log.Error("watch file", "err", err)
		}
	}()
	s.start(d, opened)
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.detect.pump.Run(ctx, s.queue.Queues()...)
	}()
	return s, nil
}

// openInputs opens the inputs of cfg that are not in running; on an error
// it closes what it opened and names the configuration line.
func (d *Daemon) openInputs(cfg *config.Config, running map[string]*runningInput) (map[string]input.Input, error) {
	opened := map[string]input.Input{}
	for _, l := range cfg.Host.SyslogListen {
		key := inputKey(l.Network, l.Address)
		if running[key] != nil || opened[key] != nil {
			continue
		}
		in, err := listen(l, cfg.Host, d.clock, d.shards())
		if err != nil {
			closeInputs(opened)
			return nil, fmt.Errorf("%s:%d: syslog listen %s %s: %w", d.opts.ConfigPath, l.Line, l.Network, l.Address, err)
		}
		opened[key] = in
	}
	for _, f := range cfg.Host.SyslogFiles {
		key := inputKey("file", f.Path)
		if running[key] != nil || opened[key] != nil {
			continue
		}
		t, err := file.New(f.Path, file.Options{Options: input.Options{Now: d.clock.Now}})
		if err != nil {
			closeInputs(opened)
			return nil, fmt.Errorf("%s:%d: syslog file %s: %w", d.opts.ConfigPath, f.Line, f.Path, err)
		}
		opened[key] = t
	}
	return opened, nil
}

// start runs the opened inputs, each until the daemon stops or a reload
// removes it.
func (s *inputStage) start(d *Daemon, opened map[string]input.Input) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(opened))
	for k := range opened {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		in := opened[key]
		ctx, stop := context.WithCancel(s.ctx)
		s.running[key] = &runningInput{in: in, stop: stop}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := in.Run(ctx, s.queue); err != nil && !errors.Is(err, context.Canceled) {
				d.log.Error("input", "input", in.Name(), "err", err)
			}
		}()
		if u, ok := in.(*udp.Input); ok {
			d.log.Info("listening", "input", in.Name(), "sockets", u.Sockets(), "receive_buffer", u.ReadBuffer())
		} else {
			d.log.Info("listening", "input", in.Name())
		}
	}
}

// reconfigure applies the `syslog` settings of cfg to the running inputs:
// the receive buffer of the udp sockets now, the queue size at the next
// start (the log says so).
func (s *inputStage) reconfigure(d *Daemon, cfg *config.Config) {
	if n := cfg.Host.QueueSize(); n != s.queue.Cap() {
		d.log.Warn("syslog queue-size takes effect when the daemon restarts", "configured", n, "in_force", s.queue.Cap())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.running {
		u, ok := r.in.(*udp.Input)
		if !ok {
			continue
		}
		before := u.ReadBuffer()
		if err := u.SetReadBuffer(cfg.Host.ReceiveBuffer()); err != nil {
			d.log.Error("input", "input", u.Name(), "err", err)
		} else if u.ReadBuffer() != before {
			d.log.Info("receive buffer changed", "input", u.Name(), "receive_buffer", u.ReadBuffer())
		}
	}
}

// stopRemoved stops the inputs cfg no longer names.
func (s *inputStage) stopRemoved(d *Daemon, cfg *config.Config) {
	want := map[string]bool{}
	for _, l := range cfg.Host.SyslogListen {
		want[inputKey(l.Network, l.Address)] = true
	}
	for _, f := range cfg.Host.SyslogFiles {
		want[inputKey("file", f.Path)] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, r := range s.running {
		if !want[key] {
			r.stop()
			delete(s.running, key)
			d.log.Info("stopped listening", "input", r.in.Name())
		}
	}
}

// watch makes the watched files those of cfg.
func (s *inputStage) watch(cfg *config.Config, configPath string) error {
	var want []string
	for _, f := range cfg.Host.WatchFiles {
		want = append(want, f.Path)
		if slices.Contains(s.watched, f.Path) {
			continue
		}
		if err := s.watcher.Add(f.Path); err != nil {
			return fmt.Errorf("%s:%d: watch file %s: %w", configPath, f.Line, f.Path, err)
		}
	}
	for _, p := range s.watched {
		if !slices.Contains(want, p) {
			if err := s.watcher.Remove(p); err != nil {
				return fmt.Errorf("watch file %s: %w", p, err)
			}
		}
	}
	s.watched = want
	return nil
}

// closeInputs closes inputs that were opened but never run.
func closeInputs(opened map[string]input.Input) {
	for _, in := range opened {
		if c, ok := in.(interface{ Close() error }); ok {
			c.Close()
		}
	}
}

// shards is how many queues carry the lines to the detectors, and how
// many sockets read each udp address: Options.Shards, else one a core.
func (d *Daemon) shards() int {
	if d.opts.Shards > 0 {
		return d.opts.Shards
	}
	return runtime.GOMAXPROCS(0)
}

// listen opens a `syslog listen` input; a udp one reads its address with
// readers sockets (SO_REUSEPORT), a goroutine each.
func listen(l config.Listener, host config.Host, clock ds.Clock, readers int) (input.Input, error) {
	o := input.Options{Now: clock.Now}
	switch l.Network {
	case "udp":
		return udp.Listen(l.Address, udp.Options{Options: o, ReadBuffer: host.ReceiveBuffer(), Readers: readers})
	case "tcp":
		return tcp.Listen(l.Address, tcp.Options{Options: o})
	case "unix":
		return unixgram.Listen(l.Address, unixgram.Options{Options: o})
	}
	return nil, fmt.Errorf("unknown network %q", l.Network)
}

// InputStats are the counters of every input, in the order of their
// names, the engine's own lines last.
func (d *Daemon) InputStats() []input.Stats {
	s := d.inputs
	s.mu.Lock()
	out := make([]input.Stats, 0, len(s.running)+1)
	for _, r := range s.running {
		out = append(out, r.in.Stats())
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b input.Stats) int { return strings.Compare(a.Input, b.Input) })
	out = append(out, d.detect.pump.EchoStats())
	// The native sources' lines, once there are any.
	if local := d.detect.pump.LocalStats(); local.Received > 0 || len(d.Config().Host.Sources) > 0 {
		out = append(out, local)
	}
	return out
}

// QueueDepth is how many lines wait for the detectors, and the most that
// may: `syslog queue-size` in each shard.
func (d *Daemon) QueueDepth() (int, int) {
	return d.inputs.queue.Len(), d.inputs.queue.Cap() * len(d.inputs.queue.Queues())
}

// QueueShards is how many queues carry the lines to the detectors.
func (d *Daemon) QueueShards() int { return len(d.inputs.queue.Queues()) }
