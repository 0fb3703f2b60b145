package cli

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/internal/occurs"
	"github.com/dsengine/dsengine/ds/parse/eem"
	"github.com/dsengine/dsengine/internal/lazyre"
)

// The Hub finds the detector's input through this interface.
var _ detector.CLIInput = (*Detector)(nil)

// Detector is a registered cli event. It implements detector.CLIInput.
type Detector struct {
	ev  ds.Event
	env detector.Env
	re  *lazyre.Regexp
	// sync and skip are the line's `sync yes` and `skip yes`.
	sync, skip bool

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
	d := &Detector{ev: ev, env: env, re: re, win: occurs.New(ev.Occurs, ev.Period)}
	d.sync, d.skip = syncSkip(ev.EEMLine)
	return d, nil
}

// syncSkip reads `sync yes` and `skip yes` from an EEM event line; the
// event model keeps the line rather than every type's options.
func syncSkip(line string) (sync, skip bool) {
	f, err := eem.Fields(line)
	if err != nil {
		return false, false
	}
	for i := 0; i+1 < len(f); i++ {
		if f[i].Quoted || f[i+1].Quoted {
			continue
		}
		switch f[i].Text {
		case "sync":
			sync = f[i+1].Text == "yes"
		case "skip":
			skip = f[i+1].Text == "yes"
		}
	}
	return sync, skip
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
// capture groups are ds_syslog_1 … as for syslog patterns. With sync yes
// the event is not fired but returned in the verdict, for the caller to
// run the applet and wait; with skip yes the verdict blocks the command.
func (d *Detector) CLI(at time.Time, command string) detector.CLIVerdict {
	groups := d.re.FindStringSubmatch(command)
	if groups == nil {
		return detector.CLIVerdict{}
	}
	d.mu.Lock()
	if d.stopped || !d.win.Add(at) {
		d.mu.Unlock()
		return detector.CLIVerdict{}
	}
	d.mu.Unlock()
	f := d.env.Base(d.ev, at)
	f.Count = max(d.ev.Occurs, 1)
	p := Fire{Command: command}
	if len(groups) > 1 {
		p.Values = detector.GroupVars(make(map[string]string, len(groups)-1), groups)
	}
	f.Payload = p
	if d.sync {
		return detector.CLIVerdict{Skip: d.skip, Sync: &f}
	}
	d.env.Fire(f)
	return detector.CLIVerdict{Skip: d.skip}
}
