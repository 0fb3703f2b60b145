package source

import (
	"context"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// Sleep waits d on clock (the virtual clock in tests) and reports whether
// it did; false means ctx ended first.
func Sleep(ctx context.Context, clock ds.Clock, d time.Duration) bool {
	done := make(chan struct{})
	t := clock.AfterFunc(d, func() { close(done) })
	select {
	case <-ctx.Done():
		t.Stop()
		return false
	case <-done:
		return true
	}
}

// Backoff is how long a source waits before it starts a helper program
// again (journalctl, lldpcli): Min, doubling to Max, back to Min once the
// program did some work.
type Backoff struct {
	Min, Max time.Duration
	cur      time.Duration
}

// Next returns the wait before the next start, and doubles the one after.
func (b *Backoff) Next() time.Duration {
	if b.cur < b.Min {
		b.cur = b.Min
	}
	d := b.cur
	b.cur = min(2*b.cur, b.Max)
	return d
}

// Reset makes the next wait Min again.
func (b *Backoff) Reset() { b.cur = b.Min }
