// Package emailto runs the DS emailto action: one mail with the action's
// subject and text, and the outputs of the run's command actions so far
// (Compose), to its addresses, sent through the call-home mail servers
// with the email transport's failover.
//
// The action reads, once ${ds_x} variables are rendered:
//
//	<Action type="emailto" to="noc@example.com, oncall@example.com" subject="${ds_hostname}: DS ${ds_signature_id}">
//	  Interface ${ds_intf} went down 3 times in 60 s.
//	</Action>
//
// to: comma-separated addresses (required); subject: the mail subject
// (optional; "Diagnostic signature notification from HOST" if empty); the
// element's text is the body. From, Reply-To and the mail servers are the
// call-home ones ("sender from" or "contact-email-addr", "sender reply-to",
// "mail-server ... priority N").
//
// The mail is sent at once, without the outbox: like EEM's "action mail",
// the action succeeds or fails when it runs, and its error says whether a
// later run could succeed (transport.Retryable).
package emailto

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	dscallhome "github.com/dsengine/dsengine/ds/actions/callhome"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// Sender sends mails through one email transport: the call-home mail
// servers with their failover, or an applet's own server.
type Sender struct {
	sender transport.Transport
	clock  ds.Clock
}

// NewSender returns a Sender over sender, the email transport
// (transport.NewEmail).
func NewSender(sender transport.Transport, clock ds.Clock) (*Sender, error) {
	if sender == nil || clock == nil {
		return nil, errors.New("emailto: an email transport and a clock are required")
	}
	if sender.Name() != transport.NameEmail {
		return nil, fmt.Errorf("emailto: transport %q is not email", sender.Name())
	}
	return &Sender{sender: sender, clock: clock}, nil
}

// Mail is a parsed emailto action.
type Mail struct {
	To      []string // the addresses, as written
	Subject string
	Body    string
	// Outputs are the command outputs the mail carries, each its own
	// part after the text (see Compose): for a DS emailto action, those
	// of the run's command actions so far, as the call-home action's
	// message carries them.
	Outputs []callhome.Attachment
	// SizeLimit caps a mail with outputs, in bytes (see Compose): the DS
	// profile's message-size-limit; 0 is config.DefaultMessageSize.
	SizeLimit int
}

// String describes the mail for `ds test` and logs: "mail to A, B: SUBJECT".
func (m Mail) String() string {
	return fmt.Sprintf("mail to %s: %s", strings.Join(m.To, ", "), m.Subject)
}

// Parse reads a rendered emailto action. hostname fills the default
// subject.
func Parse(act ds.Action, hostname string) (Mail, error) {
	if act.Type != ds.ActionEmailTo {
		return Mail{}, fmt.Errorf("emailto: action type %q", act.Type)
	}
	var m Mail
	for _, addr := range strings.Split(act.To, ",") {
		addr = strings.TrimSpace(addr)
		if addr == "" {
			continue
		}
		if _, err := mail.ParseAddress(addr); err != nil {
			return Mail{}, fmt.Errorf("emailto %s: address %q: %w", act.To, addr, err)
		}
		m.To = append(m.To, addr)
	}
	if len(m.To) == 0 {
		return Mail{}, fmt.Errorf("emailto: no address in to=%q", act.To)
	}
	m.Subject = strings.TrimSpace(act.Subject)
	if m.Subject == "" {
		m.Subject = "Diagnostic signature notification"
		if hostname != "" {
			m.Subject += " from " + hostname
		}
	}
	m.Body = strings.TrimSpace(act.Text)
	if m.Body != "" {
		m.Body += "\n"
	}
	return m, nil
}

// Action is the emailto action.
type Action struct{}

// Run renders the action's addresses, subject and text, and mails them
// through the device with the outputs of the run's command actions so far
// (a failed command's error noted after its output, as in the call-home
// message).
func (Action) Run(ctx context.Context, run *engine.Run, a ds.Action, dev action.Device) (string, error) {
	var err error
	if a.To, err = action.Render(ctx, run, dev, string(a.Type), a.To); err != nil {
		return "", err
	}
	if a.Subject, err = action.Render(ctx, run, dev, string(a.Type), a.Subject); err != nil {
		return "", err
	}
	if a.Text, err = action.Render(ctx, run, dev, string(a.Type), a.Text); err != nil {
		return "", err
	}
	m, err := Parse(a, run.Values()["ds_hostname"])
	if err != nil {
		return "", err
	}
	return dev.Mail(ctx, action.Mail{To: m.To, Subject: m.Subject, Body: m.Body, Outputs: dscallhome.Message(run).Attachments})
}

// Send mails m. The error wraps the transport's, so
// transport.Retryable and transport.Undelivered apply to it.
func (a *Sender) Send(ctx context.Context, m Mail) error {
	ct, body, err := Compose(m)
	if err != nil {
		return err
	}
	now := a.clock.Now()
	err = a.sender.Send(ctx, transport.Envelope{
		ID:          transport.NewID(now),
		To:          m.To,
		Subject:     m.Subject,
		ContentType: ct,
		Body:        body,
		Time:        now,
	})
	if err != nil {
		return fmt.Errorf("emailto %s: %w", strings.Join(m.To, ", "), err)
	}
	return nil
}
