// Package metrics serves the daemon's Prometheus /metrics: the events in,
// the triggers, the actions, the queues and the call-home statistics.
package metrics

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	actiontypes "github.com/dsengine/dsengine/ds/actions/types"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/notify/outbox"
)

// Sources are the daemon's counters the metrics read at each scrape. Each
// func is called from the scraping goroutine, so it must be safe for
// concurrent use; a nil func leaves its metrics out.
type Sources struct {
	// Inputs returns a snapshot of each syslog input's counters.
	Inputs func() []input.Stats
	// Triggers returns the triggers seen and dropped per DS, as
	// engine.Engine.Stats does.
	Triggers func() map[string][2]int64
	// Runs returns each DS's run outcomes (completed, suppressed by its
	// script, failed), as engine.Engine.Counts does; triggers count apart.
	Runs func() map[string]engine.Counts
	// Queue returns the depth and the capacity of the queue between the
	// inputs and the detectors.
	Queue func() (depth, capacity int)
	// Outbox returns the call-home statistics, as outbox.Stats.Snapshot does.
	Outbox func() outbox.Statistics
	// OutboxLen returns how many call-home messages wait in the outbox.
	OutboxLen func() int
	// Statuses returns how many installed DS are in each status.
	Statuses func() map[string]int
	// Caps returns how often signed content ran into each of the
	// daemon's caps, by cap name.
	Caps func() map[string]int64
	// Status, when set, returns the sections of the HTML status page
	// served at / next to /metrics.
	Status func(ctx context.Context) []StatusSection
}

// Metrics is the daemon's metrics registry. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg     *prometheus.Registry
	actions *prometheus.CounterVec
	latency prometheus.Histogram
	pprof   atomic.Bool // `metrics pprof`
	status  func(ctx context.Context) []StatusSection
}

// LatencyBuckets are the bounds, in seconds, of the event → action-done
// histogram: 100 µs to 10 s, finest where the targets are (1 ms median,
// 5 ms p99).
var LatencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns the metrics of src in a registry of their own, with the Go
// runtime and process metrics next to them.
func New(src Sources) *Metrics {
	m := &Metrics{
		status: src.Status,
		reg:    prometheus.NewRegistry(),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dsengine_actions_total",
			Help: "DS actions run, by action type and result (success or failure).",
		}, []string{"type", "result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dsengine_event_to_done_seconds",
			Help:    "From the input reading the line (or the detector firing) to the last action of the DS run it triggered.",
			Buckets: LatencyBuckets,
		}),
	}
	// Every known type starts at zero, so a rate over it exists before the
	// first failure.
	for _, t := range actiontypes.Types() {
		m.actions.WithLabelValues(string(t), resultSuccess)
		m.actions.WithLabelValues(string(t), resultFailure)
	}
	m.reg.MustRegister(m.actions, m.latency, newSourceCollector(src),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors of a part the daemon runs beside its stages
// (the fleet worker's, the relay's) to the registry.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// CounterFunc is a counter read from value at each scrape: a part's own
// atomic counter, exported as it is (the fleet's, the relay's).
func CounterFunc(name, help string, value func() uint64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
		func() float64 { return float64(value()) })
}

// GaugeFunc is a gauge read from value at each scrape (the fleet's
// partitions, the relay's spool).
func GaugeFunc(name, help string, value func() float64) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value)
}

// The values of the result label of dsengine_actions_total.
const (
	resultSuccess = "success"
	resultFailure = "failure"
)

// ObserveAction counts one action run of the given type (command,
// call-home, …); the daemon calls it for each engine.Record of an action,
// with the Record's Type and Failed.
func (m *Metrics) ObserveAction(actionType string, failed bool) {
	result := resultSuccess
	if failed {
		result = resultFailure
	}
	m.actions.WithLabelValues(actionType, result).Inc()
}

// ObserveRun records one DS run's event → action-done latency.
func (m *Metrics) ObserveRun(latency time.Duration) { m.latency.Observe(latency.Seconds()) }

// Handler returns the handler that serves the metrics in the Prometheus
// exposition formats. A source that fails leaves only its own metrics out
// of a scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}
