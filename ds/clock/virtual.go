package clock

import (
	"container/heap"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// Virtual is a ds.Clock whose time moves only by Advance and Set. Timers
// due at or before the new time run synchronously, in the order of their
// due times (then of their creation), in the goroutine that moves the
// clock; a timer may start new timers, which run in the same move if due.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64
}

// NewVirtual returns a virtual clock that reads start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now returns the clock's current time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// AfterFunc arranges for f to run when the clock reaches Now()+d.
func (v *Virtual) AfterFunc(d time.Duration, f func()) ds.Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	t := &timer{clock: v, when: v.now.Add(d), seq: v.seq, f: f, index: -1}
	heap.Push(&v.timers, t)
	return t
}

// Advance moves the clock forward by d, running the timers that fall due.
func (v *Virtual) Advance(d time.Duration) { v.Set(v.Now().Add(d)) }

// Set moves the clock to t, running the timers due at or before it. A t
// before the current time leaves the clock where it is (virtual time never
// goes back), so out-of-order log lines cannot rewind the schedules.
func (v *Virtual) Set(t time.Time) {
	if now := v.Now(); t.Before(now) {
		t = now
	}
	for {
		v.mu.Lock()
		if len(v.timers) == 0 || v.timers[0].when.After(t) {
			if t.After(v.now) {
				v.now = t
			}
			v.mu.Unlock()
			return
		}
		next := heap.Pop(&v.timers).(*timer)
		if next.when.After(v.now) {
			v.now = next.when
		}
		v.mu.Unlock()
		next.f()
	}
}

// Next returns when the earliest pending timer is due, and false if none is.
func (v *Virtual) Next() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.timers) == 0 {
		return time.Time{}, false
	}
	return v.timers[0].when, true
}

// Pending is the number of timers not yet run or stopped.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers)
}

type timer struct {
	clock *Virtual
	when  time.Time
	seq   uint64
	f     func()
	index int
}

// Stop cancels the timer; it reports whether it was still pending.
func (t *timer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.clock.timers, t.index)
	return true
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
