package threshold

import (
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func TestSeries(t *testing.T) {
	s := NewSeries(2, false)
	if r := s.Add(t0, 100); r.Derived || r.Value != 100 {
		t.Fatalf("first reading %+v", r)
	}
	r := s.Add(t0.Add(10*time.Second), 200)
	if !r.Derived || r.Increment != 100 || r.Rate != 10 {
		t.Fatalf("second reading %+v", r)
	}
	r = s.Add(t0.Add(20*time.Second), 500) // rates 10 and 30: average 20
	if r.Increment != 300 || r.Rate != 20 {
		t.Fatalf("third reading %+v", r)
	}
	r = s.Add(t0.Add(30*time.Second), 500) // rates 30 and 0: average 15
	if r.Rate != 15 {
		t.Fatalf("fourth reading %+v (average-factor 2)", r)
	}
	s.Reset()
	if r := s.Add(t0.Add(40*time.Second), 7); r.Derived {
		t.Fatalf("after Reset %+v", r)
	}
	c := NewSeries(1, true)
	c.Add(t0, 100)
	if r := c.Add(t0.Add(time.Second), 5); r.Derived {
		t.Fatalf("a counter that went down started over: %+v", r)
	}
	if r := c.Add(t0.Add(2*time.Second), 8); !r.Derived || r.Increment != 3 {
		t.Fatalf("after the counter's reset: %+v", r)
	}
}

// harness drives a State on a virtual clock, the exit timer's callback
// taking the lock as a detector's does.
type harness struct {
	mu  sync.Mutex
	st  *State
	clk *clock.Virtual
	out []Outcome
}

func newHarness(th ds.Threshold) *harness {
	h := &harness{clk: clock.NewVirtual(t0)}
	h.st = New(th, h.clk, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.out = append(h.out, h.st.TimeUp())
	})
	return h
}

func (h *harness) poll(v int64) Outcome {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st.Poll(Reading{Value: v}, "value", "value")
}

func TestNoExitConditionFiresOnEveryMatch(t *testing.T) {
	h := newHarness(ds.Threshold{EntryOp: "ge", EntryVal: 10})
	for i, v := range []int64{12, 15, 3, 11} {
		if got := h.poll(v).Fire; got != (v >= 10) {
			t.Errorf("reading %d (%d): fire %v", i, v, got)
		}
	}
}

func TestExitValue(t *testing.T) {
	h := newHarness(ds.Threshold{EntryOp: "ge", EntryVal: 10, ExitOp: "lt", ExitVal: 5})
	if !h.poll(12).Fire || h.poll(20).Fire || h.poll(7).Fire {
		t.Fatal("fires once, then waits for the exit value")
	}
	if o := h.poll(4); !o.Rearm || o.Exit != 4 {
		t.Fatalf("below the exit value: %+v", o)
	}
	if !h.poll(11).Fire {
		t.Fatal("armed again")
	}
}

func TestExitTimeOr(t *testing.T) {
	h := newHarness(ds.Threshold{EntryOp: "gt", EntryVal: 0, ExitOp: "eq", ExitVal: 0, ExitTime: time.Minute})
	h.poll(5)
	h.clk.Advance(time.Minute)
	h.mu.Lock()
	armed, out := h.st.Armed(), h.out
	h.mu.Unlock()
	if !armed || len(out) != 1 || !out[0].Rearm {
		t.Fatalf("or: the exit time alone re-arms: armed %v, %+v", armed, out)
	}
}

func TestExitCombAnd(t *testing.T) {
	h := newHarness(ds.Threshold{EntryOp: "gt", EntryVal: 0, ExitComb: "and", ExitOp: "eq", ExitVal: 0, ExitTime: time.Minute})
	h.poll(5)
	if h.poll(0).Rearm {
		t.Fatal("and: the exit value before the exit time does not re-arm")
	}
	h.clk.Advance(time.Minute) // the last exit value (0) holds: re-arms at once
	h.mu.Lock()
	armed := h.st.Armed()
	h.mu.Unlock()
	if !armed {
		t.Fatal("and: both conditions met at the exit time")
	}
	// and without an exit time is the exit value alone.
	h = newHarness(ds.Threshold{EntryOp: "gt", EntryVal: 0, ExitComb: "and", ExitOp: "eq", ExitVal: 0})
	h.poll(5)
	if !h.poll(0).Rearm {
		t.Fatal("and without exit-time: the exit value re-arms")
	}
}

func TestStopCancelsTheExitTime(t *testing.T) {
	h := newHarness(ds.Threshold{EntryOp: "gt", EntryVal: 0, ExitTime: time.Minute})
	h.poll(1)
	h.mu.Lock()
	h.st.Stop()
	h.mu.Unlock()
	h.clk.Advance(2 * time.Minute)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.out) != 0 || h.st.Armed() {
		t.Fatalf("a stopped state re-armed: %+v", h.out)
	}
}
