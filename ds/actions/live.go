package actions

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/actions/script"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify"
)

// ValueStore keeps small values across runs and restarts (the bootflash
// store's Value/SetValue): scripts' appl_setinfo data.
type ValueStore interface {
	Value(key string) (string, bool)
	SetValue(key, value string) error
}

// Live performs the actions for real, in the daemon.
type Live struct {
	Exec executor.Executor
	// Notify composes the call-home messages and hands them to the rate
	// limiter in front of the outbox; share it with the alert groups, so
	// that message numbers do not repeat.
	Notify    *notify.Notifier
	Mail      *emailto.Action // nil when no mail-server is configured
	Scripts   *script.Runner
	Messenger *message.Messenger
	Values    ValueStore
	Config    func() *config.Config

	mu       sync.Mutex
	contexts map[string]map[string]string
}

// Command runs a CLI command on the executor.
func (l *Live) Command(ctx context.Context, run *engine.Run, command string) (string, error) {
	out, err := l.Exec.Run(ctx, command)
	return out.Text, err
}

// CallHome sends the run's message (DSMessage) to the DS profile's
// destinations, through the rate limit and the durable outbox.
func (l *Live) CallHome(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	cfg := l.Config()
	if !cfg.ServiceCallHome {
		return "", errors.New("call-home: Call Home is disabled; enable it with `service call-home`")
	}
	p := cfg.DSProfile()
	if p == nil {
		return "", fmt.Errorf("call-home: the DS profile %q does not exist; configure it under `call-home`", cfg.DiagnosticSignature.Profile)
	}
	if !p.Active {
		return "", fmt.Errorf("call-home: the DS profile %s is not active; enable it with `active` under `profile %s`", p.Name, p.Name)
	}
	m := DSMessage(run)
	msg, err := l.Notify.Send(ctx, cfg, p, m, "")
	if err != nil {
		return "", fmt.Errorf("call-home: %w", err)
	}
	return fmt.Sprintf("queued %s/%s for profile %s (%d bytes, %s)", m.Type, m.SubType, p.Name, len(msg.Body),
		notify.ListDestinations(msg.To)), nil
}

// EmailTo mails the rendered action.
func (l *Live) EmailTo(ctx context.Context, run *engine.Run, a ds.Action, to, subject, body string) (string, error) {
	if l.Mail == nil {
		return "", errors.New("emailto: no mail-server is configured under `call-home`")
	}
	a.To, a.Subject, a.Text = to, subject, body
	if err := l.Mail.Run(ctx, a); err != nil {
		return "", err
	}
	return fmt.Sprintf("mailed %s: %q", to, subject), nil
}

// Script runs a Lua script in the sandbox, its API reaching this daemon.
func (l *Live) Script(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	host := &liveHost{l: l, run: run}
	res, err := l.Scripts.Run(ctx, script.Script{Name: ScriptName(run, a), Text: a.Text}, ScriptEnv(run), host)
	maps.Copy(run.Values, res.Vars)
	if err != nil {
		return "", fmt.Errorf("script: %w", err)
	}
	out := strings.TrimSpace(res.Output)
	if len(out) > 200 {
		out = out[:200] + "…"
	}
	return fmt.Sprintf("lua ran in %s; printed %q", res.Duration.Round(1000), out), nil
}

// Message writes the syslog entry or broadcasts to the terminals.
func (l *Live) Message(ctx context.Context, run *engine.Run, a ds.Action, text string) (string, error) {
	return l.Messenger.Run(ctx, a, text)
}

// liveHost is a script's API in the daemon.
type liveHost struct {
	l   *Live
	run *engine.Run
}

func (h *liveHost) CLIOpen(ctx context.Context) (script.CLISession, error) {
	return Session{Executor: h.l.Exec}, nil
}

func (h *liveHost) Syslog(ctx context.Context, m script.SyslogMessage) error {
	fac := m.Facility
	if fac == "" {
		fac = "HA_EM"
	}
	return h.l.Messenger.Log(m.Severity, fmt.Sprintf("%%%s-%d-LOG: %s: %s", fac, m.Severity, h.run.Sig.ID, m.Msg))
}

func (h *liveHost) SendMail(ctx context.Context, m script.Mail) error {
	if h.l.Mail == nil {
		return errors.New("no mail-server is configured under `call-home`")
	}
	return h.l.Mail.Send(ctx, emailto.Mail{To: append(m.To, m.Cc...), Subject: m.Subject, Body: m.Body})
}

func (h *liveHost) CallHome(ctx context.Context, m script.CallHomeMessage) error {
	run := *h.run
	run.Outputs = nil
	if m.Message != "" {
		run.Outputs = []engine.CommandOutput{{Command: "script " + h.run.Sig.ID, Output: m.Message}}
	}
	_, err := h.l.CallHome(ctx, &run, ds.Action{Type: ds.ActionCallHome})
	return err
}

func (h *liveHost) key(k string) string { return "appl/" + h.run.Sig.ID + "/" + k }

func (h *liveHost) ApplGet(ctx context.Context, key string) (string, bool, error) {
	v, ok := h.l.Values.Value(h.key(key))
	return v, ok, nil
}

func (h *liveHost) ApplSet(ctx context.Context, key, data string) error {
	return h.l.Values.SetValue(h.key(key), data)
}

func (h *liveHost) ContextSave(ctx context.Context, name string, v map[string]string) error {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	if h.l.contexts == nil {
		h.l.contexts = map[string]map[string]string{}
	}
	h.l.contexts[name] = maps.Clone(v)
	return nil
}

func (h *liveHost) ContextRetrieve(ctx context.Context, name string) (map[string]string, bool, error) {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	v, ok := h.l.contexts[name]
	delete(h.l.contexts, name)
	return v, ok, nil
}
