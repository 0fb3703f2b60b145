package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/pump"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of a Relay.
const (
	DefaultBatch    = 512
	DefaultAckWait  = 5 * time.Second
	DefaultRetry    = time.Second
	DefaultSpoolMax = 256 << 20
	DefaultSegment  = 4 << 20
)

// Options configure a Relay.
type Options struct {
	// JS publishes (required). Connect with Connect: a connection that
	// buffers while it reconnects would hide that JetStream is away.
	JS jetstream.JetStream
	// Partitions is the stream's partition count (fleet.EnsureStreams
	// checked it).
	Partitions int
	// Name and Epoch make the message IDs unique across relays and
	// restarts: ID = name/epoch/sequence/host/input. Epoch defaults to the
	// clock's Unix nanoseconds at New.
	Name  string
	Epoch int64
	// SpoolDir is where lines wait while JetStream is away (required);
	// SpoolMax caps its bytes (DefaultSpoolMax), Segment its files'
	// (DefaultSegment).
	SpoolDir string
	SpoolMax int64
	Segment  int64
	// Batch is how many publishes go out before their acks are awaited;
	// AckWait bounds the wait for one ack; Retry is how often a spool is
	// tried again while JetStream is away.
	Batch   int
	AckWait time.Duration
	Retry   time.Duration
	// Hostname names the engine's own lines; Location reads the devices'
	// stamps (as the daemon's pump).
	Hostname string
	Location *time.Location
	Clock    ds.Clock
	Log      *slog.Logger
}

// Stats are a relay's counters.
type Stats struct {
	Received  uint64 // lines taken from the queue
	Published uint64 // lines JetStream acked (duplicates included)
	Duplicate uint64 // acks that said JetStream had the line already
	Spooled   uint64 // lines written to the spool
	Drained   uint64 // spooled lines published
	Dropped   uint64 // lines the full spool refused
	Batches   uint64 // ack batches awaited
	// SpoolBytes is on disk now; Away is set while lines go to the spool.
	SpoolBytes int64
	Away       bool
}

// Relay reads a queue of lines and publishes them.
type Relay struct {
	opts  Options
	spool *spool
	pump  *pump.Pump
	seq   uint64
	cur   record // the line the pump just parsed
	buf   []byte
	item  input.Item

	received, published, duplicate, spooled, drained, dropped, batches atomic.Uint64
	spoolBytes                                                         atomic.Int64
	away                                                               atomic.Bool
}

// Connect connects to url for a relay: no reconnect buffer (a publish
// while the server is away fails at once and goes to the spool), reconnect
// forever.
func Connect(url, name string) (*nats.Conn, error) {
	return nats.Connect(url, nats.Name(name), nats.ReconnectBufSize(-1), nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond), nats.RetryOnFailedConnect(true))
}

