package none

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The Hub finds the detector's input through this interface.
var _ detector.Runner = (*Detector)(nil)

// Detector is a registered `event none`. It implements detector.Runner.
type Detector struct {
	ev      ds.Event
	env     detector.Env
	stopped atomic.Bool
}

// New builds the detector; `event none` has nothing to validate.
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	return &Detector{ev: ev, env: env}, nil
}

// Start does nothing: the detector fires only through Run.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends the registration.
func (d *Detector) Stop() { d.stopped.Store(true) }

// Run fires the event at the given time with the run's arguments (EEM's
// $_none_argc and $_none_arg1 … come from Fire.Args).
func (d *Detector) Run(at time.Time, args []string) {
	if d.stopped.Load() {
		return
	}
	f := d.env.Base(d.ev, at)
	f.Payload = Fire{Args: append([]string(nil), args...)}
	d.env.Fire(f)
}
