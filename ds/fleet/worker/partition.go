package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// errLost is a partition whose lease or checkpoint another worker holds.
var errLost = errors.New("partition taken by another worker")

// sample is a line's stream sequence and the partition clock's time.
type sample struct {
	seq uint64
	at  time.Time
}

// partition is one owned partition: its own pipeline, so that its state
// goes with it when it moves.
type partition struct {
	w   *Worker
	n   int
	key string // the lease and checkpoint key, "p.<n>"

	clk *clock.Virtual
	hub *detect.Hub
	reg *registry.Registry
	eng *engine.Engine

	cons    jetstream.Consumer
	cpRev   uint64   // the checkpoint's revision: a write with another means it moved
	quiet   uint64   // lines up to it were evaluated before: their triggers are not published again
	base    uint64   // where this pipeline's state starts
	seq     uint64   // the last line delivered
	cseq    uint64   // its delivery's consumer sequence (0: none yet): the next must follow it
	gap     bool     // a delivery was missed: the consumer starts again after seq
	acked   uint64   // the last line whose intents JetStream stored: checkpoints cover up to it
	host    string   // its device
	samples []sample // for the replay start of the next checkpoint
	rank    map[string]int
	lastRun *engine.Run
	futs    []jetstream.PubAckFuture
	sigs    int  // the DS set generation registered
	started bool // the DS are registered
	err     error
	msg     events.Message // the line being decoded

	stopPipe context.CancelFunc // ends the pipeline's context, at close
}

// start builds the pipeline, takes the checkpoint over and creates the
// partition's consumer from its replay start.
//
// Two owners may consume a partition for a while: the old one goes on
// until its next renewal finds the lease gone. Both are fenced so that the
// overlap costs only duplicate intents (same IDs, de-duplicated), never a
// lost trigger: each owner has its own consumer, so the old one cannot
// pull lines off the new one's (a line pulled by one is not seen by the
// other, and a device whose lines are split between two owners loses the
// triggers that needed both); the new owner deletes the old consumers, so
// the old one stops fetching; and it rewrites the checkpoint under its
// name, so the old one can no longer move it.
func (w *Worker) startPartition(ctx context.Context, n int) (*partition, error) {
	p := &partition{w: w, n: n, key: "p." + strconv.Itoa(n), rank: map[string]int{}}
	cp, err := p.takeCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	p.quiet, p.base = cp.Seq, cp.From
	if err := w.deleteConsumers(ctx, n); err != nil {
		return nil, err
	}
	if err := p.consume(ctx, cp.From); err != nil {
		return nil, err
	}
	t0 := cp.Time
	if t0.IsZero() {
		t0 = time.Unix(0, 0).UTC()
	}
	// The replay starts up to a window before the checkpoint's time.
	p.clk = clock.NewVirtual(t0.Add(-w.opts.ReplayWindow))
	// The pipeline lives until close, not until ctx ends: a line
	// delivered after the partition was told to stop is still evaluated
	// to its intents (an engine on an ended context skipped the actions,
	// so no intent was published, and the stop's checkpoint covered the
	// line all the same).
	pipe, stopPipe := context.WithCancel(context.WithoutCancel(ctx))
	p.stopPipe = stopPipe
	ctx = pipe
	p.hub = detect.NewHub(ctx, detect.Options{Clock: p.clk, Host: w.opts.Hostname, Log: w.log})
	p.eng = engine.New(engine.Options{Clock: p.clk, Actions: p, Synchronous: true, Hostname: w.opts.Hostname,
		Known: w.opts.Known, Report: w.report})
	p.reg = registry.New(ctx, registry.Options{Hub: p.hub, Engine: p.eng, Clock: p.clk, Hostname: w.opts.Hostname, Known: w.opts.Known})
	return p, nil
}

// consume creates the partition's consumer, owned by the worker, from
// stream sequence from.
func (p *partition) consume(ctx context.Context, from uint64) error {
	durable := ConsumerName(p.n, p.w.opts.ID)
	cc := jetstream.ConsumerConfig{Durable: durable, FilterSubject: fleet.PartitionSubject(p.n),
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: max(from, 1),
		AckPolicy: jetstream.AckAllPolicy, AckWait: time.Minute, MaxAckPending: 4 * p.w.opts.Batch, MaxRequestBatch: p.w.opts.Batch,
		// A dead worker's consumer goes when the next owner takes the
		// partition; this is for one whose partition nobody takes.
		InactiveThreshold: max(10*p.w.opts.LeaseTTL, 5*time.Minute)}
	var err error
	if p.cons, err = p.w.stream.CreateOrUpdateConsumer(ctx, cc); err != nil {
		return fmt.Errorf("consumer %s: %w", durable, err)
	}
	p.cseq = 0
	return nil
}

