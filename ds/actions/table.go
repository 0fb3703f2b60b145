package actions

import (
	"context"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/callhome"
	"github.com/dsengine/dsengine/ds/actions/command"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/actions/script"
	"github.com/dsengine/dsengine/ds/engine"
)

// entry is one action type and its implementation.
type entry struct {
	typ ds.ActionType
	act action.Action
}

// table is every action type, the one list a new type is added to (with
// its package and README beside this one).
func table(scripts *script.Runner) []entry {
	return []entry{
		{ds.ActionCommand, command.Action{}},
		{ds.ActionCallHome, callhome.Action{}},
		{ds.ActionEmailTo, emailto.Action{}},
		{ds.ActionScript, script.NewAction(scripts)},
		{ds.ActionMessage, message.Action{}},
	}
}

// Table performs the actions of DS runs on one device; it is the engine's
// engine.Actions.
type Table struct {
	dev    action.Device
	byType map[ds.ActionType]action.Action
}

// New returns the table of every action type acting on dev; scripts run
// on scripts (its sandbox pool and limits).
func New(dev action.Device, scripts *script.Runner) *Table {
	t := &Table{dev: dev, byType: map[ds.ActionType]action.Action{}}
	for _, e := range table(scripts) {
		t.byType[e.typ] = e.act
	}
	return t
}

// Perform runs one action of a run on the table's device.
func (t *Table) Perform(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	act, ok := t.byType[a.Type]
	if !ok {
		return "", fmt.Errorf("unknown action type %q", a.Type)
	}
	return act.Run(ctx, run, a, t.dev)
}

// Types lists the action types, in table order.
func Types() []ds.ActionType {
	var ts []ds.ActionType
	for _, e := range table(nil) {
		ts = append(ts, e.typ)
	}
	return ts
}
