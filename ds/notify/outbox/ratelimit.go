package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dsengine/dsengine/bootflash"
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
	store admissionStore // nil: the window lives in memory only

	saveMu   sync.Mutex // orders the saves, so the last one written is the latest
	mu       sync.Mutex
	limit    int
	admitted []time.Time // admissions within the window, oldest first
}

// NewRateLimiter returns a limiter of perMinute messages (the call-home
// "rate-limit", 1-60) in front of next, counting into stats.
//
// When next is the *Outbox, the limiter keeps its admissions in the
// outbox's store (ratelimit.json) after each message it passes, and starts
// from those of the last minute: a restart does not reset the limit. An
// admission stamped later than the clock's now (the clock was set back)
// counts as made now. A crash in the few milliseconds between a message's
// enqueueing and the save of its admission leaves that one uncounted
// after the restart.
func NewRateLimiter(perMinute int, clock ds.Clock, stats *Stats, next Enqueuer) (*RateLimiter, error) {
	if err := checkLimit(perMinute); err != nil {
		return nil, err
	}
	if clock == nil || stats == nil || next == nil {
		return nil, fmt.Errorf("rate-limit: clock, stats and next stage are required")
	}
	r := &RateLimiter{next: next, clock: clock, stats: stats, limit: perMinute}
	if s, ok := next.(admissionStore); ok {
		r.store = s
		now := clock.Now()
		for _, t := range s.admissions() {
			if t.After(now) {
				t = now
			}
			if t.After(now.Add(-RateWindow)) {
				r.admitted = append(r.admitted, t)
			}
		}
	}
	return r, nil
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
	r.save()
	return nil
}

// save stores the admissions of the window, if the limiter has a store.
// A refund is not saved at once: the next admission's save corrects it,
// and a refused message costs no write.
func (r *RateLimiter) save() {
	if r.store == nil {
		return
	}
	r.saveMu.Lock()
	defer r.saveMu.Unlock()
	r.mu.Lock()
	times := slices.Clone(r.admitted)
	r.mu.Unlock()
	r.store.saveAdmissions(times)
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

// admissionStore keeps a RateLimiter's admissions across restarts. The
// Outbox is one: it keeps them in its store (bootflash ratelimit.json,
// beside the outbox, since the outbox itself forgets a message once it is
// delivered).
type admissionStore interface {
	// admissions returns the admissions last saved, oldest first.
	admissions() []time.Time
	// saveAdmissions replaces them durably; it reports its own failures.
	saveAdmissions(times []time.Time)
}

// admissionsFile is the content of the store's ratelimit.json.
type admissionsFile struct {
	Version  int         `json:"version"`
	Admitted []time.Time `json:"admitted"` // oldest first
}

const admissionsVersion = 1

// loadAdmissions reads the admissions a RateLimiter saved before the
// restart; one it cannot read is reported by Warnings and treated as none.
func (o *Outbox) loadAdmissions() {
	data, err := o.store.RateLimitGet()
	if errors.Is(err, bootflash.ErrNotFound) {
		return
	}
	var f admissionsFile
	if err == nil {
		err = json.Unmarshal(data, &f)
	}
	if err == nil && f.Version != admissionsVersion {
		err = fmt.Errorf("version %d, want %d", f.Version, admissionsVersion)
	}
	if err != nil {
		o.warnings = append(o.warnings, fmt.Sprintf("%s: unreadable (%v); the call-home rate limit starts with no "+
			"message sent this minute, and the file is replaced at the next message", bootflash.RateLimitFile, err))
		return
	}
	slices.SortFunc(f.Admitted, time.Time.Compare)
	o.admitted = f.Admitted
}

// admissions implements admissionStore.
func (o *Outbox) admissions() []time.Time {
	o.admitMu.Lock()
	defer o.admitMu.Unlock()
	return slices.Clone(o.admitted)
}

// saveAdmissions implements admissionStore. A failure is logged: the limit
// still holds until the next restart.
func (o *Outbox) saveAdmissions(times []time.Time) {
	o.admitMu.Lock()
	defer o.admitMu.Unlock()
	o.admitted = slices.Clone(times)
	utc := make([]time.Time, len(times))
	for i, t := range times {
		utc[i] = t.UTC()
	}
	data, err := json.Marshal(admissionsFile{Version: admissionsVersion, Admitted: utc})
	if err == nil {
		err = o.store.RateLimitPut(data)
	}
	if err != nil {
		o.log.Error("call-home rate limit not saved: a restart within the minute would let more messages through; "+
			"check that the bootflash is writable and not full", "err", err)
	}
}
