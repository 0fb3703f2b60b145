package syslog

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/dsengine/dsengine/internal/lazyre"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/internal/occurs"
)

// The Hub finds the detector's input through this interface.
var _ detector.SyslogInput = (*Detector)(nil)

// Detector is a registered syslog event. It implements
// detector.SyslogInput.
type Detector struct {
	ev  ds.Event
	env detector.Env
	re  *lazyre.Regexp

	mu      sync.Mutex
	win     *occurs.Window
	stopped atomic.Bool
}

// New validates ev and builds its detector: the pattern, with ${ds_x}
// filled in from env.Vars, must compile; occurs below 1 counts as 1.
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	if ev.Pattern == "" {
		return nil, fmt.Errorf("syslog event %s: no pattern", ev.ID)
	}
	re, err := detector.CompilePattern(ev.Pattern, env.Vars)
	if err != nil {
		return nil, fmt.Errorf("syslog event %s: %w", ev.ID, err)
	}
	if ev.Period < 0 {
		return nil, fmt.Errorf("syslog event %s: negative period", ev.ID)
	}
	return &Detector{ev: ev, env: env, re: re, win: occurs.New(ev.Occurs, ev.Period)}, nil
}

// Regexp returns the pattern as registered, with variables filled in.
func (d *Detector) Regexp() *lazyre.Regexp { return d.re }

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting.
func (d *Detector) Stop() { d.stopped.Store(true) }

// Syslog counts a message the pattern matches, if its severity passes the
// threshold, and fires when the count completes within the period (the
// Hub drops fires within the event's ratelimit). The time is the clock's,
// so a replay that sets the clock to each line's time counts in the log's
// time.
func (d *Detector) Syslog(m *events.Message) {
	// A wrapped message (%IOSXE-6-PLATFORM: … %FW-3-…) passes on either
	// tag's severity: the pattern may be written for the inner one.
	if !d.ev.Severity.Admits(m.Severity) && (m.Inner.Tag == "" || !d.ev.Severity.Admits(m.Inner.Severity)) {
		return
	}
	now := d.env.Clock.Now()
	d.mu.Lock()
	if d.stopped.Load() || !d.win.Add(now) {
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()

	f := d.env.Base(d.ev, now)
	f.Count = max(d.ev.Occurs, 1)
	msg := m.Clone()
	f.Message = &msg
	if msg.Host != "" {
		f.Host = msg.Host
	}
	// The index has matched the pattern: only its groups are wanted, and
	// a pattern without any (most are) needs no second run, nor for a
	// literal pattern a compiled program at all.
	var groups []string
	if d.re.NumSubexp() > 0 {
		groups = d.re.FindStringSubmatch(msg.Body)
	}
	values := detector.SyslogVars(&msg, groups)
	// Named captures, (?P<nbr>\S+), are ds_syslog_nbr too.
	for i, name := range d.re.SubexpNames() {
		if name != "" && i < len(groups) {
			values["ds_syslog_"+name] = groups[i]
		}
	}
	f.Payload = Fire{Values: values}
	if !d.stopped.Load() { // again: building f took a while
		d.env.Fire(f)
	}
}
