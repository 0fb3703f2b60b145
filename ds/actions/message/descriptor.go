package message

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
)

//go:embed README.md
var readme string

// Descriptor describes the message action to the action table.
var Descriptor = action.Descriptor{
	Type:    ds.ActionMessage,
	Summary: "logs %DS-<sev>-MSG: text to syslog, or broadcasts the text to the terminals",
	README:  readme,
	Attrs: []action.Attr{
		{Name: "to", Doc: "optional: syslog (default) or terminals"},
		{Name: "severity", Doc: "optional: 0-7 or its IOS keyword (emergencies … debugging); default 5, notifications"},
	},
	Parse: func(a action.Attrs, act *ds.Action) {
		act.Text = strings.TrimSpace(a.Text())
		act.To = a.OneOf("to", "syslog", "syslog", "terminals")
		act.Severity = 5
		if v, ok := a.Get("severity"); ok {
			sev, known := ds.ParseSeverity(v)
			if !known || sev == ds.SeverityAny {
				a.Errorf("severity", "severity %q is not emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7", a.Clip(v))
			} else {
				act.Severity = sev
			}
		}
		if act.Text == "" {
			a.ElemErrorf("%s needs the message as its text", a.What())
		}
	},
	New: func(action.Deps) action.Action { return Action{} },
	Show: func(a ds.Action, _ *ds.Signature, _ string) string {
		return fmt.Sprintf("to %s (%s): %s", a.To, a.Severity, action.OneLine(a.Text))
	},
}
