package counter

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// The Hub finds the detector's input through this interface.
var _ detector.CounterInput = (*Detector)(nil)

// Detector is a registered counter event. It implements
// detector.CounterInput.
type Detector struct {
	ev  ds.Event
	env detector.Env
	th  ds.Threshold

	mu      sync.Mutex
	armed   bool     // the next change meeting the entry condition fires
	last    int64    // the counter's last value seen
	timeUp  bool     // exit-time has passed since the fire
	timer   ds.Timer // pending exit-time
	stopped bool
}

// New validates ev: a counter name, an entry operator, and an exit
// condition (an exit operator, an exit time, or both).
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	t := ev.Threshold
	switch {
	case ev.Name == "":
		return nil, fmt.Errorf("counter event %s: no counter name", ev.ID)
	case !eem.IsOp(t.EntryOp):
		return nil, fmt.Errorf("counter event %s: entry-op %q is not %s", ev.ID, t.EntryOp, eem.OpsValue)
	case t.ExitOp != "" && !eem.IsOp(t.ExitOp):
		return nil, fmt.Errorf("counter event %s: exit-op %q is not %s", ev.ID, t.ExitOp, eem.OpsValue)
	case t.ExitOp == "" && t.ExitTime <= 0:
		return nil, fmt.Errorf("counter event %s: no exit condition: give exit-op and exit-val, exit-time, or both", ev.ID)
	case t.ExitComb == "and" && (t.ExitOp == "" || t.ExitTime <= 0):
		return nil, fmt.Errorf("counter event %s: exit-comb and needs both exit-op and exit-time", ev.ID)
	}
	return &Detector{ev: ev, env: env, th: t, armed: true}, nil
}

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting and cancels a pending exit time.
func (d *Detector) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

// Counter takes a new value of counter name. Armed, the event fires when
// the value meets the entry condition, then waits: a later change (or the
// end of exit-time) that meets the exit condition re-arms it, and only
// the change after that can fire again.
func (d *Detector) Counter(at time.Time, name string, value int64) {
	if name != d.ev.Name {
		return
	}
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.last = value
	if !d.armed {
		d.rearm()
		d.mu.Unlock()
		return
	}
	if !eem.Compare(value, d.th.EntryOp, d.th.EntryVal) {
		d.mu.Unlock()
		return
	}
	d.armed, d.timeUp = false, false
	if d.th.ExitTime > 0 {
		d.timer = d.env.Clock.AfterFunc(d.th.ExitTime, d.exitTime)
	}
	d.mu.Unlock()

	f := d.env.Base(d.ev, at)
	f.Payload = Fire{Name: name, Value: value}
	d.env.Fire(f)
}

// exitTime marks the exit time as passed and re-arms if the exit
// condition now holds.
func (d *Detector) exitTime() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped || d.armed {
		return
	}
	d.timer, d.timeUp = nil, true
	d.rearm()
}

// rearm arms the detector when the exit condition holds: the exit
// comparison on the last value, the exit time, or (exit-comb and) both;
// d.mu is held.
func (d *Detector) rearm() {
	value := d.th.ExitOp != "" && eem.Compare(d.last, d.th.ExitOp, d.th.ExitVal)
	elapsed := d.th.ExitTime > 0 && d.timeUp
	ok := value || elapsed
	if d.th.ExitComb == "and" {
		ok = value && elapsed
	}
	if !ok {
		return
	}
	d.armed = true
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

// Armed reports whether the next change meeting the entry condition
// fires (for tests and show).
func (d *Detector) Armed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.armed
}
