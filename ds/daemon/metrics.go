package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// metricsStage serves the Prometheus metrics on `metrics listen ADDRESS`;
// a reload moves it to another address, or stops it. The counters live as
// long as the daemon.
type metricsStage struct {
	ctx context.Context
	wg  *sync.WaitGroup
	m   *metrics.Metrics

	mu   sync.Mutex
	addr string
	stop context.CancelFunc
	done chan struct{}
}

// startMetrics builds the metrics and serves them when the configuration
// names an address.
func (d *Daemon) startMetrics(ctx context.Context, wg *sync.WaitGroup) (*metricsStage, error) {
	m := metrics.New(metrics.Sources{Inputs: d.InputStats, Triggers: d.Triggers, Runs: d.Runs, Queue: d.QueueDepth,
		Outbox: d.OutboxStats, OutboxLen: d.notify.outbox.Len, Caps: d.CapStats, Status: d.statusSections,
		Statuses: func() map[string]int {
			n := map[string]int{}
			for _, en := range d.opts.Store.List() {
				n[string(en.Status)]++
			}
			return n
		}})
	m.SetProfiling(d.Config().Host.MetricsPprof)
	d.mx.Store(m)
	s := &metricsStage{ctx: ctx, wg: wg, m: m}
	cfg := d.Config()
	ln, err := d.listenMetrics(cfg)
	if err != nil {
		return nil, err
	}
	s.serve(d, cfg.Host.MetricsListen, ln)
	return s, nil
}

// listenMetrics binds cfg's `metrics listen` address; nil when there is
// none.
func (d *Daemon) listenMetrics(cfg *config.Config) (net.Listener, error) {
	if cfg.Host.MetricsListen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Host.MetricsListen)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: metrics listen %s: %w", d.opts.ConfigPath, cfg.Host.MetricsListenLine,
			cfg.Host.MetricsListen, err)
	}
	return ln, nil
}

// serve moves the server to addr, bound as ln (nil and "" stop it).
func (s *metricsStage) serve(d *Daemon, addr string, ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		<-s.done
		s.stop, s.done = nil, nil
		d.log.Info("metrics stopped", "listen", s.addr)
	}
	s.addr = addr
	if ln == nil {
		return
	}
	ctx, stop := context.WithCancel(s.ctx)
	done := make(chan struct{})
	s.stop, s.done = stop, done
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(done)
		if err := s.m.ServeListener(ctx, ln); err != nil { // nil once ctx ended
			d.log.Error("metrics", "listen", addr, "err", err)
		}
	}()
	d.log.Info("metrics", "listen", addr)
}

// address is where the metrics are served, "" when they are not.
func (s *metricsStage) address() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// statusSections are the status page on the metrics address: the show
// commands' own text, run like any command (one at a time with the
// others).
func (d *Daemon) statusSections(ctx context.Context) []metrics.StatusSection {
	var out []metrics.StatusSection
	for _, c := range [][]string{
		{"show", "call-home", "diagnostic-signature"},
		{"show", "call-home", "statistics"},
		{"show", "event", "manager", "history", "events"},
	} {
		resp := d.Do(ctx, c)
		out = append(out, metrics.StatusSection{Title: strings.Join(c, " "), Text: resp.Stdout + resp.Stderr})
	}
	return out
}

// RegisterMetrics adds the collectors of a part that runs beside the
// stages (the fleet worker's and executor's) to the daemon's metrics.
func (d *Daemon) RegisterMetrics(cs ...prometheus.Collector) error {
	m := d.mx.Load()
	if m == nil {
		return errors.New("the daemon's metrics are not built yet")
	}
	return m.Register(cs...)
}
