package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/nats-io/nats.go/jetstream"
)

// TimersOptions configure RunTimers.
type TimersOptions struct {
	Leases jetstream.KeyValue // fleet.Buckets.Leases (required)
	ID     string             // the worker's name, the lease's value
	// LeaseTTL is the bucket's TTL; the lease is renewed every third of
	// it, as the partition leases are.
	LeaseTTL time.Duration
	// Set registers (true) or deregisters the daemon's timer events
	// (daemon.Daemon.SetTimers).
	Set func(ctx context.Context, on bool) error
	Log *slog.Logger
}

// RunTimers holds the fleet's timers lease (fleet.LeaseTimers) when it is
// free, until ctx ends: the one worker holding it runs the timer events,
// so that a periodic DS or an EEM timer runs once for the fleet. A lease
// not renewed (its owner gone or cut off) expires after the TTL and the
// next worker to try takes it. On a clean stop the lease is freed.
func RunTimers(ctx context.Context, o TimersOptions) {
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = fleet.DefaultLeaseTTL
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	tick := time.NewTicker(o.LeaseTTL / 3)
	defer tick.Stop()
	var rev uint64 // of the lease while held, else 0
	defer func() {
		if rev == 0 {
			return
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.LeaseTTL)
		defer cancel()
		if err := o.Leases.Delete(dctx, fleet.LeaseTimers, jetstream.LastRevision(rev)); err != nil {
			o.Log.Warn("timers lease not freed: it expires", "err", err)
		}
	}()
	for {
		if rev != 0 {
			r, err := o.Leases.Update(ctx, fleet.LeaseTimers, []byte(o.ID), rev)
			if err != nil && ctx.Err() == nil {
				// Lost, or not known to be held: stop the timers rather
				// than risk two workers running them.
				o.Log.Warn("timers lease lost: timer events deregistered", "err", err)
				rev = 0
				if err := o.Set(ctx, false); err != nil && ctx.Err() == nil {
					o.Log.Error("timer events", "err", err)
				}
			}
			if err == nil {
				rev = r
			}
		} else if r, err := o.Leases.Create(ctx, fleet.LeaseTimers, []byte(o.ID)); err == nil {
			rev = r
			o.Log.Info("timers lease acquired: timer events registered")
			if err := o.Set(ctx, true); err != nil && ctx.Err() == nil {
				o.Log.Error("timer events", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
