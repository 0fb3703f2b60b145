package daemon

import (
	"context"
	"errors"
	"fmt"
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

// QueueLines is how many received lines may wait for the detectors.
const QueueLines = 4096

// inputStage is the syslog inputs and the one bounded queue they share.
type inputStage struct {
	queue  *input.Queue
	inputs []input.Input
}

// startInputs opens every `syslog listen` and `syslog file` input and the
// `watch file` watcher, and starts them and the pump; the goroutines are
// in wg.
func (d *Daemon) startInputs(ctx context.Context, wg *sync.WaitGroup) (*inputStage, error) {
	cfg := d.Config()
	s := &inputStage{queue: input.NewQueue(QueueLines, 0)}
	for _, l := range cfg.Host.SyslogListen {
		in, err := listen(l, d.clock)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("%s:%d: syslog listen %s %s: %w", d.opts.ConfigPath, l.Line, l.Network, l.Address, err)
		}
		s.inputs = append(s.inputs, in)
	}
	for _, f := range cfg.Host.SyslogFiles {
		t, err := file.New(f.Path, file.Options{Options: input.Options{Now: d.clock.Now}})
		if err != nil {
			s.close()
			return nil, fmt.Errorf("%s:%d: syslog file %s: %w", d.opts.ConfigPath, f.Line, f.Path, err)
		}
		s.inputs = append(s.inputs, t)
	}
	// Files named by `watch file PATH`: a change is a config event.
	if len(cfg.Host.WatchFiles) > 0 {
		watcher, err := filewatch.NewWatcher(d.clock, 200*time.Millisecond, d.log, d.detect.hub.ConfigChanged)
		if err != nil {
			s.close()
			return nil, err
		}
		for _, f := range cfg.Host.WatchFiles {
			if err := watcher.Add(f.Path); err != nil {
				watcher.Close()
				s.close()
				return nil, fmt.Errorf("%s:%d: watch file %s: %w", d.opts.ConfigPath, f.Line, f.Path, err)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer watcher.Close()
			if err := watcher.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				d.log.Error("watch file", "err", err)
			}
		}()
	}
	for _, in := range s.inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := in.Run(ctx, s.queue); err != nil && !errors.Is(err, context.Canceled) {
				d.log.Error("input", "input", in.Name(), "err", err)
			}
		}()
		d.log.Info("listening", "input", in.Name())
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.detect.pump.Run(ctx, s.queue)
	}()
	return s, nil
}

// close closes inputs that were opened but never run.
func (s *inputStage) close() {
	for _, in := range s.inputs {
		if c, ok := in.(interface{ Close() error }); ok {
			c.Close()
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

// InputStats are the counters of every input, the engine's own lines
// last.
func (d *Daemon) InputStats() []input.Stats {
	out := make([]input.Stats, 0, len(d.inputs.inputs)+1)
	for _, in := range d.inputs.inputs {
		out = append(out, in.Stats())
	}
	return append(out, d.detect.pump.EchoStats())
}

// QueueDepth is how many lines wait for the detectors, and the most that
// may.
func (d *Daemon) QueueDepth() (int, int) { return d.inputs.queue.Len(), d.inputs.queue.Cap() }
