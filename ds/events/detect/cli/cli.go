package cli

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/internal/occurs"
)

// The Hub finds the detector's input through this interface.
var _ detector.CLIInput = (*Detector)(nil)

// Detector is a registered cli event. It implements detector.CLIInput.
type Detector struct {
	ev  ds.Event
	env detector.Env
	re  *regexp.Regexp

	mu      sync.Mutex
	win     *occurs.Window
	stopped bool
}

// New validates ev: the pattern must compile once ${ds_x} is filled in.
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	if ev.Pattern == "" {
		return nil, fmt.Errorf("cli event %s: no pattern", ev.ID)
	}
	re, err := detector.CompilePattern(ev.Pattern, env.Vars)
	if err != nil {
		return nil, fmt.Errorf("cli event %s: %w", ev.ID, err)
	}
	return &Detector{ev: ev, env: env, re: re, win: occurs.New(ev.Occurs, ev.Period)}, nil
}

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting.
func (d *Detector) Stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
}

// CLI counts a command the pattern matches and fires when the count
// completes within the period; Fire.Command is the command and the
// capture groups are ds_syslog_1 … as for syslog patterns.
func (d *Detector) CLI(at time.Time, command string) {
	groups := d.re.FindStringSubmatch(command)
	if groups == nil {
		return
	}
	d.mu.Lock()
	if d.stopped || !d.win.Add(at) {
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	f := d.env.Base(d.ev, at)
	f.Count = max(d.ev.Occurs, 1)
	p := Fire{Command: command}
	if len(groups) > 1 {
		p.Values = detector.GroupVars(make(map[string]string, len(groups)-1), groups)
	}
	f.Payload = p
	d.env.Fire(f)
}
