package command

import (
	_ "embed"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
)

//go:embed README.md
var readme string

// Descriptor describes the command action to the action table.
var Descriptor = action.Descriptor{
	Type:    ds.ActionCommand,
	Summary: "runs one CLI command; its output joins the run's call-home and emailto actions",
	README:  readme,
	Attrs:   []action.Attr{{Name: "timeout", Doc: "optional: the command's own time limit, a Go duration (30s)"}},
	Parse: func(a action.Attrs, act *ds.Action) {
		act.Text = strings.TrimSpace(a.Text())
		if act.Text == "" {
			a.ElemErrorf("%s needs the command as its text, such as show version", a.What())
		}
		act.Timeout = action.Timeout(a)
	},
	New:  func(action.Deps) action.Action { return Action{} },
	Show: func(a ds.Action, _ *ds.Signature, _ string) string { return action.OneLine(a.Text) },
}
