package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/notify/outbox"
)

// inputMetric is one metric of each input, read from its Stats.
type inputMetric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(input.Stats) float64
}

func inputCounter(name, help string, value func(input.Stats) uint64) inputMetric {
	return inputMetric{
		desc:  prometheus.NewDesc("dsengine_input_"+name+"_total", help, []string{"input"}, nil),
		kind:  prometheus.CounterValue,
		value: func(s input.Stats) float64 { return float64(value(s)) },
	}
}

// inputMetrics are the metrics of each input, in the order they are
// exposed.
var inputMetrics = []inputMetric{
	inputCounter("received", "Syslog lines an input read (each non-empty datagram, frame or line).",
		func(s input.Stats) uint64 { return s.Received }),
	inputCounter("delivered", "Syslog lines an input put in the queue to the detectors.",
		func(s input.Stats) uint64 { return s.Delivered }),
	inputCounter("dropped", "Syslog lines an input dropped because the queue was full.",
		func(s input.Stats) uint64 { return s.Dropped }),
	inputCounter("oversize", "Syslog lines longer than an input's longest line, cut and delivered.",
		func(s input.Stats) uint64 { return s.Oversize }),
	inputCounter("framing_errors", "TCP syslog frames with a wrong octet count or cut by the peer closing.",
		func(s input.Stats) uint64 { return s.FramingErrors }),
	inputCounter("read_errors", "Failed reads of an input's socket or file.",
		func(s input.Stats) uint64 { return s.ReadErrors }),
	inputCounter("kernel_drops", "UDP datagrams the kernel dropped because the socket buffer was full.",
		func(s input.Stats) uint64 { return s.KernelDrops }),
	{
		desc:  prometheus.NewDesc("dsengine_input_connections", "TCP connections open now.", []string{"input"}, nil),
		kind:  prometheus.GaugeValue,
		value: func(s input.Stats) float64 { return float64(s.Connections) },
	},
	inputCounter("connections_accepted", "TCP connections an input accepted.",
		func(s input.Stats) uint64 { return s.Accepted }),
	inputCounter("connections_rejected", "TCP connections closed at once because the most an input serves were open and none was idle.",
		func(s input.Stats) uint64 { return s.Rejected }),
	inputCounter("connections_idle_closed", "TCP connections closed because they sent nothing: after the idle timeout, or to make room for a new one at the cap.",
		func(s input.Stats) uint64 { return s.IdleClosed }),
}

// The call-home statistics: the states and transports of
// dsengine_callhome_messages.
var (
	callHomeStates = []struct {
		name  string
		table func(*outbox.Statistics) outbox.Table
	}{
		{"success", func(s *outbox.Statistics) outbox.Table { return s.Success }},
		{"in_queue", func(s *outbox.Statistics) outbox.Table { return s.InQueue }},
		{"failed", func(s *outbox.Statistics) outbox.Table { return s.Failed }},
		{"ratelimit_dropped", func(s *outbox.Statistics) outbox.Table { return s.RatelimitDropped }},
	}
	callHomeTransports = []struct {
		name  string
		count func(outbox.Count) int64
	}{
		{"email", func(c outbox.Count) int64 { return c.Email }},
		{"http", func(c outbox.Count) int64 { return c.HTTP }},
	}
)

// dsStatuses are the statuses dsengine_signatures always has, so that a
// status with no DS reads 0 rather than nothing.
var dsStatuses = []ds.Status{ds.StatusDownloaded, ds.StatusPending, ds.StatusRegistered,
	ds.StatusRunning, ds.StatusFailed, ds.StatusDeinstalled}

// sourceCollector reads the metrics of Sources at each scrape, so a
// counter the daemon keeps is never counted twice.
type sourceCollector struct {
	src Sources

	triggers, dropped    *prometheus.Desc
	runs                 *prometheus.Desc
	queueDepth, queueCap *prometheus.Desc
	outboxLen            *prometheus.Desc
	callHome, lastSent   *prometheus.Desc
	signatures           *prometheus.Desc
	caps                 *prometheus.Desc
}

