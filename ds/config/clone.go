package config

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of c: changing the copy leaves c as it was.
func (c *Config) Clone() *Config {
	n := *c
	ch := &n.CallHome
	ch.MailServers = slices.Clone(c.CallHome.MailServers)
	if c.CallHome.HTTPProxy != nil {
		p := *c.CallHome.HTTPProxy
		ch.HTTPProxy = &p
	}
	ch.AlertGroups = maps.Clone(c.CallHome.AlertGroups)
	ch.SnapshotCommands = slices.Clone(c.CallHome.SnapshotCommands)
	if r := c.CallHome.Reporting; r != nil {
		rc := *r
		if r.HTTPProxy != nil {
			p := *r.HTTPProxy
			rc.HTTPProxy = &p
		}
		ch.Reporting = &rc
	}
	ch.Profiles = cloneEach(c.CallHome.Profiles, (*Profile).Clone)
	d := &n.DiagnosticSignature
	d.Environment = slices.Clone(c.DiagnosticSignature.Environment)
	d.TrustKeys = slices.Clone(c.DiagnosticSignature.TrustKeys)
	d.CommandMap = slices.Clone(c.DiagnosticSignature.CommandMap)
	n.Tracks = slices.Clone(c.Tracks)
	n.IPSLAs = slices.Clone(c.IPSLAs)
	for i, s := range n.IPSLAs {
		if s.Schedule != nil {
			sc := *s.Schedule
			n.IPSLAs[i].Schedule = &sc
		}
	}
	n.EventManager.Environment = slices.Clone(c.EventManager.Environment)
	n.EventManager.Applets = cloneEach(c.EventManager.Applets, (*Applet).Clone)
	h := &n.Host
	h.SyslogListen = slices.Clone(c.Host.SyslogListen)
	h.SyslogFiles = slices.Clone(c.Host.SyslogFiles)
	h.WatchFiles = slices.Clone(c.Host.WatchFiles)
	h.SNMP = c.Host.SNMP.Clone()
	n.Warnings = slices.Clone(c.Warnings)
	return &n
}

// Clone returns a deep copy of the applet.
func (a *Applet) Clone() *Applet {
	n := *a
	n.Events = slices.Clone(a.Events)
	if a.Trigger != nil {
		t := *a.Trigger
		n.Trigger = &t
	}
	if a.TriggerBlock != nil {
		t := *a.TriggerBlock
		t.Correlate = slices.Clone(t.Correlate)
		t.Attributes = slices.Clone(t.Attributes)
		n.TriggerBlock = &t
	}
	n.Actions = slices.Clone(a.Actions)
	for i := range n.Actions {
		n.Actions[i].Args = slices.Clone(n.Actions[i].Args)
	}
	return &n
}

// cloneEach deep-copies a list, nil staying nil.
func cloneEach[T any](list []*T, clone func(*T) *T) []*T {
	if list == nil {
		return nil
	}
	c := make([]*T, len(list))
	for i, x := range list {
		c[i] = clone(x)
	}
	return c
}
