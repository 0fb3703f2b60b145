package immediate

import (
	"context"
	"sync"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The clock alone drives the detector; it takes no input from the Hub.
var _ detector.Detector = (*Detector)(nil)

// Detector is a registered immediate event.
type Detector struct {
	ev  ds.Event
	env detector.Env

	mu      sync.Mutex
	timer   ds.Timer
	stopped bool
}

// New builds the detector; an immediate event has nothing to validate.
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	return &Detector{ev: ev, env: env}, nil
}

// Start schedules the one fire at the clock's current time: it runs when
// the clock next runs its due timers (at once on the real clock; at the
// next Set or Advance of a virtual one).
func (d *Detector) Start(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped || d.timer != nil {
		return nil
	}
	at := d.env.Clock.Now()
	d.timer = d.env.Clock.AfterFunc(0, func() {
		d.mu.Lock()
		stopped := d.stopped
		d.stopped = true
		d.mu.Unlock()
		if !stopped {
			f := d.env.Base(d.ev, at)
			f.Payload = Fire{}
			d.env.Fire(f)
		}
	})
	return nil
}

// Stop cancels the fire if it has not happened.
func (d *Detector) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
	}
}
