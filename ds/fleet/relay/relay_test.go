package relay

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// awayFor is how long JetStream stays away in TestSpoolsWhileAway: short
// under `make test`, 30s under `make bench` (-fleet.away 30s).
var awayFor = flag.Duration("fleet.away", time.Second, "how long JetStream is away in the spool test")

func TestSpoolKeepsOrderAcrossSegmentsAndRestarts(t *testing.T) {
	dir := t.TempDir()
	s, err := openSpool(dir, 1<<20, 256)
	if err != nil {
		t.Fatal(err)
	}
	var recs []record
	for i := range 50 {
		recs = append(recs, record{Subject: fmt.Sprintf("ds.syslog.1.h%d", i), ID: fmt.Sprint(i), Data: []byte("line")})
	}
	if d, err := s.add(recs[:30]); d != 0 || err != nil {
		t.Fatal(d, err)
	}
	if len(s.segs) < 2 {
		t.Fatalf("%d segments of 256 bytes for 30 records", len(s.segs))
	}
	got := take(t, s, 10)
	if _, err := s.add(recs[30:]); err != nil {
		t.Fatal(err)
	}
	s.close()
	// A restart reads the head segment again from its start.
	s, err = openSpool(dir, 1<<20, 256)
	if err != nil {
		t.Fatal(err)
	}
	again := take(t, s, 1000)
	if again[0] > got[len(got)-1]+1 {
		t.Fatalf("after a restart the spool starts at %d, after %d: lines lost", again[0], got[len(got)-1])
	}
	all := append(got, again...)
	seen := map[int]bool{}
	last := -1
	for _, n := range again {
		if n <= last {
			t.Fatalf("out of order: %d after %d", n, last)
		}
		last = n
	}
	for _, n := range all {
		seen[n] = true
	}
	if len(seen) != 50 || !s.empty() || s.bytes != 0 {
		t.Fatalf("read %d distinct records of 50; empty %v, bytes %d", len(seen), s.empty(), s.bytes)
	}
	// The cap: what does not fit is dropped and counted.
	small, _ := openSpool(t.TempDir(), 100, 1<<10)
	if d, _ := small.add(recs[:10]); d == 0 || d == 10 {
		t.Fatalf("a 100-byte spool dropped %d of 10 records", d)
	}
}

// take reads up to n records from s, consuming them, in batches of 3.
func take(t *testing.T, s *spool, n int) []int {
	t.Helper()
	var out []int
	for len(out) < n && !s.empty() {
		recs, ends, err := s.peek(3)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			var i int
			fmt.Sscan(r.ID, &i)
			out = append(out, i)
		}
		if err := s.advance(ends[len(ends)-1]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func line(i int) input.Item {
	return input.Item{Line: []byte(fmt.Sprintf("<189>%d: dev%d: *Dec  6 10:00:%02d.000 UTC: %%LINK-3-UPDOWN: Interface Gi0/%d, changed state to down", i, i%7, i%60, i)),
		Received: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC), Input: "test"}
}

func streamCount(t *testing.T, js jetstream.JetStream) uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, fleet.StreamSyslog)
	if err != nil {
		return 0
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0
	}
	return info.State.Msgs
}

// TestSpoolsWhileAway: lines keep coming while the only server is away;
// the relay spools them and drains them when it is back; every line is in
// the stream once.
func TestSpoolsWhileAway(t *testing.T) {
	c := fleettest.Start(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	nc, err := Connect(c.URL(), "relay-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: 4}); err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{JS: js, Partitions: 4, SpoolDir: t.TempDir(), Retry: 100 * time.Millisecond, AckWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(r.Collectors()...)
	q := input.NewQueue(10000, 0)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, q) }()
	n := 0
	offer := func(k int) {
		for range k {
			if !q.OfferWait(ctx, line(n), time.Second) {
				t.Fatalf("queue full at line %d", n)
			}
			n++
		}
	}
	offer(500)
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool { return r.Stats().Published == 500 }) {
		t.Fatalf("published: %v", r.Stats())
	}
	c.Nodes[0].Stop()
	// Lines keep arriving, 10 every 20ms, while the server is away.
	away := time.NewTimer(*awayFor)
	tick := time.NewTicker(20 * time.Millisecond)
	for wait := true; wait; {
		select {
		case <-away.C:
			wait = false
		case <-tick.C:
			offer(10)
		}
	}
	tick.Stop()
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool { return r.Stats().Away && r.Stats().Spooled > 0 }) {
		t.Fatalf("not spooling while away: %v", r.Stats())
	}
	// The metrics say so.
	if away, spool := metric(t, reg, "dsengine_relay_jetstream_away"), metric(t, reg, "dsengine_relay_spool_bytes"); away != 1 || spool == 0 {
		t.Errorf("while away: dsengine_relay_jetstream_away %v, dsengine_relay_spool_bytes %v", away, spool)
	}
	c.Nodes[0].Restart()
	offer(100)
	if !testserver.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		st := r.Stats()
		return !st.Away && st.Received == uint64(n) && st.SpoolBytes == 0 && streamCount(t, js) == uint64(n)
	}) {
		t.Fatalf("after the restart: %v; stream holds %d of %d", r.Stats(), streamCount(t, js), n)
	}
	if st := r.Stats(); st.Dropped != 0 {
		t.Fatalf("dropped with room in the spool: %v", st)
	}
	if away, drained := metric(t, reg, "dsengine_relay_jetstream_away"), metric(t, reg, "dsengine_relay_lines_drained_total"); away != 0 || drained != float64(r.Stats().Drained) || drained == 0 {
		t.Errorf("back: dsengine_relay_jetstream_away %v, dsengine_relay_lines_drained_total %v (%v)", away, drained, r.Stats())
	}
	// Every line once, in order per subject: read them back.
	s, _ := js.Stream(ctx, fleet.StreamSyslog)
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]bool{}
	for len(seen) < n {
		batch, err := cons.Fetch(1000, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for msg := range batch.Messages() {
			var m events.Message
			if err := fleet.DecodeMessage(msg.Data(), &m); err != nil {
				t.Fatal(err)
			}
			if seen[m.Seq] {
				t.Fatalf("line %d twice in the stream", m.Seq)
			}
			seen[m.Seq] = true
			got++
		}
		if got == 0 {
			t.Fatalf("read %d of %d lines back", len(seen), n)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// metric is the value of the unlabelled metric name in reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.GetMetric()) != 1 {
			continue
		}
		m := mf.GetMetric()[0]
		if m.GetGauge() != nil {
			return m.GetGauge().GetValue()
		}
		return m.GetCounter().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}
