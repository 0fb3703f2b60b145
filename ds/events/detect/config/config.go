package config

import (
	"context"
	"fmt"
	"regexp"
	"sync/atomic"

	"github.com/dsengine/dsengine/internal/lazyre"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The Hub finds the detector's inputs through these interfaces: the
// configuration messages in the syslog index, and file changes.
var (
	_ detector.ConfigInput = (*Detector)(nil)
	_ detector.SyslogInput = (*Detector)(nil)
)

// messages finds the messages IsChange accepts in the Hub's syslog index.
var messages = regexp.MustCompile(`^%SYS-(?:[A-Z0-9_]+-)*[0-7]-CONFIG_[IP]\b`)

// Detector is a registered config event. It implements
// detector.ConfigInput and detector.SyslogInput.
type Detector struct {
	ev      ds.Event
	env     detector.Env
	re      *lazyre.Regexp // nil: every change
	stopped atomic.Bool
}

// New validates ev: the pattern, if any, must compile once ${ds_x} is
// filled in.
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	d := &Detector{ev: ev, env: env}
	if ev.Pattern != "" {
		re, err := detector.CompilePattern(ev.Pattern, env.Vars)
		if err != nil {
			return nil, fmt.Errorf("config event %s: %w", ev.ID, err)
		}
		d.re = re
	}
	return d, nil
}

// Start does nothing: the Hub feeds the detector.
func (d *Detector) Start(context.Context) error { return nil }

// Stop ends detecting.
func (d *Detector) Stop() { d.stopped.Store(true) }

// Regexp finds the configuration messages in the Hub's syslog index.
func (d *Detector) Regexp() *lazyre.Regexp { return messagePattern }

// messagePattern is messages for the hub's index.
var messagePattern = lazyre.Of(messages)

// Syslog reads a configuration change from a message the index found: its
// text is the change line ("Configured from console by admin on vty0").
func (d *Detector) Syslog(m *events.Message) {
	if IsChange(m) {
		d.ConfigChange(detector.ConfigChange{Time: d.env.Clock.Now(), Line: m.Text, Host: m.Host, Message: m})
	}
}

// ConfigChange fires when the change line matches the pattern (or there
// is none). Its Fire holds the syslog variables when a message reported
// the change, and ds_syslog_1 … for the pattern's capture groups.
func (d *Detector) ConfigChange(c detector.ConfigChange) {
	if d.stopped.Load() {
		return
	}
	var groups []string
	if d.re != nil {
		if groups = d.re.FindStringSubmatch(c.Line); groups == nil {
			return
		}
	}
	f := d.env.Base(d.ev, c.Time)
	p := Fire{Line: c.Line, Path: c.Path}
	if c.Host != "" {
		f.Host = c.Host
	}
	if c.Message != nil {
		m := c.Message.Clone()
		f.Message = &m
		p.Values = detector.SyslogVars(&m, groups)
	} else if len(groups) > 1 {
		p.Values = detector.GroupVars(make(map[string]string, len(groups)-1), groups)
	}
	f.Payload = p
	d.env.Fire(f)
}

// IsChange reports whether m is a configuration-change message:
// %SYS-5-CONFIG_I (from the CLI) or %SYS-5-CONFIG_P (programmatically,
// NETCONF/RESTCONF).
func IsChange(m *events.Message) bool {
	return m.Facility == "SYS" && (m.Mnemonic == "CONFIG_I" || m.Mnemonic == "CONFIG_P")
}

// FileLine is the change line of a file modified on disk.
func FileLine(path string) string { return "file " + path + " changed" }
