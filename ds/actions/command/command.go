// Package command runs the DS command action: one CLI command, its
// ${ds_x} variables rendered, on the device's executor. Its output is kept
// for the call-home and emailto actions that follow it in the run.
package command

import (
	"context"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/internal/english"
)

// Action is the command action.
type Action struct{}

// Run renders the command, runs it, and keeps its output (or its error)
// in the run.
func (Action) Run(ctx context.Context, run *engine.Run, a ds.Action, dev action.Device) (string, error) {
	cmd, err := action.Render(ctx, run, dev, string(a.Type), a.Text)
	if err != nil {
		return "", err
	}
	runCtx := ctx
	if d := action.TimeoutOf(a); d > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	out, err := dev.Command(runCtx, cmd)
	co := engine.CommandOutput{Command: cmd, Output: out}
	if err != nil {
		co.Err = err.Error()
	}
	run.Outputs = append(run.Outputs, co)
	if err != nil {
		return "", fmt.Errorf("command %q: %w", cmd, err)
	}
	return fmt.Sprintf("%s (%s)", cmd, english.Plural(strings.Count(out, "\n"), "line")), nil
}
