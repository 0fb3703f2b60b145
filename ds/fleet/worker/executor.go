package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// Run performs an intent's actions (required); the intent is acked
	// when it returns nil and delivered again (to any executor) after
	// AckWait otherwise, or when the executor dies while it runs.
	Run     func(ctx context.Context, in fleet.Intent) error
	AckWait time.Duration // default a minute: longer than a run's maxrun
	Batch   int
	Log     *slog.Logger
}

// Executor runs action intents.
type Executor struct {
	opts ExecutorOptions
	cons jetstream.Consumer
}

// NewExecutor creates or opens the executors' consumer.
func NewExecutor(ctx context.Context, opts ExecutorOptions) (*Executor, error) {
	if opts.JS == nil || opts.Run == nil {
		return nil, errors.New("worker: ExecutorOptions.JS and Run are required")
	}
	if opts.AckWait <= 0 {
		opts.AckWait = time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 64
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

// Run runs intents until ctx ends.
func (e *Executor) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		batch, err := e.cons.Fetch(e.opts.Batch, jetstream.FetchMaxWait(500*time.Millisecond))
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
			in, err := fleet.UnmarshalIntent(msg.Data())
			if err != nil {
				e.opts.Log.Error("not an intent: dropped", "subject", msg.Subject(), "err", err)
				_ = msg.Term()
				continue
			}
			if err := e.opts.Run(ctx, in); err != nil {
				e.opts.Log.Warn("intent failed: delivered again", "id", in.ID, "err", err)
				_ = msg.Nak()
				continue
			}
			if err := msg.DoubleAck(ctx); err != nil && ctx.Err() == nil {
				e.opts.Log.Warn("ack intent", "id", in.ID, "err", err)
			}
		}
	}
	return nil
}
