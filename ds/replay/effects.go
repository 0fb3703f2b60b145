package replay

import (
	"context"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/internal/english"
)

// scriptKey marks the context of a script action with its *scriptRun, so
// that the device reports each call the script makes on it as its own
// record: a script's one result line would hide which command or mail did
// what.
type scriptKey struct{}

type scriptRun struct {
	run   *engine.Run
	calls int
}

// markScripts performs the actions, marking the script actions' contexts.
type markScripts struct{ engine.Actions }

// Perform runs a; a script's result, whose calls are reported on their
// own lines, then says how many there were and what it printed.
func (m markScripts) Perform(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	if a.Type != ds.ActionScript {
		return m.Actions.Perform(ctx, run, a)
	}
	sr := &scriptRun{run: run}
	res, err := m.Actions.Perform(context.WithValue(ctx, scriptKey{}, sr), run, a)
	if err != nil || sr.calls == 0 {
		return res, err
	}
	sum := fmt.Sprintf("lua: ran, %s above", english.Plural(sr.calls, "call"))
	if i := strings.LastIndex(res, printed); i >= 0 {
		sum += "; " + res[i+2:]
	}
	return sum, nil
}

// printed starts the part of a script's result that holds its output.
const printed = "; printed \""

// effects is the dry device that reports, as records named after the
// script API call, what a script does on it.
type effects struct {
	*actions.Dry
	clock  ds.Clock
	report func(engine.Record)
}

var _ action.Device = (*effects)(nil)

func (d *effects) note(ctx context.Context, call, detail string, err error) {
	sr, ok := ctx.Value(scriptKey{}).(*scriptRun)
	if !ok {
		return
	}
	sr.calls++
	rec := engine.Record{Time: d.clock.Now(), DS: sr.run.Sig.ID, Kind: "action", Type: call, Detail: detail}
	if err != nil {
		rec.Kind, rec.Detail, rec.Failed = "error", err.Error(), true
	}
	d.report(rec)
}

// Command reports a script's cli_exec (or cli_run, or a regex variable's
// command) as the command action does.
func (d *effects) Command(ctx context.Context, command string) (string, error) {
	out, err := d.Dry.Command(ctx, command)
	d.note(ctx, "cli_exec", fmt.Sprintf("%s (%s)", command, english.Plural(strings.Count(out, "\n"), "line")), err)
	return out, err
}

func (d *effects) Log(ctx context.Context, sev ds.Severity, line string) (string, error) {
	res, err := d.Dry.Log(ctx, sev, line)
	d.note(ctx, "action_syslog", res, err)
	return res, err
}

func (d *effects) Broadcast(ctx context.Context, text string) (string, error) {
	res, err := d.Dry.Broadcast(ctx, text)
	d.note(ctx, "broadcast", res, err)
	return res, err
}

func (d *effects) Mail(ctx context.Context, m action.Mail) (string, error) {
	res, err := d.Dry.Mail(ctx, m)
	d.note(ctx, "smtp_send_email", res, err)
	return res, err
}

func (d *effects) CallHome(ctx context.Context, m *callhome.Message) (string, error) {
	res, err := d.Dry.CallHome(ctx, m)
	d.note(ctx, "call_home_send", res, err)
	return res, err
}