// rewind starts the partition's consumer again after the last line
// delivered: lines the server handed out were lost on the way (a
// connection that broke while a node died), and acking a later line
// would ack them too (AckAll), unevaluated.
func (p *partition) rewind(ctx context.Context) error {
	// Still the partition's owner (a lost partition's consumer must not
	// come back), and the lines evaluated so far kept.
	if err := p.checkpoint(ctx); err != nil {
		return err
	}
	name := ConsumerName(p.n, p.w.opts.ID)
	if err := p.w.stream.DeleteConsumer(ctx, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("consumer %s: %w", name, err)
	}
	from := p.seq + 1
	if p.seq == 0 {
		from = p.base // nothing evaluated yet: the replay start
	}
	p.w.rewinds.Add(1)
	p.w.log.Warn("lines lost on the way: consumer started again after the last line evaluated", "partition", p.n, "from", from)
	return p.consume(ctx, from)
}

// conflict is a KV write that names a revision the key no longer has (a
// replicated bucket reports it with another code than a single node).
func conflict(err error) bool {
	return errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch)
}

// consumerName is the consumer of partition n owned by worker id.
func ConsumerName(n int, id string) string { return "ds-part-" + strconv.Itoa(n) + "-" + id }

// deleteConsumers deletes the consumers of partition n: those of its
// previous owners, and the one consumer per partition of dsengine before
// each owner had its own.
func (w *Worker) deleteConsumers(ctx context.Context, n int) error {
	prefix := "ds-part-" + strconv.Itoa(n) + "-"
	names := w.stream.ConsumerNames(ctx)
	var gone []string
	for name := range names.Name() {
		if strings.HasPrefix(name, prefix) || name == "ds-part-"+strconv.Itoa(n) {
			gone = append(gone, name)
		}
	}
	if err := names.Err(); err != nil {
		return fmt.Errorf("consumers of stream %s: %w", fleet.StreamSyslog, err)
	}
	for _, name := range gone {
		if err := w.stream.DeleteConsumer(ctx, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return fmt.Errorf("consumer %s: %w", name, err)
		}
	}
	return nil
}

// takeCheckpoint reads the partition's checkpoint and writes it back under
// the worker's name: from then on a checkpoint of the previous owner, who
// may not know yet that it lost the lease, is refused. A partition with no
// checkpoint gets an empty one.
func (p *partition) takeCheckpoint(ctx context.Context) (fleet.Checkpoint, error) {
	kv := p.w.opts.Buckets.Checkpoints
	for {
		var cp fleet.Checkpoint
		var rev uint64
		e, err := kv.Get(ctx, p.key)
		switch {
		case err == nil:
			if cp, err = unmarshalCheckpoint(e.Value()); err != nil {
				return cp, fmt.Errorf("checkpoint %s of bucket %s: %w; delete the key to start the partition over", p.key, fleet.BucketCheckpoints, err)
			}
			rev = e.Revision()
		case errors.Is(err, jetstream.ErrKeyNotFound):
		default:
			return cp, fmt.Errorf("checkpoint %s: %w", p.key, err)
		}
		cp.Worker = p.w.opts.ID
		b, _ := marshalCheckpoint(cp)
		if rev == 0 {
			p.cpRev, err = kv.Create(ctx, p.key, b)
		} else {
			p.cpRev, err = kv.Update(ctx, p.key, b, rev)
		}
		switch {
		case err == nil:
			return cp, nil
		case conflict(err):
			// The previous owner checkpointed meanwhile: read it again.
		default:
			return cp, fmt.Errorf("checkpoint %s: %w", p.key, err)
		}
	}
}

func (p *partition) close() {
	p.reg.Close()
	p.hub.Close()
	p.stopPipe()
}

// sync registers the worker's current DS set, when it changed.
func (p *partition) sync() {
	gen, want := p.w.wants()
	if gen == p.sigs {
		return
	}
	p.sigs = gen
	for id, err := range p.reg.Sync(want) {
		p.w.log.Error("register", "ds", id, "partition", p.n, "err", err)
	}
}

// run consumes the partition until ctx ends or it is lost; it checkpoints
// every Checkpoint interval and when it stops.
func (p *partition) run(ctx context.Context) error {
	defer p.close()
	next := time.NewTicker(p.w.opts.Checkpoint)
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return p.checkpoint(context.WithoutCancel(ctx))
		case <-next.C:
			if err := p.checkpoint(ctx); err != nil {
				return err
			}
		default:
		}
		if _, err := p.step(ctx); err != nil {
			return err
		}
	}
}