func newSourceCollector(src Sources) *sourceCollector {
	return &sourceCollector{
		src: src,
		triggers: prometheus.NewDesc("dsengine_triggers_total",
			"Triggers a DS's events raised, queued or dropped.", []string{"ds"}, nil),
		dropped: prometheus.NewDesc("dsengine_triggers_dropped_total",
			"Triggers of a DS dropped because its run queue was full.", []string{"ds"}, nil),
		runs: prometheus.NewDesc("dsengine_runs_total",
			"Runs of a DS's actions by outcome: completed (every action ran), suppressed (a script ended the run: ds_stop or return false), failed (cut short by maxrun or a stop).",
			[]string{"ds", "outcome"}, nil),
		queueDepth: prometheus.NewDesc("dsengine_queue_depth",
			"Syslog lines waiting between the inputs and the detectors.", nil, nil),
		queueCap: prometheus.NewDesc("dsengine_queue_capacity",
			"The most syslog lines the queue between the inputs and the detectors holds.", nil, nil),
		outboxLen: prometheus.NewDesc("dsengine_outbox_messages",
			"Call-home messages waiting in the outbox.", nil, nil),
		callHome: prometheus.NewDesc("dsengine_callhome_messages",
			`Call-home messages by state, message type and transport, as "show call-home statistics" counts them.`,
			[]string{"state", "type", "transport"}, nil),
		lastSent: prometheus.NewDesc("dsengine_callhome_last_sent_timestamp_seconds",
			"When a call-home message was last delivered, in seconds since the epoch; absent if none was.", nil, nil),
		signatures: prometheus.NewDesc("dsengine_signatures",
			"Installed DS by status.", []string{"status"}, nil),
		caps: prometheus.NewDesc("dsengine_caps_hit_total",
			"Times signed content ran into one of the daemon's caps (a script's log volume, saved contexts, a log line, the echo depth, a DS's match time …), by cap.",
			[]string{"cap"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	if c.src.Inputs != nil {
		for _, m := range inputMetrics {
			ch <- m.desc
		}
	}
	if c.src.Triggers != nil {
		ch <- c.triggers
		ch <- c.dropped
	}
	if c.src.Runs != nil {
		ch <- c.runs
	}
	if c.src.Queue != nil {
		ch <- c.queueDepth
		ch <- c.queueCap
	}
	if c.src.OutboxLen != nil {
		ch <- c.outboxLen
	}
	if c.src.Outbox != nil {
		ch <- c.callHome
		ch <- c.lastSent
	}
	if c.src.Statuses != nil {
		ch <- c.signatures
	}
	if c.src.Caps != nil {
		ch <- c.caps
	}
}

// Collect implements prometheus.Collector.
func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Inputs != nil {
		c.collectInputs(ch, c.src.Inputs())
	}
	if c.src.Triggers != nil {
		for id, n := range c.src.Triggers() {
			ch <- prometheus.MustNewConstMetric(c.triggers, prometheus.CounterValue, float64(n[0]), id)
			ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(n[1]), id)
		}
	}
	if c.src.Runs != nil {
		for id, n := range c.src.Runs() {
			for _, o := range []struct {
				outcome engine.Outcome
				n       int64
			}{{engine.Completed, n.Completed}, {engine.Suppressed, n.Suppressed}, {engine.Failed, n.Failed}} {
				ch <- prometheus.MustNewConstMetric(c.runs, prometheus.CounterValue, float64(o.n), id, string(o.outcome))
			}
		}
	}
	if c.src.Queue != nil {
		depth, capacity := c.src.Queue()
		ch <- prometheus.MustNewConstMetric(c.queueDepth, prometheus.GaugeValue, float64(depth))
		ch <- prometheus.MustNewConstMetric(c.queueCap, prometheus.GaugeValue, float64(capacity))
	}
	if c.src.OutboxLen != nil {
		ch <- prometheus.MustNewConstMetric(c.outboxLen, prometheus.GaugeValue, float64(c.src.OutboxLen()))
	}
	if c.src.Outbox != nil {
		c.collectCallHome(ch, c.src.Outbox())
	}
	if c.src.Statuses != nil {
		c.collectStatuses(ch, c.src.Statuses())
	}
	if c.src.Caps != nil {
		for name, n := range c.src.Caps() {
			ch <- prometheus.MustNewConstMetric(c.caps, prometheus.CounterValue, float64(n), name)
		}
	}
}

// collectInputs adds up inputs of the same name (two `syslog file` lines
// for one path), since a scrape must not hold one series twice.
func (c *sourceCollector) collectInputs(ch chan<- prometheus.Metric, stats []input.Stats) {
	var names []string
	sums := map[string][]float64{}
	for _, s := range stats {
		sum, ok := sums[s.Input]
		if !ok {
			names = append(names, s.Input)
			sum = make([]float64, len(inputMetrics))
			sums[s.Input] = sum
		}
		for i, m := range inputMetrics {
			sum[i] += m.value(s)
		}
	}
	for _, name := range names {
		for i, m := range inputMetrics {
			ch <- prometheus.MustNewConstMetric(m.desc, m.kind, sums[name][i], name)
		}
	}
}

// collectCallHome exposes every message type of the statistics table, and
// any other type the tables hold, with zeros where the table has none.
func (c *sourceCollector) collectCallHome(ch chan<- prometheus.Metric, st outbox.Statistics) {
	types := outbox.MessageTypes()
	seen := map[outbox.MessageType]bool{}
	for _, t := range types {
		seen[t] = true
	}
	for _, s := range callHomeStates {
		for t := range s.table(&st) {
			if !seen[t] {
				seen[t] = true
				types = append(types, t)
			}
		}
	}
	for _, s := range callHomeStates {
		table := s.table(&st)
		for _, t := range types {
			for _, tr := range callHomeTransports {
				ch <- prometheus.MustNewConstMetric(c.callHome, prometheus.GaugeValue,
					float64(tr.count(table[t])), s.name, string(t), tr.name)
			}
		}
	}
	if !st.LastSent.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.lastSent, prometheus.GaugeValue,
			float64(st.LastSent.UnixNano())/1e9)
	}
}

// collectStatuses exposes every DS status, with zeros for those no DS is in.
func (c *sourceCollector) collectStatuses(ch chan<- prometheus.Metric, counts map[string]int) {
	for _, s := range dsStatuses {
		if _, ok := counts[string(s)]; !ok {
			ch <- prometheus.MustNewConstMetric(c.signatures, prometheus.GaugeValue, 0, string(s))
		}
	}
	for s, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.signatures, prometheus.GaugeValue, float64(n), s)
	}
}
