package daemon

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/dsengine/dsengine/ds/metrics"
)

// startMetrics serves Prometheus metrics when `metrics listen ADDRESS`
// asks for them.
func (d *Daemon) startMetrics(ctx context.Context, wg *sync.WaitGroup) error {
	addr := d.Config().Host.MetricsListen
	if addr == "" {
		return nil
	}
	m := metrics.New(metrics.Sources{Inputs: d.InputStats, Triggers: d.Triggers, Queue: d.QueueDepth,
		Outbox: d.OutboxStats, OutboxLen: d.notify.outbox.Len, Caps: d.CapStats,
		Statuses: func() map[string]int {
			n := map[string]int{}
			for _, en := range d.opts.Store.List() {
				n[string(en.Status)]++
			}
			return n
		}})
	d.mx.Store(m)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := m.Serve(ctx, addr); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("metrics", "err", err)
		}
	}()
	d.log.Info("metrics", "listen", addr)
	return nil
}
