package actions

import (
	"context"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/types"
	"github.com/dsengine/dsengine/ds/engine"
)

// Table performs the actions of DS runs on one device, each through its
// type's Action (ds/actions/types); it is the engine's engine.Actions.
type Table struct {
	dev    action.Device
	byType map[ds.ActionType]action.Action
}

// New returns the table of every action type acting on dev.
func New(dev action.Device, deps action.Deps) *Table {
	t := &Table{dev: dev, byType: map[ds.ActionType]action.Action{}}
	for _, d := range types.All() {
		t.byType[d.Type] = d.New(deps)
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
