package netlink

import (
	"sync"
	"time"
)

// lane carries the states of one kind of object (links by ifindex, routes
// by destination) from the reader to the emitter: the reader sets the
// latest state of a key, never blocking; the emitter tells the detectors
// the difference from what it told them last, within each key's
// allowance. A state overwritten before it went out is coalesced away and
// counted as dropped.
type lane[K comparable, S any] struct {
	same func(a, b S) bool

	mu      sync.Mutex
	pending map[K]S

	// The emitter's: what the detectors were told, and the allowances.
	told    map[K]S
	buckets map[K]*bucket
}

func newLane[K comparable, S any](same func(a, b S) bool) *lane[K, S] {
	return &lane[K, S]{same: same, pending: map[K]S{}, told: map[K]S{}, buckets: map[K]*bucket{}}
}

// set makes s the state of k to tell, and reports whether it coalesced
// away another state still waiting.
func (l *lane[K, S]) set(k K, s S) (dropped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p, ok := l.pending[k]; ok && !l.same(p, s) {
		dropped = true
	}
	l.pending[k] = s
	return dropped
}

// take returns the states waiting, leaving none.
func (l *lane[K, S]) take() map[K]S {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.pending
	l.pending = map[K]S{}
	return b
}

// putBack returns a state the allowance held to the queue, unless a newer
// one came meanwhile; it reports whether it was coalesced away.
func (l *lane[K, S]) putBack(k K, s S) (dropped bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p, ok := l.pending[k]; ok {
		return !l.same(p, s)
	}
	l.pending[k] = s
	return false
}

// allow spends one of k's tokens at now and returns 0, or returns how long
// until one is there. Allowances back at full are forgotten now and then,
// so a key that comes and goes does not grow the map.
func (l *lane[K, S]) allow(k K, now time.Time, burst int, rate float64) time.Duration {
	b := l.buckets[k]
	if b == nil {
		if len(l.buckets) >= 2*len(l.told)+64 {
			full := time.Duration(float64(burst) / rate * float64(time.Second))
			for key, b := range l.buckets {
				if now.Sub(b.at) > full {
					delete(l.buckets, key)
				}
			}
		}
		b = &bucket{tokens: float64(burst), at: now}
		l.buckets[k] = b
	}
	return b.take(now, float64(burst), rate)
}

// bucket is one key's allowance of state changes.
type bucket struct {
	tokens float64
	at     time.Time
}

// take spends a token at now and returns 0, or returns how long until one
// is there.
func (b *bucket) take(now time.Time, burst, rate float64) time.Duration {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(burst, b.tokens+d.Seconds()*rate)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return max(time.Millisecond, time.Duration((1-b.tokens)/rate*float64(time.Second)))
}
