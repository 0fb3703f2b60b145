package nd

import (
	"context"
	"fmt"
	"regexp"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The Hub feeds the detector the Changes a source publishes.
var _ detector.HostInput = (*Detector)(nil)

// Detector is a registered neighbor-discovery event.
type Detector struct {
	ev      ds.Event
	env     detector.Env
	intf    *regexp.Regexp
	s       spec
	stopped atomic.Bool
}

// ErrCDP refuses `cdp`: Linux has no CDP of its own; lldpd speaks it only
// when started with -c, and `source lldp` says so with its cdp argument.
var ErrCDP = fmt.Errorf("refused: cdp neighbours come only from lldpd started with -c and a `source lldp cdp` line in the dsengine block; " +
	"use lldp add|delete|update|all, or enable CDP in lldpd and say so on the source line")

// New reads the event's line back (its interface pattern, its protocols
// and notifications). A line naming cdp is refused unless env.CDP says
// the host's lldp source reports CDP neighbours.
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	if ev.EEMLine == "" {
		return nil, fmt.Errorf("neighbor-discovery event %s: only an EEM line names this event", ev.ID)
	}
	s, re, err := specOf(ev)
	if err != nil {
		return nil, fmt.Errorf("neighbor-discovery event %s: %w", ev.ID, err)
	}
	if s.cdp != "" && (env.CDP == nil || !env.CDP()) {
		return nil, fmt.Errorf("neighbor-discovery event %s: %w", ev.ID, ErrCDP)
	}
	return &Detector{ev: ev, env: env, intf: re, s: s}, nil
}

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting.
func (d *Detector) Stop() { d.stopped.Store(true) }

// HostEvent fires on a Change of a protocol and notification the line
// names, on an interface its pattern matches.
func (d *Detector) HostEvent(e detector.HostEvent) {
	c, ok := e.(Change)
	if !ok || d.stopped.Load() {
		return
	}
	want := d.s.lldp
	if c.Protocol == ProtocolCDP {
		want = d.s.cdp
	}
	if want == "" || want != "all" && want != c.Notification || !d.intf.MatchString(c.Interface) {
		return
	}
	f := d.env.Base(d.ev, c.Time)
	f.Payload = Fire{c}
	d.env.Fire(f)
}
