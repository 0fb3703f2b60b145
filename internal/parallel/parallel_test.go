package parallel

import (
	"sync/atomic"
	"testing"
)

// TestEach: every index is called once, with at most workers calls at a
// time, and Each returns after the last.
func TestEach(t *testing.T) {
	for _, c := range []struct{ n, workers, most int }{{0, 4, 0}, {1, 4, 1}, {1000, 3, 3}, {5, 1, 1}, {100, 0, 100}} {
		calls := make([]atomic.Int32, c.n)
		var running, most atomic.Int32
		Each(c.n, c.workers, func(i int) {
			r := running.Add(1)
			for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
			}
			calls[i].Add(1)
			running.Add(-1)
		})
		for i := range calls {
			if n := calls[i].Load(); n != 1 {
				t.Fatalf("n %d workers %d: index %d called %d times", c.n, c.workers, i, n)
			}
		}
		if m := most.Load(); int(m) > c.most {
			t.Errorf("n %d workers %d: %d calls at once", c.n, c.workers, m)
		}
		if running.Load() != 0 {
			t.Errorf("n %d: returned with calls running", c.n)
		}
	}
}