// step fetches what is there now, else waits up to FetchWait for one line
// (a fetch of a whole batch would wait for it to fill), evaluates it,
// waits for its intents' acks and acks the lines. It reports whether it
// delivered any; a failed fetch waits FetchWait. A fetch from a consumer
// the partition's next owner deleted gets nothing, or an error: then the
// partition is lost (else the next checkpoint finds it so).
func (p *partition) step(ctx context.Context) (bool, error) {
	if p.started {
		p.sync()
	}
	batch, err := p.cons.FetchNoWait(p.w.opts.Batch)
	var last jetstream.Msg
	if err == nil {
		last = p.deliverBatch(batch, &p.msg)
		if last == nil && !p.gap {
			batch, err = p.cons.Fetch(1, jetstream.FetchMaxWait(p.w.opts.FetchWait))
			if err == nil {
				last = p.deliverBatch(batch, &p.msg)
			}
		}
	}
	if last != nil {
		// The batch's intents are stored before its lines are acked and
		// before a checkpoint covers them, also when ctx ended: the stop's
		// checkpoint then includes the batch. An intent published but not
		// stored must not fall behind a checkpoint: the next owner would
		// take its line as done.
		if err := p.flush(context.WithoutCancel(ctx)); err != nil {
			return true, err
		}
		p.acked = p.seq
		if err := last.Ack(); err != nil && ctx.Err() == nil {
			p.w.log.Warn("ack", "partition", p.n, "err", err)
		}
	}
	if p.gap && ctx.Err() == nil {
		p.gap = false
		if err := p.rewind(ctx); err != nil {
			return last != nil, err
		}
	}
	if last != nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, nil
	}
	if err != nil || batch.Error() != nil {
		if _, ierr := p.cons.Info(ctx); errors.Is(ierr, jetstream.ErrConsumerNotFound) {
			return false, fmt.Errorf("consumer %s: %w", ConsumerName(p.n, p.w.opts.ID), errLost)
		}
	}
	if err != nil {
		p.w.log.Warn("fetch", "partition", p.n, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(p.w.opts.FetchWait):
		}
	}
	return false, nil
}

// deliverBatch delivers the lines of batch and returns the last message
// evaluated (or skipped as evaluated before). A delivery that does not
// follow the last one (its consumer sequence skips) means lines were lost
// on the way: the batch stops there, and gap is set.
func (p *partition) deliverBatch(batch jetstream.MessageBatch, m *events.Message) jetstream.Msg {
	var last jetstream.Msg
	for msg := range batch.Messages() {
		if p.gap {
			continue // the rest of the batch comes again after the rewind
		}
		meta, err := msg.Metadata()
		if err != nil {
			continue
		}
		// A new consumer's first delivery is its 1st.
		if meta.Sequence.Consumer != p.cseq+1 {
			p.gap = true
			continue
		}
		p.cseq = meta.Sequence.Consumer
		last = msg
		if meta.Sequence.Stream <= p.seq {
			continue // evaluated already (delivered again)
		}
		if err := fleet.DecodeMessage(msg.Data(), m); err != nil {
			p.w.log.Error("not a dsengine line: skipped", "partition", p.n, "seq", meta.Sequence.Stream, "err", err)
			continue
		}
		p.deliver(m, meta.Sequence.Stream)
	}
	return last
}

// deliver moves the partition's clock to the line's time and hands it to
// the detectors; the triggers it causes become intents.
func (p *partition) deliver(m *events.Message, seq uint64) {
	p.seq, p.host = seq, m.Host
	clear(p.rank)
	p.lastRun = nil
	at := m.Time
	if m.TimeFrom == events.TimeReceived || at.IsZero() {
		at = m.Received
	}
	p.clk.Set(at)
	if !p.started {
		// The DS register at the first line's time: a timer event does
		// not run from the epoch.
		p.started = true
		p.sync()
	}
	if len(p.samples) == 0 || p.clk.Now().Sub(p.samples[len(p.samples)-1].at) >= time.Second {
		p.samples = append(p.samples, sample{seq: seq, at: p.clk.Now()})
	}
	p.hub.Deliver(m)
	p.w.lines.Add(1)
	if seq <= p.quiet {
		p.w.replayed.Add(1)
	}
}

