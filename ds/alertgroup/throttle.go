package alertgroup

import (
	"sync"
	"time"
)

// Throttle is how syslog-throttling limits repeats of the same message.
// The guides say only that it "avoids sending repetitive call-home syslog
// messages"; the defaults are those of Cisco's Call Home duplicate-message
// throttle (MDS and Nexus Call Home: "a maximum of thirty messages in 2
// hours"): at most Limit messages for the same event within Window, the
// window starting at the first one sent and starting anew with the first
// one after it has passed.
type Throttle struct {
	Window time.Duration // 0 means DefaultThrottleWindow
	Limit  int           // 0 means DefaultThrottleLimit
}

// Defaults of Throttle.
const (
	DefaultThrottleWindow = 2 * time.Hour
	DefaultThrottleLimit  = 30
)

// maxThrottleKeys bounds the events the throttle remembers; beyond it the
// oldest windows are forgotten first.
const maxThrottleKeys = 4096

// throttle counts messages per event key.
type throttle struct {
	window time.Duration
	limit  int

	mu   sync.Mutex
	seen map[string]*throttleWindow
}

// throttleWindow is one event's current window.
type throttleWindow struct {
	start time.Time
	n     int
}

func newThrottle(t Throttle) *throttle {
	if t.Window <= 0 {
		t.Window = DefaultThrottleWindow
	}
	if t.Limit <= 0 {
		t.Limit = DefaultThrottleLimit
	}
	return &throttle{window: t.Window, limit: t.Limit, seen: map[string]*throttleWindow{}}
}

// allow reports whether a message for key may be sent at now, and counts
// it if so.
func (t *throttle) allow(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.seen[key]
	if w == nil || now.Sub(w.start) >= t.window || now.Before(w.start) {
		if w == nil && len(t.seen) >= maxThrottleKeys {
			t.prune(now)
		}
		t.seen[key] = &throttleWindow{start: now, n: 1}
		return true
	}
	if w.n >= t.limit {
		return false
	}
	w.n++
	return true
}

// prune forgets the windows that have passed, and if that is not enough,
// the oldest quarter.
func (t *throttle) prune(now time.Time) {
	for k, w := range t.seen {
		if now.Sub(w.start) >= t.window {
			delete(t.seen, k)
		}
	}
	if len(t.seen) < maxThrottleKeys {
		return
	}
	var oldest time.Time
	for _, w := range t.seen {
		if oldest.IsZero() || w.start.Before(oldest) {
			oldest = w.start
		}
	}
	cut := oldest.Add(now.Sub(oldest) / 4)
	for k, w := range t.seen {
		if !w.start.After(cut) {
			delete(t.seen, k)
		}
	}
}
