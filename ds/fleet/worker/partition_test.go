package worker

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// twice fires on a device's second configuration within a minute: its
// trigger needs both lines in one owner's state.
const twice = `<DiagnosticSignature id="9002" revision="1.0"><Name>Twice</Name>
  <Events><Event type="syslog" pattern="%SYS-5-CONFIG_I: Configured" occurs="2" period="60s" group-by="host"/></Events>
  <Actions><Action type="message">configured twice</Action></Actions>
</DiagnosticSignature>`

// pair is a one-partition fleet without leases: the test moves the
// partition between two workers' pipelines by hand, one step at a time.
type pair struct {
	ctx context.Context
	js  jetstream.JetStream
	b   fleet.Buckets
}

func newPair(t *testing.T) *pair {
	f := fleettest.StartFleet(t, 1, 1, time.Minute)
	return &pair{ctx: f.Ctx, js: f.JS, b: f.Buckets}
}

func (x *pair) worker(t *testing.T, id string) *Worker {
	w, err := New(x.ctx, Options{JS: x.js, Buckets: x.b, ID: id, Batch: 1, FetchWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sig, err := parse.ParseSignature("t.xml", []byte(twice))
	if err != nil {
		t.Fatal(err)
	}
	w.SetSignatures([]registry.Want{{Sig: sig}})
	return w
}

func (x *pair) start(t *testing.T, w *Worker) *partition {
	p, err := w.startPartition(x.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	return p
}

// configure publishes dev1's i-th configuration line, i seconds in.
func (x *pair) configure(t *testing.T, i int) {
	at := time.Date(2026, 12, 6, 10, 0, i, 0, time.UTC)
	line := fmt.Sprintf("<189>%d: dev1: %s UTC: %%SYS-5-CONFIG_I: Configured from console by vty0", i, at.Format("Jan _2 15:04:05.000"))
	var m events.Message
	syslogmsg.Parse([]byte(line), at, &m)
	m.Host = "dev1"
	msg := &nats.Msg{Subject: fleet.Subject(0, m.Host), Data: fleet.AppendMessage(nil, &m), Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprint("line", i))
	if _, err := x.js.PublishMsg(x.ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// deliver steps p until it delivered a line.
func (x *pair) deliver(t *testing.T, p *partition, what string) {
	t.Helper()
	var err error
	if !testserver.Poll(10*time.Second, time.Millisecond, func() bool {
		var ok bool
		ok, err = p.step(x.ctx)
		return ok || err != nil
	}) || err != nil {
		t.Fatalf("%s: no line delivered (%v)", what, err)
	}
}

// intents is the stream sequence of the line of each intent in DS_ACTIONS.
func (x *pair) intents(t *testing.T) []uint64 {
	s, err := x.js.Stream(x.ctx, fleet.StreamActions)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(x.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(x.ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		in, err := fleet.UnmarshalIntent(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in.Seq)
	}
	return out
}

// TestTakeoverFencesTheOldOwner: worker a owns the partition and has
// evaluated dev1's first configuration when b takes the partition over; a
// does not know yet and steps on. a must not pull b's lines (with one
// consumer shared by both, a took line 1 again, fired on it as if it
// were dev1's second configuration, and b, missing line 1, never fired on
// line 2) nor move the checkpoint; b fires once, on line 2.
func TestTakeoverFencesTheOldOwner(t *testing.T) {
	x := newPair(t)
	a, b := x.worker(t, "a"), x.worker(t, "b")
	pa := x.start(t, a)
	x.configure(t, 1)
	x.deliver(t, pa, "a, line 1")
	if err := pa.flush(x.ctx); err != nil {
		t.Fatal(err)
	}

	pb := x.start(t, b) // the lease moved; a has not renewed yet
	x.configure(t, 2)
	// a's consumer is gone: it gets nothing (a fetch from a consumer
	// that is not there waits for its expiry) until its checkpoint, or its
	// renewal, finds the partition lost.
	got, err := pa.step(x.ctx)
	if got {
		t.Fatalf("the old owner a pulled line %d after the takeover", pa.seq)
	}
	if err != nil && !errors.Is(err, errLost) {
		t.Fatal(err)
	}
	if err := pa.checkpoint(x.ctx); !errors.Is(err, errLost) {
		t.Errorf("a's checkpoint after the takeover: %v, want the partition lost", err)
	}

	x.deliver(t, pb, "b, line 1")
	x.deliver(t, pb, "b, line 2")
	if got := x.intents(t); len(got) != 1 || got[0] != 2 {
		t.Fatalf("intents for the lines %v, want one for line 2", got)
	}
	if err := pb.checkpoint(x.ctx); err != nil {
		t.Errorf("b's checkpoint: %v", err)
	}
}

// TestStopCheckpointsOnlyStoredIntents: a's partition is stopped right
// after it fired on dev1's second configuration, and the intent is not
// stored (DS_ACTIONS is gone). The stop's checkpoint must not cover that
// line (it did once: the step returned on the ended context before it
// waited for the intent's ack, and the next owner took line 2 as done);
// b, taking over, fires on it.
func TestStopCheckpointsOnlyStoredIntents(t *testing.T) {
	x := newPair(t)
	a, b := x.worker(t, "a"), x.worker(t, "b")
	pa := x.start(t, a)
	x.configure(t, 1)
	x.configure(t, 2)
	x.deliver(t, pa, "a, line 1")
	if err := x.js.DeleteStream(x.ctx, fleet.StreamActions); err != nil {
		t.Fatal(err)
	}
	stopped, stop := context.WithCancel(x.ctx)
	stop()
	if _, err := pa.step(stopped); err == nil {
		t.Errorf("a's step stored no intent and reported no error")
	}
	if err := pa.checkpoint(x.ctx); err != nil {
		t.Fatal(err)
	}
	e, err := x.b.Checkpoints.Get(x.ctx, "p.0")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := unmarshalCheckpoint(e.Value())
	if err != nil {
		t.Fatal(err)
	}
	if cp.Seq != 1 {
		t.Fatalf("a's checkpoint covers line %d, want 1: the intent of line 2 was never stored", cp.Seq)
	}

	if err := fleet.EnsureStreams(x.ctx, x.js, fleet.StreamOptions{Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	pb := x.start(t, b)
	x.deliver(t, pb, "b, line 1")
	x.deliver(t, pb, "b, line 2")
	if got := x.intents(t); len(got) != 1 || got[0] != 2 {
		t.Fatalf("intents for the lines %v, want one for line 2", got)
	}
}

// TestLostDeliveryRewinds: the server hands a line out and it never
// reaches the worker (here the test pulls it off the worker's consumer and
// drops it, as a connection broken while a node dies does). Acking the
// next line would ack that one too (AckAll) unevaluated, and dev1's second
// configuration would be missed, its third taken for the second; the
// worker sees the consumer sequence skip, starts its consumer again after
// the last line it evaluated, and fires on line 2.
func TestLostDeliveryRewinds(t *testing.T) {
	x := newPair(t)
	pa := x.start(t, x.worker(t, "a"))
	x.configure(t, 1)
	x.deliver(t, pa, "a, line 1")
	x.configure(t, 2)
	x.configure(t, 3)
	lost, err := pa.cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range lost.Messages() {
		n++
	}
	if n != 1 {
		t.Fatalf("pulled %d lines, want line 2", n)
	}
	x.deliver(t, pa, "a, after the lost line")
	if got := x.intents(t); len(got) != 1 || got[0] != 2 {
		t.Fatalf("intents for the lines %v, want one for line 2", got)
	}
	if pa.w.rewinds.Load() != 1 {
		t.Errorf("%d rewinds, want 1", pa.w.rewinds.Load())
	}
	x.deliver(t, pa, "a, line 3")
	if pa.seq != 3 {
		t.Errorf("last line %d, want 3", pa.seq)
	}
	if got := x.intents(t); len(got) != 1 {
		t.Fatalf("intents for the lines %v, want one for line 2", got)
	}
}

// TestLostFirstDeliveryRewinds: the same with the first line a new
// consumer hands out: its first delivery must be its first.
func TestLostFirstDeliveryRewinds(t *testing.T) {
	x := newPair(t)
	x.configure(t, 1)
	x.configure(t, 2)
	pa := x.start(t, x.worker(t, "a"))
	lost, err := pa.cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range lost.Messages() {
	}
	x.deliver(t, pa, "a, after the lost first line")
	if pa.seq != 1 && pa.seq != 2 {
		t.Fatalf("last line %d", pa.seq)
	}
	if pa.seq == 1 {
		x.deliver(t, pa, "a, line 2")
	}
	if got := x.intents(t); len(got) != 1 || got[0] != 2 {
		t.Fatalf("intents for the lines %v, want one for line 2", got)
	}
}

// TestStopStillEvaluatesTheBatch: a's partition is told to stop (its
// lease lost) while it steps; the line it fetched then is evaluated to
// its intent before the stop's checkpoint covers it. (The pipeline ran on
// the partition's context once: its engine skipped the actions of a
// stopped context, published no intent, and the checkpoint covered the
// line all the same.)
func TestStopStillEvaluatesTheBatch(t *testing.T) {
	x := newPair(t)
	ctx, stop := context.WithCancel(x.ctx)
	defer stop()
	pa, err := x.worker(t, "a").startPartition(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pa.close)
	x.configure(t, 1)
	x.configure(t, 2)
	x.deliver(t, pa, "a, line 1")
	stop()
	if !testserver.Poll(10*time.Second, time.Millisecond, func() bool {
		ok, err := pa.step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}) {
		t.Fatal("line 2 never delivered")
	}
	if err := pa.checkpoint(x.ctx); err != nil {
		t.Fatal(err)
	}
	if got := x.intents(t); len(got) != 1 || got[0] != 2 {
		t.Fatalf("intents for the lines %v, want one for line 2: the stop's checkpoint covers line %d", got, pa.acked)
	}
}
