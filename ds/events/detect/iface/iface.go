package iface

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
	"github.com/dsengine/dsengine/internal/english"
)

// DefaultSysRoot is where sysfs is mounted when detector.Env.SysRoot is
// empty.
const DefaultSysRoot = "/sys"

// Detector is a registered interface event: it polls its interface's
// statistics on the clock.
type Detector struct {
	ev   ds.Event
	env  detector.Env
	sp   spec
	p    parameter
	th   ds.Threshold
	root string

	mu      sync.Mutex
	stopped bool
	timer   ds.Timer // the next poll
	exit    ds.Timer // pending exit-time
	armed   bool
	timeUp  bool // exit-time has passed since the fire
	failing bool // the last read failed (logged once)

	prev     sample    // the last sample read, nil before the first or after a failed read
	prevAt   time.Time // when prev was read
	lastV    int64     // the parameter's value at prev
	haveV    bool      // lastV is valid (a derived value needs two samples)
	rates    []float64 // the last averageFactor rates, for entry-type rate
	lastExit int64     // the exit value at the last poll, for exit-time's re-arm
	haveExit bool
}

// New validates ev: the line's interface, a parameter Linux has a
// counter for, and the threshold.
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	sp, err := parseSpec(ev.EEMLine)
	if err != nil {
		return nil, fmt.Errorf("interface event %s: %w", ev.ID, err)
	}
	p, ok := parameters[sp.parameter]
	if !ok {
		return nil, fmt.Errorf("interface event %s: parameter %s has no Linux counter, so the event would never fire (refused); use one of %s",
			ev.ID, sp.parameter, english.OrList(supported()))
	}
	if n := sp.name; n == "." || n == ".." || strings.ContainsAny(n, "/:") || len(n) > 15 {
		return nil, fmt.Errorf("interface event %s: name %q is not a Linux interface name (at most 15 characters, no / or :; refused): name the interface as ip link shows it", ev.ID, n)
	}
	t := ev.Threshold
	if !eem.IsOp(t.EntryOp) || t.ExitOp != "" && !eem.IsOp(t.ExitOp) {
		return nil, fmt.Errorf("interface event %s: entry-op %q or exit-op %q is not %s", ev.ID, t.EntryOp, t.ExitOp, eem.OpsValue)
	}
	if sp.poll < time.Second {
		return nil, fmt.Errorf("interface event %s: poll-interval %v is under 1 second", ev.ID, sp.poll)
	}
	if env.Log == nil {
		env.Log = slog.New(slog.DiscardHandler)
	}
	root := env.SysRoot
	if root == "" {
		root = DefaultSysRoot
	}
	return &Detector{ev: ev, env: env, sp: sp, p: p, th: t, root: root, armed: true}, nil
}

func supported() []string {
	var out []string
	for _, p := range Parameters() {
		if _, ok := parameters[p]; ok {
			out = append(out, p)
		}
	}
	return out
}

// Start reads the first sample (the base of increments and rates) and
// schedules the polls; it stops when ctx ends.
func (d *Detector) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return nil
	}
	d.read(d.env.Clock.Now())
	d.timer = d.env.Clock.AfterFunc(d.sp.poll, d.poll)
	context.AfterFunc(ctx, d.Stop)
	return nil
}

// Stop ends the polls and a pending exit time.
func (d *Detector) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	for _, t := range []ds.Timer{d.timer, d.exit} {
		if t != nil {
			t.Stop()
		}
	}
	d.timer, d.exit = nil, nil
}

// values are what one poll measured: the parameter's value and its
// increment and rate since the last poll, each with whether it is known.
type values struct {
	v, inc, rate     int64
	okV, okInc, okRt bool
}

func (x values) of(typ string) (int64, bool) {
	switch typ {
	case "increment":
		return x.inc, x.okInc
	case "rate":
		return x.rate, x.okRt
	}
	return x.v, x.okV
}

