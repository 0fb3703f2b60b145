package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

// RateWindow is the span the call-home "rate-limit" counts messages over.
const RateWindow = time.Minute

// RateLimiter is the first stage: it passes at most Limit messages per
// minute to the next stage and drops the rest, counting them
// Ratelimit-dropped.
type RateLimiter struct {
	next  Enqueuer
	clock ds.Clock
	stats *Stats

	mu       sync.Mutex
	limit    int
	admitted []time.Time // admissions within the window, oldest first
}

// NewRateLimiter returns a limiter of perMinute messages (the call-home
// "rate-limit", 1-60) in front of next, counting into stats.
func NewRateLimiter(perMinute int, clock ds.Clock, stats *Stats, next Enqueuer) (*RateLimiter, error) {
	if err := checkLimit(perMinute); err != nil {
		return nil, err
	}
	if clock == nil || stats == nil || next == nil {
		return nil, fmt.Errorf("rate-limit: clock, stats and next stage are required")
	}
	return &RateLimiter{next: next, clock: clock, stats: stats, limit: perMinute}, nil
}

func checkLimit(n int) error {
	if n < config.MinRateLimit || n > config.MaxRateLimit {
		return fmt.Errorf("rate-limit %d: must be %d to %d messages per minute", n, config.MinRateLimit, config.MaxRateLimit)
	}
	return nil
}

// SetLimit changes the limit (a reloaded configuration); messages already
// admitted in the last minute still count.
func (r *RateLimiter) SetLimit(perMinute int) error {
	if err := checkLimit(perMinute); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.limit = perMinute
	return nil
}

// Limit returns the messages admitted per minute.
func (r *RateLimiter) Limit() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.limit
}

// Enqueue passes msg on if fewer than Limit messages were admitted in the
// last minute; otherwise it counts msg Ratelimit-dropped and returns an
// error wrapping ErrRateLimited. A message the next stage refuses does not
// count against the limit.
func (r *RateLimiter) Enqueue(ctx context.Context, msg Message) error {
	now := r.clock.Now()
	r.mu.Lock()
	cut := 0
	for cut < len(r.admitted) && !r.admitted[cut].After(now.Add(-RateWindow)) {
		cut++
	}
	r.admitted = r.admitted[cut:]
	if len(r.admitted) >= r.limit {
		limit := r.limit
		r.mu.Unlock()
		for tr, to := range msg.To {
			if len(to) > 0 {
				r.stats.add(dropped, msg.Type, tr, 1)
			}
		}
		return fmt.Errorf("rate-limit %d per minute: %w", limit, ErrRateLimited)
	}
	r.admitted = append(r.admitted, now)
	r.mu.Unlock()

	if err := r.next.Enqueue(ctx, msg); err != nil {
		r.refund(now)
		return err
	}
	return nil
}

// refund forgets one admission at t.
func (r *RateLimiter) refund(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.admitted) - 1; i >= 0; i-- {
		if r.admitted[i].Equal(t) {
			r.admitted = append(r.admitted[:i], r.admitted[i+1:]...)
			return
		}
	}
}
