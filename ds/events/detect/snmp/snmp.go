package snmp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds/events/detect/internal/threshold"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// Detector is a registered snmp event: it polls its OID every
// poll-interval on the hub's clock and fires when the value (or its
// increment, or its rate) meets the entry condition; after a fire it
// waits for the exit condition (exit-op, exit-time, or both as exit-comb
// says) before it can fire again. A line without an exit condition fires
// on every poll that meets the entry condition.
type Detector struct {
	ev  ds.Event
	env detector.Env
	s   spec

	errors atomic.Uint64 // polls that failed: no answer, an error, not a number

	mu      sync.Mutex
	ctx     context.Context
	timer   ds.Timer // the next poll
	stopped bool
	series  *threshold.Series
	state   *threshold.State
}

// New reads the line back and checks its threshold; it needs env.SNMPGet
// (the configuration's `snmp agent`).
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	if ev.EEMLine == "" {
		return nil, fmt.Errorf("snmp event %s: only an EEM line names this event", ev.ID)
	}
	s, err := specOf(ev)
	if err != nil {
		return nil, fmt.Errorf("snmp event %s: %w", ev.ID, err)
	}
	if env.SNMPGet == nil {
		return nil, fmt.Errorf("snmp event %s: refused: this host polls no SNMP agent; add `snmp agent HOST[:PORT] community NAME` to the dsengine block", ev.ID)
	}
	t := ev.Threshold
	if !eem.IsOp(t.EntryOp) || t.ExitOp != "" && !eem.IsOp(t.ExitOp) || s.interval < time.Second {
		return nil, fmt.Errorf("snmp event %s: needs entry-op, entry-val and poll-interval of at least 1 second", ev.ID)
	}
	d := &Detector{ev: ev, env: env, s: s, series: threshold.NewSeries(s.average, false)}
	d.state = threshold.New(t, env.Clock, d.exitTime)
	return d, nil
}

// Start schedules the first poll one poll-interval from now.
func (d *Detector) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ctx = ctx
	d.timer = d.env.Clock.AfterFunc(d.s.interval, d.poll)
	return nil
}

// Stop ends polling and cancels a pending exit time.
func (d *Detector) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
	}
	d.state.Stop()
}

// Errors is how many polls failed (for tests and show).
func (d *Detector) Errors() uint64 { return d.errors.Load() }

// poll reads the OID once, evaluates it, and schedules the next poll
// (after this one, so polls never overlap however slow the agent).
func (d *Detector) poll() {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	ctx := d.ctx
	d.mu.Unlock()

	v, err := d.env.SNMPGet(ctx, d.s.oid, d.s.next)
	at := d.env.Clock.Now()
	var n int64
	if err == nil {
		n, err = number(v)
	}
	var fire *detector.Fired
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	if err != nil {
		d.errors.Add(1)
		if d.env.Log != nil {
			d.env.Log.Warn("event snmp: poll failed; polling again", "owner", d.env.Owner, "event", d.ev.ID,
				"oid", d.s.oid, "error", err, "next", d.s.interval)
		}
	} else {
		fire = d.evaluate(at, v, n)
	}
	d.timer = d.env.Clock.AfterFunc(d.s.interval, d.poll)
	d.mu.Unlock()
	if fire != nil {
		d.env.Fire(*fire)
	}
}

// number reads an integer value; an agent answering a string (or
// anything else) for it is an error naming the type.
func number(v detector.SNMPValue) (int64, error) {
	switch v.Type {
	case "OctetString", "ObjectIdentifier", "IPAddress", "Null", "Opaque", "BitString":
		return 0, fmt.Errorf("%s is a %s (%q), not a number: event snmp compares integers, counters, gauges and timeticks",
			v.OID, v.Type, clip(v.Value))
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is a %s whose value %q is not a whole number", v.OID, v.Type, clip(v.Value))
	}
	return n, nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// evaluate takes a new value and returns the fire it causes, if any;
// d.mu is held.
func (d *Detector) evaluate(at time.Time, v detector.SNMPValue, n int64) *detector.Fired {
	if !d.state.Poll(d.series.Add(at, n), d.s.entryType, d.s.exitType).Fire {
		return nil
	}
	f := d.env.Base(d.ev, at)
	f.Payload = Fire{OID: v.OID, Value: v.Value}
	return &f
}

// exitTime is the exit timer's callback.
func (d *Detector) exitTime() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopped {
		d.state.TimeUp()
	}
}

// Armed reports whether the next poll meeting the entry condition fires.
func (d *Detector) Armed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state.Armed()
}