// Perform is the partition engine's Actions: the first action of a run
// publishes the run's intent; the executors perform the actions.
func (p *partition) Perform(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	if run == p.lastRun {
		return "intent", nil
	}
	p.lastRun = run
	p.w.triggers.Add(1)
	if p.seq <= p.quiet {
		// Evaluated before the checkpoint: its intent was acked then.
		p.w.quieted.Add(1)
		return "replayed", nil
	}
	id := run.Sig.ID
	var key string
	if evs := run.Trigger.Events; len(evs) > 0 {
		key = evs[len(evs)-1].Vars[correlate.KeyVar]
	}
	rank := p.rank[id]
	p.rank[id]++
	in := fleet.Intent{ID: fleet.IntentID(id, p.host, key, p.seq, rank), DS: id, Device: p.host, Key: key, Seq: p.seq,
		Partition: p.n, Worker: p.w.opts.ID, Trigger: run.Trigger}
	b, err := in.Marshal()
	if err != nil {
		return "", err
	}
	msg := &nats.Msg{Subject: fleet.IntentSubject(id), Data: b, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, in.ID)
	f, err := p.w.opts.JS.PublishMsgAsync(msg)
	if err != nil {
		p.err = fmt.Errorf("intent %s: %w", in.ID, err)
		return "", p.err
	}
	p.futs = append(p.futs, f)
	return "intent", nil
}

// flush waits for the acks of the intents published since the last flush.
// An intent JetStream did not take stops the partition: its lines are not
// acked, and the next owner evaluates them again.
func (p *partition) flush(ctx context.Context) error {
	defer func() { p.futs = p.futs[:0] }()
	if p.err != nil {
		err := p.err
		p.err = nil
		return err
	}
	timer := time.NewTimer(p.w.opts.AckWait)
	defer timer.Stop()
	debug := p.w.log.Enabled(ctx, slog.LevelDebug) // each intent's record costs its ID's lookup
	for _, f := range p.futs {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				p.w.duplicates.Add(1)
			} else {
				p.w.intents.Add(1)
			}
			if debug {
				p.w.log.Debug("intent stored", "partition", p.n, "id", f.Msg().Header.Get(jetstream.MsgIDHeader), "seq", ack.Sequence, "duplicate", ack.Duplicate)
			}
		case err := <-f.Err():
			return fmt.Errorf("intent %s: %w", f.Msg().Header.Get(jetstream.MsgIDHeader), err)
		case <-timer.C:
			return fmt.Errorf("intent %s: no ack within %s", f.Msg().Header.Get(jetstream.MsgIDHeader), p.w.opts.AckWait)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// checkpoint saves the last line whose intents are stored and the replay
// start. The write names the revision it read: a worker that lost the
// partition cannot move its checkpoint.
func (p *partition) checkpoint(ctx context.Context) error {
	if p.acked == 0 {
		return nil
	}
	// A replay does not move the checkpoint back: the lines up to quiet
	// had their intents stored by the previous owner.
	seq := max(p.acked, p.quiet)
	cp := fleet.Checkpoint{Seq: seq, From: min(p.replayFrom(), p.acked), Time: p.clk.Now(), Worker: p.w.opts.ID}
	b, _ := marshalCheckpoint(cp)
	var rev uint64
	var err error
	if p.cpRev == 0 {
		rev, err = p.w.opts.Buckets.Checkpoints.Create(ctx, p.key, b)
	} else {
		rev, err = p.w.opts.Buckets.Checkpoints.Update(ctx, p.key, b, p.cpRev)
	}
	if err != nil {
		if conflict(err) {
			return fmt.Errorf("checkpoint %s: %w", p.key, errLost)
		}
		return fmt.Errorf("checkpoint %s: %w", p.key, err)
	}
	p.cpRev = rev
	p.w.checkpoints.Add(1)
	p.w.log.Debug("checkpoint", "partition", p.n, "seq", cp.Seq, "from", cp.From, "delivered", p.seq)
	return nil
}

// replayFrom is the last sampled line at least ReplayWindow before the
// clock, else where this pipeline's state starts; older samples go.
func (p *partition) replayFrom() uint64 {
	limit := p.clk.Now().Add(-p.w.opts.ReplayWindow)
	i := -1
	for j, s := range p.samples {
		if s.at.After(limit) {
			break
		}
		i = j
	}
	if i < 0 {
		return p.base
	}
	p.base = p.samples[i].seq
	p.samples = p.samples[i:]
	return p.base
}

// handle keeps a partition's goroutine and what stops it.
type handle struct {
	stop context.CancelFunc
	done chan struct{}
	rev  uint64 // the lease's revision
	once sync.Once
}
