package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/nats-io/nats.go/jetstream"
)

// Options configure a Worker.
type Options struct {
	JS      jetstream.JetStream // required
	Buckets fleet.Buckets       // fleet.EnsureBuckets
	// ID names the worker in leases and checkpoints (required, unique).
	ID string
	// LeaseTTL is the buckets' TTL: a lease not renewed within it is
	// free. The leases are renewed every third of it.
	LeaseTTL time.Duration
	// Checkpoint is how often each partition is checkpointed.
	Checkpoint time.Duration
	// ReplayWindow is how much log time before a checkpoint a new owner
	// replays to rebuild the detectors' state: at least the longest
	// period, window or correlation of the DS.
	ReplayWindow time.Duration
	// Batch is how many lines one fetch takes; FetchWait how long it
	// waits for them; AckWait bounds the wait for an intent's ack.
	Batch     int
	FetchWait time.Duration
	AckWait   time.Duration
	Hostname  string
	Known     func() vars.Known
	Report    func(engine.Record) // the partitions' records; may be nil
	Log       *slog.Logger
}

// Stats are a worker's counters.
type Stats struct {
	Lines       uint64 // lines delivered, replays included
	Replayed    uint64 // of them, lines at or before a checkpoint
	Triggers    uint64
	Quieted     uint64 // triggers of replayed lines, not published
	Intents     uint64 // intents JetStream stored
	Duplicates  uint64 // intents JetStream had already (de-duplicated)
	Checkpoints uint64
	Takeovers   uint64 // partitions acquired
	Rewinds     uint64 // consumers started again because deliveries were lost on the way
	Owned       []int
}

// Worker owns some of the partitions.
type Worker struct {
	opts   Options
	log    *slog.Logger
	stream jetstream.Stream
	n      int // partitions

	sigMu sync.Mutex
	gen   int
	want  []registry.Want

	mu    sync.Mutex
	owned map[int]*handle

	lines, replayed, triggers, quieted, intents, duplicates, checkpoints, takeovers, rewinds atomic.Uint64
}