// New opens the spool and returns a Relay ready to Run.
func New(opts Options) (*Relay, error) {
	switch {
	case opts.JS == nil:
		return nil, errors.New("relay: Options.JS is required")
	case opts.Partitions <= 0:
		return nil, errors.New("relay: Options.Partitions is required")
	case opts.SpoolDir == "":
		return nil, errors.New("relay: Options.SpoolDir is required")
	}
	if opts.Clock == nil {
		opts.Clock = ds.RealClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Name == "" {
		opts.Name = "relay"
	}
	if opts.Epoch == 0 {
		opts.Epoch = opts.Clock.Now().UnixNano()
	}
	opts.Batch = cmp(opts.Batch, DefaultBatch)
	opts.AckWait = cmp(opts.AckWait, DefaultAckWait)
	opts.Retry = cmp(opts.Retry, DefaultRetry)
	opts.SpoolMax = cmp(opts.SpoolMax, DefaultSpoolMax)
	opts.Segment = cmp(opts.Segment, DefaultSegment)
	sp, err := openSpool(opts.SpoolDir, opts.SpoolMax, opts.Segment)
	if err != nil {
		return nil, err
	}
	r := &Relay{opts: opts, spool: sp}
	r.pump = pump.New(pump.Options{Hostname: opts.Hostname, Clock: opts.Clock, Location: opts.Location, Deliver: r.encode})
	r.spoolBytes.Store(sp.bytes)
	r.away.Store(!sp.empty())
	return r, nil
}

func cmp[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Stats returns the counters; safe from any goroutine.
func (r *Relay) Stats() Stats {
	return Stats{Received: r.received.Load(), Published: r.published.Load(), Duplicate: r.duplicate.Load(),
		Spooled: r.spooled.Load(), Drained: r.drained.Load(), Dropped: r.dropped.Load(), Batches: r.batches.Load(),
		SpoolBytes: r.spoolBytes.Load(), Away: r.away.Load()}
}

// encode is the pump's Deliver: the parsed line becomes a record.
func (r *Relay) encode(m *events.Message) {
	r.seq++
	p := fleet.Partition(m.Host, r.opts.Partitions)
	r.buf = fleet.AppendMessage(r.buf[:0], m)
	r.cur = record{Subject: fleet.Subject(p, m.Host),
		ID:   r.opts.Name + "/" + strconv.FormatInt(r.opts.Epoch, 36) + "/" + strconv.FormatUint(r.seq, 10) + "/" + m.Host + "/" + r.item.Input,
		Data: append([]byte(nil), r.buf...)}
}

// Run publishes the lines of q until ctx ends; the spool stays on disk.
func (r *Relay) Run(ctx context.Context, q *input.Queue) error {
	defer r.spool.close()
	var m events.Message
	recs := make([]record, 0, r.opts.Batch)
	for ctx.Err() == nil {
		if !r.spool.empty() {
			if err := r.drain(ctx, q, &m); err != nil {
				return err
			}
			continue
		}
		recs = recs[:0]
		it, err := q.Get(ctx)
		if err != nil {
			return nil
		}
		recs = append(recs, r.parse(&m, it))
		for len(recs) < r.opts.Batch {
			it, ok := q.TryGet()
			if !ok {
				break
			}
			recs = append(recs, r.parse(&m, it))
		}
		ok := r.publish(ctx, recs)
		r.published.Add(uint64(ok))
		if ok < len(recs) {
			// Away: this line and every later one go to the spool, in
			// order. Those after it that were acked are sent again and
			// de-duplicated.
			if !r.away.Swap(true) {
				r.opts.Log.Warn("JetStream away: spooling", "spool", r.opts.SpoolDir)
			}
			if err := r.toSpool(recs[ok:]); err != nil {
				return err
			}
		}
	}
	return nil
}

// parse parses one line once, into its record.
func (r *Relay) parse(m *events.Message, it input.Item) record {
	r.received.Add(1)
	r.item = it
	r.pump.Line(m, it)
	return r.cur
}

func (r *Relay) toSpool(recs []record) error {
	dropped, err := r.spool.add(recs)
	r.spooled.Add(uint64(len(recs) - dropped))
	if dropped > 0 {
		r.dropped.Add(uint64(dropped))
		r.opts.Log.Error("spool full: lines dropped", "dropped", dropped, "spool", r.opts.SpoolDir, "max", r.opts.SpoolMax)
	}
	r.spoolBytes.Store(r.spool.bytes)
	return err
}

// drain moves what waits in q to the spool's tail and publishes a batch
// from its head; while JetStream stays away it waits Retry, still
// spooling the queue.
func (r *Relay) drain(ctx context.Context, q *input.Queue, m *events.Message) error {
	if err := r.absorb(m, q); err != nil {
		return err
	}
	recs, ends, err := r.spool.peek(r.opts.Batch)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	ok := r.publish(ctx, recs)
	if ok > 0 {
		r.drained.Add(uint64(ok))
		r.published.Add(uint64(ok))
		if err := r.spool.advance(ends[ok-1]); err != nil {
			return err
		}
		r.spoolBytes.Store(r.spool.bytes)
	}
	if r.spool.empty() {
		r.away.Store(false)
		r.opts.Log.Info("JetStream back: spool drained", "drained", r.drained.Load())
		return nil
	}
	if ok == len(recs) {
		return nil
	}
	// Still away: spool what arrives until the next try.
	wait, cancel := context.WithTimeout(ctx, r.opts.Retry)
	defer cancel()
	for {
		it, err := q.Get(wait)
		if err != nil {
			return nil
		}
		if err := r.toSpool([]record{r.parse(m, it)}); err != nil {
			return err
		}
	}
}

// absorb spools every line waiting in q.
func (r *Relay) absorb(m *events.Message, q *input.Queue) error {
	var recs []record
	for len(recs) < r.opts.Batch*8 {
		it, ok := q.TryGet()
		if !ok {
			break
		}
		recs = append(recs, r.parse(m, it))
	}
	if len(recs) == 0 {
		return nil
	}
	return r.toSpool(recs)
}

// publish sends recs asynchronously and awaits their acks; it returns how
// many leading records JetStream acked.
func (r *Relay) publish(ctx context.Context, recs []record) int {
	futs := make([]jetstream.PubAckFuture, 0, len(recs))
	for i := range recs {
		msg := &nats.Msg{Subject: recs[i].Subject, Data: recs[i].Data, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, recs[i].ID)
		f, err := r.opts.JS.PublishMsgAsync(msg)
		if err != nil {
			break
		}
		futs = append(futs, f)
	}
	r.batches.Add(1)
	timer := time.NewTimer(r.opts.AckWait)
	defer timer.Stop()
	for i, f := range futs {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				r.duplicate.Add(1)
			}
		case <-f.Err():
			return i
		case <-timer.C:
			return i
		case <-ctx.Done():
			return i
		}
	}
	return len(futs)
}

// String describes the counters for the log.
func (s Stats) String() string {
	return fmt.Sprintf("received %d, published %d (%d duplicates), spooled %d, drained %d, dropped %d, spool %d bytes, away %v",
		s.Received, s.Published, s.Duplicate, s.Spooled, s.Drained, s.Dropped, s.SpoolBytes, s.Away)
}
