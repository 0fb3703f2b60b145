package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/nats-io/nats.go/jetstream"
)

// ExecutorDurable is the consumer every executor pulls DS_ACTIONS with:
// the work queue gives each intent to one of them.
const ExecutorDurable = "ds-executors"

// ExecutorOptions configure an Executor.
type ExecutorOptions struct {
	JS jetstream.JetStream // required
	// Done holds the IDs of the intents whose run completed
	// (fleet.EnsureDone): an intent delivered again after its run, because
	// its ack was lost, is acked without running. Nil: no such check.
	Done jetstream.KeyValue
	// Run performs an intent's actions and returns when they completed
	// (required); the intent is acked then. An error, or an executor that
	// dies while it runs, delivers it again (to any executor) after
	// AckWait.
	Run func(ctx context.Context, in fleet.Intent) error
	// AckWait is how long JetStream waits for an executor's ack before it
	// delivers the intent again: default a minute, above the engine's
	// maxrun. A run in progress tells JetStream so every third of it, so
	// a run waiting in its DS's queue is not delivered twice.
	AckWait time.Duration
	// Parallel is how many intents run at once (default 64): the runs of
	// different DS do not wait for each other.
	Parallel int
	Log      *slog.Logger
}

// ExecutorStats are an executor's counters.
type ExecutorStats struct {
	Ran     uint64 // intents run and acked
	Failed  uint64 // runs that returned an error: delivered again
	Already uint64 // intents delivered again after their run completed: acked, not run
}

// Executor runs action intents.
type Executor struct {
	opts                 ExecutorOptions
	cons                 jetstream.Consumer
	ran, failed, already atomic.Uint64
}

// NewExecutor creates or opens the executors' consumer.
func NewExecutor(ctx context.Context, opts ExecutorOptions) (*Executor, error) {
	if opts.JS == nil || opts.Run == nil {
		return nil, errors.New("worker: ExecutorOptions.JS and Run are required")
	}
	if opts.AckWait <= 0 {
		opts.AckWait = time.Minute
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 64
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	cons, err := opts.JS.CreateOrUpdateConsumer(ctx, fleet.StreamActions, jetstream.ConsumerConfig{Durable: ExecutorDurable,
		AckPolicy: jetstream.AckExplicitPolicy, AckWait: opts.AckWait, MaxAckPending: 1024})
	if err != nil {
		return nil, fmt.Errorf("consumer %s of %s: %w", ExecutorDurable, fleet.StreamActions, err)
	}
	return &Executor{opts: opts, cons: cons}, nil
}

// Stats returns the counters; safe from any goroutine.
func (e *Executor) Stats() ExecutorStats {
	return ExecutorStats{Ran: e.ran.Load(), Failed: e.failed.Load(), Already: e.already.Load()}
}

// DoneKey is the key of a completed intent in the DS_DONE bucket: a hash,
// since an intent ID holds what a key cannot (a device's IPv6 address).
func DoneKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:16])
}

// Run runs intents until ctx ends, up to Parallel at once, and waits for
// the runs in progress.
func (e *Executor) Run(ctx context.Context) error {
	slots := make(chan struct{}, e.opts.Parallel)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		// Fetch only what free slots can take: an intent fetched waits
		// out its AckWait if it cannot run.
		free := cap(slots) - len(slots)
		if free == 0 {
			select {
			case slots <- struct{}{}:
				<-slots
			case <-ctx.Done():
			}
			continue
		}
		batch, err := e.cons.Fetch(free, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			if ctx.Err() == nil {
				e.opts.Log.Warn("fetch intents", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(500 * time.Millisecond):
				}
			}
			continue
		}
		for msg := range batch.Messages() {
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				e.one(ctx, msg)
			}()
		}
	}
	return nil
}

// one runs an intent unless its run completed before, and acks it once
// the run completed.
func (e *Executor) one(ctx context.Context, msg jetstream.Msg) {
	in, err := fleet.UnmarshalIntent(msg.Data())
	if err != nil {
		e.opts.Log.Error("not an intent: dropped", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	key := DoneKey(in.ID)
	if e.opts.Done != nil {
		if _, err := e.opts.Done.Get(ctx, key); err == nil {
			e.already.Add(1)
			e.ack(ctx, msg, in)
			return
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			// Unknown: running might run it twice, so it waits.
			e.opts.Log.Warn("intent not run: its completion is unknown; delivered again", "id", in.ID, "bucket", fleet.BucketDone, "err", err)
			_ = msg.NakWithDelay(e.opts.AckWait / 4)
			return
		}
	}
	// While the run waits in its DS's queue or runs, JetStream hears that
	// it is in progress, else it would deliver it to another executor.
	rctx, stop := context.WithCancel(ctx)
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		t := time.NewTicker(e.opts.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	err = e.opts.Run(rctx, in)
	stop()
	<-beat
	if err != nil {
		e.failed.Add(1)
		if ctx.Err() == nil {
			e.opts.Log.Warn("intent failed: delivered again", "id", in.ID, "err", err)
			_ = msg.NakWithDelay(e.opts.AckWait / 4)
		}
		return
	}
	if e.opts.Done != nil {
		if _, err := e.opts.Done.Put(context.WithoutCancel(ctx), key, []byte(in.ID)); err != nil {
			e.opts.Log.Warn("completed intent not recorded: a redelivery would run it again", "id", in.ID, "err", err)
		}
	}
	e.ran.Add(1)
	e.ack(ctx, msg, in)
}

func (e *Executor) ack(ctx context.Context, msg jetstream.Msg, in fleet.Intent) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := msg.DoubleAck(actx); err != nil {
		e.opts.Log.Warn("ack intent: it may be delivered again, and then not run again", "id", in.ID, "err", err)
	}
}
