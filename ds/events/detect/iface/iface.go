package iface

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/events/detect/internal/threshold"

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
	root string

	mu      sync.Mutex
	stopped bool
	timer   ds.Timer // the next poll
	failing bool     // the last read failed (logged once)

	prev   sample    // the last sample read, nil before the first or after a failed read
	prevAt time.Time // when prev was read
	series *threshold.Series
	state  *threshold.State
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
	d := &Detector{ev: ev, env: env, sp: sp, p: p, root: root, series: threshold.NewSeries(sp.averageFactor, p.counter())}
	d.state = threshold.New(t, env.Clock, d.exitTime)
	return d, nil
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
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.state.Stop()
}

// read takes a sample at now and returns what it measured; a failed read
// (the interface is gone, a file holds garbage) is logged once, and the
// next good read starts over from a new base. d.mu is held.
func (d *Detector) read(now time.Time) (threshold.Reading, bool) {
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
		d.failing, d.prev = true, nil
		d.series.Reset()
		return threshold.Reading{}, false
	}
	if d.failing {
		d.env.Log.Info("interface event: counters readable again", "owner", d.env.Owner, "event", d.ev.ID, "interface", d.sp.name)
		d.failing = false
	}
	prev, secs := d.prev, seconds(now.Sub(d.prevAt))
	d.prev, d.prevAt = s, now
	switch {
	case d.p.counter():
		return d.series.Add(now, d.p.value(nil, s, 0, 0)), true
	case prev != nil:
		return d.series.Add(now, d.p.value(prev, s, secs, speed)), true
	}
	return threshold.Reading{}, false // a derived value needs two samples
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
		fire = d.check(x)
	}
	d.timer = d.env.Clock.AfterFunc(d.sp.poll, d.poll)
	d.mu.Unlock()
	d.fire(now, fire)
}

// check applies the threshold to one poll's reading and returns what to
// fire, nil for nothing. d.mu is held.
func (d *Detector) check(x threshold.Reading) *Fire {
	o := d.state.Poll(x, d.sp.entryType, d.sp.exitType)
	if o.Fire {
		v, _ := x.Of(d.sp.entryType)
		return &Fire{Name: d.sp.name, Parameter: d.sp.parameter, Value: v}
	}
	return d.exitFire(o)
}

// exitFire is the fire of exit-event true when the event re-armed.
func (d *Detector) exitFire(o threshold.Outcome) *Fire {
	if !o.Rearm || !d.sp.exitEvent {
		return nil
	}
	return &Fire{Name: d.sp.name, Parameter: d.sp.parameter, Value: o.Exit, Exit: true}
}

// exitTime is the exit timer's callback: the exit time passed.
func (d *Detector) exitTime() {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	f := d.exitFire(d.state.TimeUp())
	d.mu.Unlock()
	d.fire(d.env.Clock.Now(), f)
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
	return d.state.Armed()
}
