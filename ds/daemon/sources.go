package daemon

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/crash"
	sourcetypes "github.com/dsengine/dsengine/ds/events/source/types"
	"github.com/dsengine/dsengine/ds/lifecycle"
)

// sourceStage is the host's native event sources the configuration's
// "source" lines run. A reload starts the sources a new configuration
// adds, stops those it removes, and restarts one whose arguments changed.
type sourceStage struct {
	ctx context.Context // the daemon's: sources run until it ends
	wg  *sync.WaitGroup

	mu      sync.Mutex
	running map[string]*runningSource // by config.SourceRef.Key
}

type runningSource struct {
	src  source.Source
	stop context.CancelFunc
}

// newSources builds the sources of cfg, opening nothing: an unknown name
// or a wrong argument is an error naming the line.
func (d *Daemon) newSources(cfg *config.Config) (map[string]source.Source, error) {
	out := map[string]source.Source{}
	for _, ref := range cfg.Host.Sources {
		s, err := sourcetypes.New(d.opts.ConfigPath, ref)
		if err != nil {
			return nil, err
		}
		out[ref.Key()] = s
	}
	return out, nil
}

// startSources runs the sources of cfg; the goroutines are in wg.
func (d *Daemon) startSources(ctx context.Context, wg *sync.WaitGroup, cfg *config.Config) (*sourceStage, error) {
	built, err := d.newSources(cfg)
	if err != nil {
		return nil, err
	}
	s := &sourceStage{ctx: ctx, wg: wg, running: map[string]*runningSource{}}
	s.apply(d, built)
	return s, nil
}

// apply makes the running sources those of want: it stops the others and
// starts those not running yet.
func (s *sourceStage) apply(d *Daemon, want map[string]source.Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, r := range s.running {
		if want[key] == nil {
			r.stop()
			delete(s.running, key)
			d.log.Info("source stopped", "source", r.src.Name())
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		if s.running[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		src := want[key]
		ctx, stop := context.WithCancel(s.ctx)
		s.running[key] = &runningSource{src: src, stop: stop}
		env := source.Env{
			Clock:    d.clock,
			Log:      d.log.With("source", src.Name()),
			Hostname: lifecycle.HostOf(d.Config()).Hostname,
			Syslog:   d.detect.pump.Local,
			Publish:  d.publishHost,
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := src.Run(ctx, env); err != nil && !errors.Is(err, context.Canceled) {
				// The daemon goes on without the source; its statistics
				// stay at what it counted.
				d.log.Error("source stopped", "source", src.Name(), "err", err)
			}
		}()
		d.log.Info("source started", "source", src.Name())
	}
}

// SourceStats are the counters of the running sources, sorted by name.
func (d *Daemon) SourceStats() []source.Stats {
	s := d.sources
	if s == nil {
		return nil
	}
	s.mu.Lock()
	out := make([]source.Stats, 0, len(s.running))
	for _, r := range s.running {
		out = append(out, r.src.Stats())
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b source.Stats) int { return strings.Compare(a.Source, b.Source) })
	return out
}

// publishHost hands a source's typed event to the detectors of its type;
// a crash goes to the crash alert group (its line, which DS and applets
// match, came through Syslog).
func (d *Daemon) publishHost(e detector.HostEvent) {
	if c, ok := e.(crash.Event); ok {
		if a := d.Alerts(); a != nil {
			a.Crashed(c.Alert())
		}
		return
	}
	d.detect.hub.Publish(e)
}