// read takes a sample at now and returns what it measured; a failed read
// (the interface is gone, a file holds garbage) is logged once, and the
// next good read starts over from a new base. d.mu is held.
func (d *Detector) read(now time.Time) (values, bool) {
	s, speed, err := d.p.read(d.root, d.sp.name)
	if err != nil {
		if !d.failing {
			what := "cannot read its counters"
			if errors.Is(err, errGone) {
				what = "the interface is gone"
			}
			d.env.Log.Warn("interface event: "+what+"; polling on until it is back",
				"owner", d.env.Owner, "event", d.ev.ID, "interface", d.sp.name, "error", err)
		}
		d.failing, d.prev, d.haveV, d.rates = true, nil, false, d.rates[:0]
		return values{}, false
	}
	if d.failing {
		d.env.Log.Info("interface event: counters readable again", "owner", d.env.Owner, "event", d.ev.ID, "interface", d.sp.name)
		d.failing = false
	}
	var x values
	secs := seconds(now.Sub(d.prevAt))
	switch {
	case d.p.counter():
		x.v, x.okV = d.p.value(nil, s, 0, 0), true
	case d.prev != nil:
		x.v, x.okV = d.p.value(d.prev, s, secs, speed), true
	}
	if x.okV && d.haveV {
		x.inc, x.okInc = x.v-d.lastV, true
		if d.p.counter() && x.inc < 0 { // counters reset: no increment this poll
			x.okInc = false
		}
	}
	if x.okInc {
		d.rates = append(d.rates, float64(x.inc)/secs)
		if len(d.rates) > d.sp.averageFactor {
			d.rates = d.rates[1:]
		}
		var sum float64
		for _, r := range d.rates {
			sum += r
		}
		x.rate, x.okRt = int64(sum/float64(len(d.rates))), true
	}
	d.prev, d.prevAt = s, now
	d.lastV, d.haveV = x.v, x.okV
	return x, true
}

// poll reads the counters and checks the entry condition (armed) or the
// exit condition (after a fire), then schedules the next poll.
func (d *Detector) poll() {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	now := d.env.Clock.Now()
	var fire *Fire
	if x, ok := d.read(now); ok {
		fire = d.check(now, x)
	}
	d.timer = d.env.Clock.AfterFunc(d.sp.poll, d.poll)
	d.mu.Unlock()
	d.fire(now, fire)
}

// check applies the threshold to one poll's values and returns what to
// fire, nil for nothing. d.mu is held.
func (d *Detector) check(now time.Time, x values) *Fire {
	if !d.armed {
		if v, ok := x.of(d.sp.exitType); ok {
			d.lastExit, d.haveExit = v, true
		}
		return d.rearm()
	}
	v, ok := x.of(d.sp.entryType)
	if !ok || !eem.Compare(v, d.th.EntryOp, d.th.EntryVal) {
		return nil
	}
	if d.th.ExitOp != "" || d.th.ExitTime > 0 {
		// Without an exit condition the event stays armed and fires on
		// every poll that meets the entry condition.
		d.armed, d.timeUp, d.haveExit = false, false, false
	}
	if d.th.ExitTime > 0 {
		d.exit = d.env.Clock.AfterFunc(d.th.ExitTime, d.exitTime)
	}
	return &Fire{Name: d.sp.name, Parameter: d.sp.parameter, Value: v}
}

// exitTime marks the exit time as passed and re-arms if the exit
// condition now holds.
func (d *Detector) exitTime() {
	d.mu.Lock()
	if d.stopped || d.armed {
		d.mu.Unlock()
		return
	}
	d.exit, d.timeUp = nil, true
	f := d.rearm()
	d.mu.Unlock()
	d.fire(d.env.Clock.Now(), f)
}

// rearm arms the detector when the exit condition holds (the exit
// comparison on the last exit value, the exit time, or with exit-comb and
// both), and returns the exit event to fire when exit-event true asks
// for one. d.mu is held.
func (d *Detector) rearm() *Fire {
	value := d.th.ExitOp != "" && d.haveExit && eem.Compare(d.lastExit, d.th.ExitOp, d.th.ExitVal)
	elapsed := d.th.ExitTime > 0 && d.timeUp
	ok := value || elapsed
	if d.th.ExitComb == "and" {
		ok = value && elapsed
	}
	if !ok {
		return nil
	}
	d.armed = true
	if d.exit != nil {
		d.exit.Stop()
		d.exit = nil
	}
	if !d.sp.exitEvent {
		return nil
	}
	return &Fire{Name: d.sp.name, Parameter: d.sp.parameter, Value: d.lastExit, Exit: true}
}

func (d *Detector) fire(at time.Time, p *Fire) {
	if p == nil {
		return
	}
	f := d.env.Base(d.ev, at)
	f.Payload = *p
	d.env.Fire(f)
}

// Armed reports whether the next poll meeting the entry condition fires
// (for tests and show).
func (d *Detector) Armed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.armed
}
