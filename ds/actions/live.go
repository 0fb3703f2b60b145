package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// ValueStore keeps small values across runs and restarts (the bootflash
// store's Value/SetValue): scripts' appl_setinfo data.
type ValueStore interface {
	Value(key string) (string, bool)
	SetValue(key, value string) error
}

// Live is the device for real, in the daemon: commands on the executor,
// syslog through the messenger, mail through the mail servers, call-home
// through the notifier, values in the store.
type Live struct {
	Exec executor.Executor
	// Notify composes the call-home messages and hands them to the rate
	// limiter in front of the outbox; share it with the alert groups, so
	// that message numbers do not repeat.
	Notify    *notify.Notifier
	Messenger *message.Messenger
	Values    ValueStore
	Config    func() *config.Config
	Clock     ds.Clock
	// Transport builds the email transport of a mail that names its own
	// servers (an applet's `mail server`, a script's Mailservername:).
	Transport transport.Options
	// Contexts are the variables runs save for other runs, capped per
	// DS and applet.
	Contexts Contexts

	mailer atomic.Pointer[emailto.Sender] // the call-home mail servers; nil when none is configured
}

// SetMailer sets the sender through the call-home mail servers (nil when
// none is configured); a reloaded configuration swaps it.
func (l *Live) SetMailer(s *emailto.Sender) { l.mailer.Store(s) }

var _ action.Device = (*Live)(nil)

// Command runs a CLI command on the executor.
func (l *Live) Command(ctx context.Context, command string) (string, error) {
	out, err := l.Exec.Run(ctx, command)
	return out.Text, err
}

// Log writes the syslog line; the detectors see it too, marked with the
// origin of ctx's run.
func (l *Live) Log(ctx context.Context, sev ds.Severity, line string) (string, error) {
	if err := l.Messenger.Log(ctx, sev, line); err != nil {
		return "", err
	}
	return "logged " + line, nil
}

// Broadcast writes to the logged-in terminals.
func (l *Live) Broadcast(ctx context.Context, text string) (string, error) {
	if err := l.Messenger.Broadcast(ctx, text); err != nil {
		return "", err
	}
	return "broadcast to terminals", nil
}

// Mail sends m through its own servers when it names some, else through
// the call-home mail servers.
func (l *Live) Mail(ctx context.Context, m action.Mail) (string, error) {
	mail := emailto.Mail{To: m.To, Subject: m.Subject, Body: m.Body, Outputs: m.Outputs}
	if l.Config != nil {
		if p := l.Config().DSProfile(); p != nil {
			mail.SizeLimit = p.MessageSizeLimit
		}
	}
	sender := l.mailer.Load()
	if len(m.Servers) > 0 {
		ch := l.Config().CallHome
		ch.MailServers = nil
		for i, s := range m.Servers {
			ch.MailServers = append(ch.MailServers, config.MailServer{Address: s, Priority: i + 1})
		}
		if m.From != "" {
			ch.SenderFrom = m.From
		}
		opts := l.Transport
		if opts.Clock == nil {
			opts.Clock = l.Clock
		}
		t, err := transport.NewEmail(&ch, opts)
		if err != nil {
			return "", fmt.Errorf("mail server %s: %w", strings.Join(m.Servers, ", "), err)
		}
		if sender, err = emailto.NewSender(t, l.Clock); err != nil {
			return "", err
		}
	}
	if sender == nil {
		return "", errors.New("no mail server: name one, or configure `mail-server` under `call-home`")
	}
	if err := sender.Send(ctx, mail); err != nil {
		return "", err
	}
	return fmt.Sprintf("mailed %s: %q", strings.Join(m.To, ", "), m.Subject), nil
}

// CallHome sends m to the DS profile's destinations, through the rate
// limit and the durable outbox.
func (l *Live) CallHome(ctx context.Context, m *callhome.Message) (string, error) {
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
	msg, err := l.Notify.Send(ctx, cfg, p, m, "")
	if err != nil {
		return "", fmt.Errorf("call-home: %w", err)
	}
	return fmt.Sprintf("queued %s/%s for profile %s (%d bytes, %s)", m.Type, m.SubType, p.Name, len(msg.Body),
		notify.ListDestinations(msg.To)), nil
}

// Value reads a value kept in the store.
func (l *Live) Value(ctx context.Context, key string) (string, bool, error) {
	v, ok := l.Values.Value(key)
	return v, ok, nil
}

// SetValue keeps a value in the store.
func (l *Live) SetValue(ctx context.Context, key, value string) error {
	return l.Values.SetValue(key, value)
}

// SaveContext keeps variables in memory for another run, charged to the
// DS or applet of ctx's run and refused over its caps (Contexts).
func (l *Live) SaveContext(ctx context.Context, name string, v map[string]string) error {
	return l.Contexts.Save(ctx, name, v)
}

// RetrieveContext returns saved variables once.
func (l *Live) RetrieveContext(ctx context.Context, name string) (map[string]string, bool, error) {
	v, ok := l.Contexts.Retrieve(name)
	return v, ok, nil
}

// ContextStats count the contexts saved and refused at a cap.
func (l *Live) ContextStats() ContextStats { return l.Contexts.Stats() }
