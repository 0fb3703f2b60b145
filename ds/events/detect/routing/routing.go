package routing

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The Hub feeds the detector the route changes the host's sources publish.
var _ detector.HostInput = (*Detector)(nil)

// Detector is a registered `event routing`. It implements
// detector.HostInput.
type Detector struct {
	ev      ds.Event
	env     detector.Env
	spec    spec
	stopped atomic.Bool
}

// New reads the event's EEM line (the network, ge, le, type and protocol
// it asks for).
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	s, err := parseSpec(ev.EEMLine)
	if err != nil {
		return nil, fmt.Errorf("routing event %s: %w", ev.ID, err)
	}
	return &Detector{ev: ev, env: env, spec: s}, nil
}

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting.
func (d *Detector) Stop() { d.stopped.Store(true) }

// HostEvent fires on a Change the event's line matches; it ignores other
// events.
func (d *Detector) HostEvent(e detector.HostEvent) {
	c, ok := e.(Change)
	if !ok || d.stopped.Load() || !d.spec.matches(c) {
		return
	}
	f := d.env.Base(d.ev, c.Time)
	f.Payload = Fire{Change: c}
	d.env.Fire(f)
}

// matches is IOS's prefix-list rule: the route lies within the network,
// and its length is the network's when the line has neither ge nor le,
// else from ge (default the network's length) to le (default the
// address's).
func (s spec) matches(c Change) bool {
	if s.typ != typeAll && s.typ != c.Type {
		return false
	}
	if s.protocol != "all" && s.protocol != c.Protocol {
		return false
	}
	n := c.Network
	if n.Addr().Is4() != s.network.Addr().Is4() || n.Bits() < s.network.Bits() || !s.network.Contains(n.Addr()) {
		return false
	}
	if s.ge < 0 && s.le < 0 {
		return n.Bits() == s.network.Bits()
	}
	lo, hi := s.network.Bits(), n.Addr().BitLen()
	if s.ge >= 0 {
		lo = s.ge
	}
	if s.le >= 0 {
		hi = s.le
	}
	return n.Bits() >= lo && n.Bits() <= hi
}
