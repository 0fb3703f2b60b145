package pump_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/pump"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

// noActions is the engine's Actions: the benchmark is the detectors' and
// the engine's share, not a message's.
type noActions struct{}

func (noActions) Perform(context.Context, *engine.Run, ds.Action) (string, error) { return "", nil }

// BenchmarkShards is the daemon's pipeline after the inputs, on the real
// clock: 200,000 generated lines (internal/syslogdata seed 1) queued in
// input.Shards and evaluated by one pump goroutine a shard against 1,000
// generated one-pattern DS (seed 2), their runs in the engine's per-DS
// workers; about a fifth of the lines fire. The lines come from 1,000
// senders, or all from one relay that names each line's sender, as rsyslog
// forwards them (relayLine). It reports
// lines/s from the first line queued until every line was evaluated and
// every run done, with 1 and 2 shards: how the daemon scales from one core
// to two.
func BenchmarkShards(b *testing.B) {
	raw := syslogdata.Lines(200_000, 1, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	senders := make([]input.Item, len(raw))
	relayed := make([]input.Item, len(raw))
	relay := netip.MustParseAddrPort("10.9.9.9:514")
	for i, l := range raw {
		senders[i] = input.Item{Line: l, Input: "bench",
			Peer: netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i % 1000 >> 8), byte(i % 1000)}), 514)}
		relayed[i] = input.Item{Line: relayLine(l, i%1000), Input: "bench", Peer: relay}
	}
	var want []registry.Want
	for _, p := range syslogdata.Patterns(1000, 2, 0.005) {
		sig, err := parse.ParseSignature("b.xml", fmt.Appendf(nil, `<DiagnosticSignature id="%d" revision="1.0"><Name>Gen</Name>
  <Events><Event type="syslog" pattern="%s"/></Events>
  <Actions><Action type="message">matched</Action></Actions>
</DiagnosticSignature>`, 100000+p.ID, html.EscapeString(p.Regexp)))
		if err != nil {
			b.Fatal(err)
		}
		want = append(want, registry.Want{Sig: sig})
	}
	for _, from := range []struct {
		name  string
		items []input.Item
	}{{"senders=1000", senders}, {"relay", relayed}} {
		for _, shards := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/shards=%d", from.name, shards), func(b *testing.B) {
				benchShards(b, want, from.items, shards)
			})
		}
	}
}

// benchShards runs items through the pipeline with shards shards.
func benchShards(b *testing.B, want []registry.Want, items []input.Item, shards int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := ds.RealClock{}
	var runs atomic.Int64
	eng := engine.New(engine.Options{Clock: clk, Actions: noActions{}, Hostname: "edge-1", QueueDepth: 1 << 16,
		OnRunDone: func(string, engine.RunStats) { runs.Add(1) }})
	hub := detect.NewHub(ctx, detect.Options{Clock: clk, Host: "edge-1"})
	defer hub.Close()
	reg := registry.New(ctx, registry.Options{Hub: hub, Engine: eng, Clock: clk, Hostname: "edge-1"})
	defer reg.Close()
	for id, err := range reg.Sync(want) {
		b.Fatal(id, err)
	}
	total := int64(b.N * len(items))
	var lines atomic.Int64
	evaluated := make(chan struct{})
	p := pump.New(pump.Options{Hostname: "edge-1", Clock: clk, Deliver: func(m *events.Message) {
		hub.Deliver(m)
		if lines.Add(1) == total {
			close(evaluated)
		}
	}})
	q := input.NewShards(shards, len(items), 0)
	go p.Run(ctx, q.Queues()...)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for _, it := range items {
			if !q.OfferWait(ctx, it, time.Minute) {
				b.Fatal("the pump took no line for a minute")
			}
		}
	}
	<-evaluated
	fired := func() int64 {
		var n int64
		for _, c := range eng.Counts() {
			n += c.Triggers
		}
		return n
	}
	// The last runs, in the engine's workers (no busy wait: it
	// would take a core from them).
	tick := time.NewTicker(time.Millisecond)
	for runs.Load() < fired() {
		<-tick.C
	}
	tick.Stop()
	elapsed := time.Since(start)
	b.ReportMetric(float64(total)/elapsed.Seconds(), "lines/s")
	b.ReportMetric(float64(runs.Load())/float64(total), "runs/line")
	b.ReportMetric(0, "ns/op")
}

// relayLine is line as an rsyslog relay forwards it from device dev with
// its traditional forwarding format: "<PRI>STAMP HOST " before the message
// it received, the host being the device's address.
func relayLine(line []byte, dev int) []byte {
	pri, rest := 189, line
	if len(line) > 0 && line[0] == '<' {
		if end := bytes.IndexByte(line, '>'); end > 0 {
			if n, err := strconv.Atoi(string(line[1:end])); err == nil {
				pri, rest = n, line[end+1:]
			}
		}
	}
	return fmt.Appendf(nil, "<%d>Nov 23 00:00:00 10.1.%d.%d %s", pri, dev>>8, dev&255, rest)
}
