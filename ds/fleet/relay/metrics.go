package relay

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dsengine/dsengine/ds/metrics"
)

// Collectors are the relay's counters as metrics, for `metrics listen`
// (dsengine_relay_*): the spool's size and JetStream's absence among
// them, so an alert can say the relay is spooling.
func (r *Relay) Collectors() []prometheus.Collector {
	counter := metrics.CounterFunc
	return []prometheus.Collector{
		counter("dsengine_relay_lines_received_total", "Lines the relay took from its inputs' queue.", r.received.Load),
		counter("dsengine_relay_lines_published_total", "Lines JetStream acked (duplicates included).", r.published.Load),
		counter("dsengine_relay_duplicate_lines_total", "Acks that said JetStream had the line already.", r.duplicate.Load),
		counter("dsengine_relay_lines_spooled_total", "Lines written to the spool while JetStream was away.", r.spooled.Load),
		counter("dsengine_relay_lines_drained_total", "Spooled lines published once JetStream was back.", r.drained.Load),
		counter("dsengine_relay_lines_dropped_total", "Lines the full spool refused.", r.dropped.Load),
		metrics.GaugeFunc("dsengine_relay_spool_bytes", "Bytes in the spool now.",
			func() float64 { return float64(r.spoolBytes.Load()) }),
		metrics.GaugeFunc("dsengine_relay_jetstream_away", "1 while JetStream is away and lines go to the spool.",
			func() float64 {
				if r.away.Load() {
					return 1
				}
				return 0
			}),
	}
}
