package track

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The Hub finds the detector's input through this interface.
var _ detector.TrackInput = (*Detector)(nil)

// Detector is a registered track event. It implements
// detector.TrackInput.
type Detector struct {
	ev      ds.Event
	env     detector.Env
	state   string
	stopped atomic.Bool
}

// New validates ev: an object number of 1 or more and a state of up, down
// or any ("" is any).
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	if ev.TrackObject < 1 {
		return nil, fmt.Errorf("track event %s: object %d is not a track number", ev.ID, ev.TrackObject)
	}
	state := ev.TrackState
	switch state {
	case "":
		state = "any"
	case detector.StateUp, detector.StateDown, "any":
	default:
		return nil, fmt.Errorf("track event %s: state %q is not up, down or any", ev.ID, state)
	}
	return &Detector{ev: ev, env: env, state: state}, nil
}

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting.
func (d *Detector) Stop() { d.stopped.Store(true) }

// TrackChange fires when c is the event's object changing to its state,
// or to any state.
func (d *Detector) TrackChange(c detector.TrackChange) {
	if d.stopped.Load() || c.Object != d.ev.TrackObject || d.state != "any" && d.state != c.State {
		return
	}
	f := d.env.Base(d.ev, c.Time)
	f.Payload = Fire{Object: c.Object, State: c.State, Prev: c.Prev}
	if c.Message != nil {
		m := c.Message.Clone()
		f.Message = &m
		if m.Host != "" {
			f.Host = m.Host
		}
	}
	d.env.Fire(f)
}
