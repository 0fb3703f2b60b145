package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// appletHost is what applet actions reach in the daemon: the executor
// (`cli command`), the messenger (`syslog`), the mail servers (`mail`), and
// the counters and contexts the applets share.
type appletHost struct {
	exec      executor.Executor
	messenger *message.Messenger
	mail      *emailto.Action // the call-home mail servers; nil when none
	clock     ds.Clock
	callHome  atomic.Pointer[config.CallHome]
	// transport builds the email transport of an applet's own mail
	// server; tests point it at theirs.
	transport transport.Options
	*applet.MemoryState
}

func newAppletHost(exec executor.Executor, messenger *message.Messenger, mail *emailto.Action, clock ds.Clock,
	ch *config.CallHome) *appletHost {
	h := &appletHost{exec: exec, messenger: messenger, mail: mail, clock: clock,
		transport: transport.Options{Clock: clock}, MemoryState: &applet.MemoryState{}}
	h.setCallHome(ch)
	return h
}

// setCallHome follows the running configuration's call-home settings
// (sender, reply-to, source binding) after a reload.
func (h *appletHost) setCallHome(ch *config.CallHome) { h.callHome.Store(ch) }

func (h *appletHost) CLI(ctx context.Context, command string) (string, error) {
	out, err := h.exec.Run(ctx, command)
	return out.Text, err
}

func (h *appletHost) Syslog(ctx context.Context, severity int, msg string) error {
	return h.messenger.Log(ds.Severity(severity), msg)
}

// Mail sends an applet's `mail server S to A from F …` through server S
// with sender F, as IOS does; an applet that names no server uses the
// call-home mail servers.
func (h *appletHost) Mail(ctx context.Context, m applet.Mail) error {
	to := strings.FieldsFunc(m.To+","+m.Cc, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	mail := emailto.Mail{To: to, Subject: m.Subject, Body: m.Body}
	if strings.TrimSpace(m.Server) == "" {
		if h.mail == nil {
			return errors.New("the applet names no mail server and no mail-server is configured under `call-home`")
		}
		return h.mail.Send(ctx, mail)
	}
	ch := *h.callHome.Load()
	ch.MailServers = []config.MailServer{{Address: strings.TrimSpace(m.Server), Priority: 1}}
	if m.From != "" {
		ch.SenderFrom = m.From
	}
	t, err := transport.NewEmail(&ch, h.transport)
	if err != nil {
		return fmt.Errorf("mail server %s: %w", m.Server, err)
	}
	a, err := emailto.New(t, h.clock, "")
	if err != nil {
		return err
	}
	return a.Send(ctx, mail)
}
