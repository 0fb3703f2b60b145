package worker

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dsengine/dsengine/ds/metrics"
)

// Collectors are the worker's counters as metrics, for the daemon's
// `metrics listen` (dsengine_fleet_*).
func (w *Worker) Collectors() []prometheus.Collector {
	counter := metrics.CounterFunc
	return []prometheus.Collector{
		counter("dsengine_fleet_lines_total", "Lines the worker's partitions delivered to their detectors, replays included.", w.lines.Load),
		counter("dsengine_fleet_replayed_lines_total", "Of them, lines at or before a checkpoint, delivered again after a takeover.", w.replayed.Load),
		counter("dsengine_fleet_triggers_total", "DS triggers in the worker's partitions.", w.triggers.Load),
		counter("dsengine_fleet_quieted_triggers_total", "Triggers of replayed lines: their intents were published before, not again.", w.quieted.Load),
		counter("dsengine_fleet_intents_total", "Action intents JetStream stored.", w.intents.Load),
		counter("dsengine_fleet_duplicate_intents_total", "Action intents JetStream had already (de-duplicated).", w.duplicates.Load),
		counter("dsengine_fleet_checkpoints_total", "Partition checkpoints written.", w.checkpoints.Load),
		counter("dsengine_fleet_takeovers_total", "Partitions the worker acquired.", w.takeovers.Load),
		counter("dsengine_fleet_rewinds_total", "Consumers started again because lines were lost on the way to the worker.", w.rewinds.Load),
		metrics.GaugeFunc("dsengine_fleet_partitions", "Partitions the worker owns now.",
			func() float64 { return float64(len(w.Owned())) }),
	}
}

// Collectors are the executor's counters as metrics (dsengine_fleet_*).
func (e *Executor) Collectors() []prometheus.Collector {
	counter := metrics.CounterFunc
	return []prometheus.Collector{
		counter("dsengine_fleet_intents_run_total", "Action intents the executor ran and acked.", e.ran.Load),
		counter("dsengine_fleet_intents_failed_total", "Action intents whose run failed: delivered again.", e.failed.Load),
		counter("dsengine_fleet_intents_already_done_total", "Action intents delivered again after their run completed: acked, not run.", e.already.Load),
	}
}