// New checks opts; the streams and buckets must exist.
func New(ctx context.Context, opts Options) (*Worker, error) {
	switch {
	case opts.JS == nil || opts.Buckets.Leases == nil || opts.Buckets.Checkpoints == nil:
		return nil, errors.New("worker: Options.JS and Options.Buckets are required")
	case opts.ID == "" || strings.ContainsAny(opts.ID, ".*> "):
		return nil, fmt.Errorf("worker: ID %q: give a name without dots, spaces, '*' or '>'", opts.ID)
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = fleet.DefaultLeaseTTL
	}
	if opts.Checkpoint <= 0 {
		opts.Checkpoint = fleet.DefaultCheckpoint
	}
	if opts.ReplayWindow <= 0 {
		opts.ReplayWindow = 10 * time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 256
	}
	if opts.FetchWait <= 0 {
		opts.FetchWait = 250 * time.Millisecond
	}
	if opts.AckWait <= 0 {
		opts.AckWait = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	w := &Worker{opts: opts, log: opts.Log.With("worker", opts.ID), owned: map[int]*handle{}}
	var err error
	if w.n, err = fleet.Partitions(ctx, opts.JS); err != nil {
		return nil, err
	}
	if w.stream, err = opts.JS.Stream(ctx, fleet.StreamSyslog); err != nil {
		return nil, fmt.Errorf("stream %s: %w", fleet.StreamSyslog, err)
	}
	return w, nil
}

// SetSignatures makes want the DS every partition evaluates. Each
// partition registers the new set between two fetches: a new DS revision
// rolls out without stopping consumption.
func (w *Worker) SetSignatures(want []registry.Want) {
	w.sigMu.Lock()
	defer w.sigMu.Unlock()
	w.gen++
	w.want = want
}

func (w *Worker) wants() (int, []registry.Want) {
	w.sigMu.Lock()
	defer w.sigMu.Unlock()
	return w.gen, w.want
}

func (w *Worker) report(r engine.Record) {
	if w.opts.Report != nil {
		w.opts.Report(r)
	}
}

// Stats returns the counters; safe from any goroutine.
func (w *Worker) Stats() Stats {
	return Stats{Lines: w.lines.Load(), Replayed: w.replayed.Load(), Triggers: w.triggers.Load(), Quieted: w.quieted.Load(),
		Intents: w.intents.Load(), Duplicates: w.duplicates.Load(), Checkpoints: w.checkpoints.Load(),
		Takeovers: w.takeovers.Load(), Rewinds: w.rewinds.Load(), Owned: w.Owned()}
}

// Owned is the partitions the worker consumes, in order.
func (w *Worker) Owned() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]int, 0, len(w.owned))
	for n := range w.owned {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Run takes its share of the leases and consumes the partitions until ctx
// ends; then it checkpoints them and frees their leases.
func (w *Worker) Run(ctx context.Context) error {
	tick := time.NewTicker(w.opts.LeaseTTL / 3)
	defer tick.Stop()
	defer w.releaseAll()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if err := w.balance(ctx, &wg); err != nil && ctx.Err() == nil {
			w.log.Warn("leases", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// balance renews the worker's own leases, frees those beyond its share and
// takes free ones up to it. The share is the partitions over the live
// workers, rounded up.
func (w *Worker) balance(ctx context.Context, wg *sync.WaitGroup) error {
	kv := w.opts.Buckets.Leases
	// The bucket's calls are bounded by the lease's life: a renewal later
	// than that is worth nothing, and a listing of the keys on a bucket
	// that lost its leader (a node died) waits for its first values with
	// no end of its own, which stopped the renewals and the takeovers for
	// good.
	kctx, cancel := context.WithTimeout(ctx, w.opts.LeaseTTL)
	defer cancel()
	if _, err := kv.Put(kctx, "w."+w.opts.ID, []byte(w.opts.ID)); err != nil {
		return fmt.Errorf("bucket %s: %w", fleet.BucketLeases, err)
	}
	keys, err := kv.Keys(kctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return fmt.Errorf("bucket %s: %w", fleet.BucketLeases, err)
	}
	workers, held := 0, map[int]bool{}
	for _, k := range keys {
		if strings.HasPrefix(k, "w.") {
			workers++
		} else if n, err := strconv.Atoi(strings.TrimPrefix(k, "p.")); err == nil {
			held[n] = true
		}
	}
	share := (w.n + max(workers, 1) - 1) / max(workers, 1)
	// Renew, dropping what finished or was lost.
	w.mu.Lock()
	mine := make(map[int]*handle, len(w.owned))
	for n, h := range w.owned {
		mine[n] = h
	}
	w.mu.Unlock()
	for n, h := range mine {
		select {
		case <-h.done:
			w.drop(ctx, n, h)
			delete(mine, n)
			continue
		default:
		}
		rev, err := kv.Update(kctx, "p."+strconv.Itoa(n), []byte(w.opts.ID), h.rev)
		if err != nil {
			w.log.Warn("lease lost", "partition", n, "err", err)
			h.stop()
			<-h.done
			w.forget(n)
			delete(mine, n)
			continue
		}
		h.rev = rev
	}
	// Free the excess, highest partitions first.
	for len(mine) > share {
		n := slices.Max(keysOf(mine))
		w.drop(ctx, n, mine[n])
		delete(mine, n)
	}
	// Take free partitions up to the share.
	for n := 0; n < w.n && len(mine) < share; n++ {
		if held[n] || mine[n] != nil {
			continue
		}
		rev, err := kv.Create(kctx, "p."+strconv.Itoa(n), []byte(w.opts.ID))
		if err != nil {
			continue // another worker took it first
		}
		h, _ := w.start(ctx, wg, n, rev)
		mine[n] = h
	}
	return nil
}

func keysOf(m map[int]*handle) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// start runs partition n, whose lease has revision rev. The partition's
// pipeline and consumer are built in its goroutine: a slow JetStream
// must not hold up the renewal of the other leases.
func (w *Worker) start(ctx context.Context, wg *sync.WaitGroup, n int, rev uint64) (*handle, error) {
	pctx, stop := context.WithCancel(ctx)
	h := &handle{stop: stop, done: make(chan struct{}), rev: rev}
	w.mu.Lock()
	w.owned[n] = h
	w.mu.Unlock()
	w.takeovers.Add(1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(h.done)
		p, err := w.startPartition(pctx, n)
		if err != nil {
			w.log.Error("partition not started: its lease is freed", "partition", n, "err", err)
			return
		}
		w.log.Info("partition acquired", "partition", n, "from", p.base, "checkpoint", p.quiet)
		if err := p.run(pctx); err != nil && !errors.Is(err, context.Canceled) {
			w.log.Error("partition stopped", "partition", n, "err", err)
		}
	}()
	return h, nil
}

// drop stops partition n (it checkpoints) and frees its lease.
func (w *Worker) drop(ctx context.Context, n int, h *handle) {
	h.stop()
	<-h.done
	w.forget(n)
	if err := w.opts.Buckets.Leases.Delete(context.WithoutCancel(ctx), "p."+strconv.Itoa(n), jetstream.LastRevision(h.rev)); err != nil {
		w.log.Warn("lease not freed: it expires", "partition", n, "err", err)
	}
	w.log.Info("partition released", "partition", n)
}

func (w *Worker) forget(n int) {
	w.mu.Lock()
	delete(w.owned, n)
	w.mu.Unlock()
}

// releaseAll stops every partition and frees the leases and the worker's
// membership, for a clean stop.
func (w *Worker) releaseAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w.mu.Lock()
	mine := make(map[int]*handle, len(w.owned))
	for n, h := range w.owned {
		mine[n] = h
	}
	w.mu.Unlock()
	for n, h := range mine {
		w.drop(ctx, n, h)
	}
	_ = w.opts.Buckets.Leases.Delete(ctx, "w."+w.opts.ID)
}

func marshalCheckpoint(cp fleet.Checkpoint) ([]byte, error) { return json.Marshal(cp) }

func unmarshalCheckpoint(b []byte) (fleet.Checkpoint, error) {
	var cp fleet.Checkpoint
	err := json.Unmarshal(b, &cp)
	return cp, err
}
