package script

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	dscallhome "github.com/dsengine/dsengine/ds/actions/callhome"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/internal/english"
)

// Action is the script action: the Lua of the DS, run in the sandbox with
// the EEM policy API acting on the device.
type Action struct{ runner *Runner }

// NewAction returns the script action running on runner (its pool of
// sandboxed states and its limits).
func NewAction(runner *Runner) Action { return Action{runner: runner} }

// Run resolves the DS's regex variables (a script reads them itself),
// runs the script, and keeps the variables it set for the actions after
// it. The result says what the script did on the device and printed. A
// script that ends the run (ds_stop, return false) returns its result
// with an *engine.SuppressError.
func (a Action) Run(ctx context.Context, run *engine.Run, act ds.Action, dev action.Device) (string, error) {
	if err := action.ResolveAllRegex(ctx, run, dev); err != nil {
		return "", err
	}
	host := &deviceHost{dev: dev, run: run}
	res, err := a.runner.Run(ctx, Source(run, act), RunEnv(run), host)
	maps.Copy(run.Values(), res.Vars)
	did := host.did
	if len(did) > maxNotes {
		did = append(did[:maxNotes:maxNotes], fmt.Sprintf("and %d more", len(host.did)-maxNotes))
	}
	detail := english.Cut(strings.Join(did, "; "), maxDetail)
	if out := strings.TrimSpace(res.Output); out != "" {
		if len(out) > 200 {
			out = out[:200] + "…"
		}
		detail = strings.TrimPrefix(detail+"; printed "+fmt.Sprintf("%q", out), "; ")
	}
	if detail == "" {
		detail = "ran"
	}
	if err != nil {
		return "", fmt.Errorf("script: %w (%s)", err, detail)
	}
	if res.Stopped {
		// The engine ends the run after this action and counts it suppressed.
		return "lua: " + detail, &engine.SuppressError{Reason: res.StopReason}
	}
	return "lua: " + detail, nil
}

// The result line of a script action says what its first maxNotes calls
// did, in at most maxDetail bytes: it is logged and kept in the DS's
// statistics.
const (
	maxNotes  = 8
	maxDetail = 1024
)

// Source is the Script of a script action: its errors name the DS file's
// lines.
func Source(run *engine.Run, act ds.Action) Script {
	at := act.TextPos
	if at.Line == 0 {
		at = act.Pos
	}
	return Script{Name: Name(run, act), Text: act.Text, Timeout: action.TimeoutOf(act), File: at.File, Line: at.Line}
}

// RunEnv is what a script of the run sees: the variables and the events
// that triggered it.
func RunEnv(run *engine.Run) Env {
	env := Env{Vars: run.Values()}
	for i, ev := range run.Trigger.Events {
		info := EventInfo{ID: i + 1, Tag: ev.ID, Type: ev.Type, Time: ev.Time, Msg: ev.Text, Fields: ev.Info}
		env.Events = append(env.Events, info)
		env.Event = info
	}
	return env
}

// Name names a script action in errors: "<ds id>#<action number>".
func Name(run *engine.Run, a ds.Action) string {
	for i := range run.Sig.Actions {
		if run.Sig.Actions[i] == a {
			return run.Sig.ID + "#" + strconv.Itoa(i+1)
		}
	}
	return run.Sig.ID
}

// deviceHost is the script API on a device; it notes what each call did.
type deviceHost struct {
	dev action.Device
	run *engine.Run
	did []string
}

func (h *deviceHost) note(what string, err error) error {
	if err == nil && what != "" {
		h.did = append(h.did, what)
	}
	return err
}

func (h *deviceHost) CLIOpen(ctx context.Context) (CLISession, error) {
	return session{dev: h.dev}, nil
}

func (h *deviceHost) Syslog(ctx context.Context, m SyslogMessage) error {
	fac := m.Facility
	if fac == "" {
		fac = "HA_EM"
	}
	return h.note(h.dev.Log(ctx, m.Severity, fmt.Sprintf("%%%s-%d-LOG: %s: %s", fac, m.Severity, h.run.Sig.ID, m.Msg)))
}

func (h *deviceHost) SendMail(ctx context.Context, m Mail) error {
	return h.note(h.dev.Mail(ctx, action.Mail{Servers: m.Servers, From: m.From, To: append(m.To, m.Cc...),
		Subject: m.Subject, Body: m.Body}))
}

// CallHome sends the DS's call-home message with what the script asked
// for: its description and severity, the commands it ran (outputs =
// true), then its message as one more attachment.
func (h *deviceHost) CallHome(ctx context.Context, m CallHomeMessage) error {
	run := *h.run
	run.Outputs = m.Outputs
	if m.Message != "" {
		run.Outputs = append(run.Outputs, engine.CommandOutput{Command: "script " + h.run.Sig.ID, Output: m.Message})
	}
	msg := dscallhome.Message(&run)
	msg.Severity = m.Severity
	if m.Description != "" {
		msg.Description = m.Description
	}
	return h.note(h.dev.CallHome(ctx, msg))
}

// applKey keeps each DS's appl_setinfo data apart.
func (h *deviceHost) applKey(k string) string { return "appl/" + h.run.Sig.ID + "/" + k }

func (h *deviceHost) ApplGet(ctx context.Context, key string) (string, bool, error) {
	return h.dev.Value(ctx, h.applKey(key))
}

func (h *deviceHost) ApplSet(ctx context.Context, key, data string) error {
	return h.dev.SetValue(ctx, h.applKey(key), data)
}

func (h *deviceHost) ContextSave(ctx context.Context, name string, v map[string]string) error {
	return h.dev.SaveContext(ctx, name, v)
}

func (h *deviceHost) ContextRetrieve(ctx context.Context, name string) (map[string]string, bool, error) {
	return h.dev.RetrieveContext(ctx, name)
}

// session is a script's CLI session on the device (cli_open).
type session struct{ dev action.Device }

func (s session) Exec(ctx context.Context, cmd string) (string, error) {
	return s.dev.Command(ctx, cmd)
}

// Close ends the session; the device's executor stays open for other runs.
func (session) Close() error { return nil }
