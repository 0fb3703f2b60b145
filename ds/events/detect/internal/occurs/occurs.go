package occurs

import "time"

// ExactLimit is the largest occurs count a Window keeps every time of;
// above it, occurrences closer together than Period/ExactLimit share one
// slot, so memory stays bounded and the window may close up to that much
// early (it never fires on fewer than N occurrences).
const ExactLimit = 1024

// Window reports when N occurrences have happened within Period of each
// other: the time between the first and the last of them is at most
// Period (a closed window, so matches at 0s and 60s are within 60s). A
// zero Period counts without a time limit. After reporting, the window
// starts again from zero, as EEM resets its counter when it publishes.
//
// The zero Window is not usable: call New. A Window is not safe for
// concurrent use.
type Window struct {
	n      int
	period time.Duration
	grain  time.Duration // 0: one slot per occurrence

	ring  []slot // allocated on first use, capacity bounded
	head  int    // index of the oldest slot
	size  int    // slots in use
	total int    // occurrences in the slots (or counted, without a period)
}

type slot struct {
	t time.Time
	n int
}

// New returns a window for n occurrences within period; n below 1 is 1.
func New(n int, period time.Duration) *Window {
	w := &Window{n: max(n, 1), period: period}
	if period > 0 && w.n > ExactLimit {
		w.grain = max(period/ExactLimit, 1)
	}
	return w
}

// Add records an occurrence at t and reports whether it completes the
// count; if it does, the window is emptied. Times must not go back.
func (w *Window) Add(t time.Time) bool {
	if w.n == 1 {
		return true
	}
	if w.period <= 0 {
		w.total++
		if w.total >= w.n {
			w.total = 0
			return true
		}
		return false
	}
	w.expire(t)
	if w.grain > 0 && w.size > 0 {
		last := &w.ring[(w.head+w.size-1)%len(w.ring)]
		if t.Sub(last.t) < w.grain {
			last.n++
			return w.count()
		}
	}
	w.push(slot{t: t, n: 1})
	return w.count()
}

// Len returns the number of occurrences the window holds.
func (w *Window) Len() int { return w.total }

// Reset empties the window.
func (w *Window) Reset() {
	w.head, w.size, w.total = 0, 0, 0
}

func (w *Window) count() bool {
	w.total++
	if w.total >= w.n {
		w.Reset()
		return true
	}
	return false
}

// expire drops the slots that started more than period before t.
func (w *Window) expire(t time.Time) {
	for w.size > 0 {
		s := w.ring[w.head]
		if t.Sub(s.t) <= w.period {
			return
		}
		w.total -= s.n
		w.head = (w.head + 1) % len(w.ring)
		w.size--
	}
	w.head = 0
}

// push appends s, growing the ring up to the bound: n slots when exact,
// else one per grain of the period and two more.
func (w *Window) push(s slot) {
	if w.size == len(w.ring) {
		limit := w.n
		if w.grain > 0 {
			limit = int(w.period/w.grain) + 2
		}
		grown := make([]slot, min(max(2*len(w.ring), 8), limit))
		if len(grown) <= w.size {
			// Full at the bound: the oldest slot gives way.
			w.total -= w.ring[w.head].n
			w.head = (w.head + 1) % len(w.ring)
			w.size--
		} else {
			for i := 0; i < w.size; i++ {
				grown[i] = w.ring[(w.head+i)%len(w.ring)]
			}
			w.ring, w.head = grown, 0
		}
	}
	w.ring[(w.head+w.size)%len(w.ring)] = s
	w.size++
}
