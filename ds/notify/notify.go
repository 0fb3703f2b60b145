package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// ErrDryRun is returned by Send of a Notifier built without an outbox (a
// dry run composes only).
var ErrDryRun = errors.New("notify: no outbox to send to: this notifier composes only (a dry run)")

// Options configure a Notifier.
type Options struct {
	// Device describes the sending host in every message (ch:Device,
	// aml-block:Builder, the serial number in the message ids).
	Device callhome.Device
	// Hostname is the host's own name: the device name of a configuration
	// without "hostname", and a name data-privacy hostname also scrubs.
	Hostname string
	// Clock stamps the messages (required).
	Clock ds.Clock
	// Out takes the composed messages: the rate limiter in front of the
	// outbox. nil makes a Notifier that only composes (Send fails with
	// ErrDryRun), as `ds test` needs.
	Out outbox.Enqueuer
}

// Notifier composes Call Home messages and hands them to the outbox. It
// owns the one message counter of its messages (aml-session:MessageId
// "M<n>:…"), so that no two of them share a number whatever sent them.
// Its methods may be called from several goroutines.
type Notifier struct {
	device   callhome.Device
	hostname string
	clock    ds.Clock
	out      outbox.Enqueuer
	ids      atomic.Uint64
}

// New returns a Notifier whose message numbers start at 1.
func New(opts Options) (*Notifier, error) {
	if opts.Clock == nil {
		return nil, errors.New("notify: Options.Clock is required")
	}
	return &Notifier{device: opts.Device, hostname: opts.Hostname, clock: opts.Clock, out: opts.Out}, nil
}

// Compose makes m into the outbox message for profile p of configuration
// cfg, in this order:
//
//   - it numbers it: the next message number, and that number + 1 as
//     its group number (as IOS XE and NX-OS do);
//   - it fills in the sender: the customer data of cfg (none for an
//     anonymous-reporting-only profile; m.Customer.CCOID is kept
//     otherwise) and the Notifier's Device; a zero m.CreationTime becomes
//     now on the Notifier's clock;
//   - it scrubs it as cfg's data-privacy says (callhome.Scrub, with the
//     Notifier's Hostname as another name of the host);
//   - it renders it in p's format (Format) within p's message-size-limit,
//     for p's first destination (the first URL, else the first address);
//   - it writes the mail subject from the scrubbed message: its device
//     name (the device id when anonymous), its type, and subjectName, else
//     its subtype, else its name, else its type in upper case;
//   - it sets the destinations, outbox.Destinations(p), and the
//     statistics row of the message type.
//
// m is not changed. A profile without destinations still composes (the
// dry run of `ds test` shows what would be sent); Send refuses it.
func (n *Notifier) Compose(cfg *config.Config, p *config.Profile, m *callhome.Message, subjectName string) (outbox.Message, error) {
	c := m.Clone()
	id := n.ids.Add(1)
	// IOS XE and NX-OS number a message's group one past the message.
	c.MessageID, c.GroupID = id, id+1
	if c.CreationTime.IsZero() {
		c.CreationTime = n.clock.Now()
	}
	ccoid := c.Customer.CCOID
	c.Customer = callhome.CustomerFromConfig(cfg, n.hostname)
	c.Customer.CCOID = ccoid
	if p.AnonymousReportingOnly {
		c.Customer = callhome.Customer{}
	}
	c.Device = n.device
	c = callhome.Scrub(c, cfg.CallHome.DataPrivacy, n.hostname)
	to := outbox.Destinations(p)
	f := Format(p)
	body, err := callhome.Render(c, f, callhome.Options{To: firstDestination(to), SizeLimit: p.MessageSizeLimit})
	if err != nil {
		return outbox.Message{}, err
	}
	return outbox.Message{Type: outbox.TypeOf(c.Type), Subject: subject(c, subjectName), ContentType: transport.ContentType(f),
		Body: body, To: to, Time: c.CreationTime}, nil
}

// Send composes m for profile p (see Compose) and hands it to the outbox.
// A profile without destinations is refused before anything is composed.
// It returns what it enqueued; the errors are the outbox's (for errors.Is:
// outbox.ErrRateLimited, outbox.ErrNoDestination…) or the renderer's.
func (n *Notifier) Send(ctx context.Context, cfg *config.Config, p *config.Profile, m *callhome.Message, subjectName string) (outbox.Message, error) {
	if n.out == nil {
		return outbox.Message{}, ErrDryRun
	}
	if len(outbox.Destinations(p)) == 0 {
		return outbox.Message{}, fmt.Errorf("%w: configure `destination address http|email` under `profile %s`", outbox.ErrNoDestination, p.Name)
	}
	msg, err := n.Compose(cfg, p, m, subjectName)
	if err != nil {
		return outbox.Message{}, err
	}
	if err := n.out.Enqueue(ctx, msg); err != nil {
		return outbox.Message{}, err
	}
	return msg, nil
}

// Format is the profile's message format: its preferred-msg-format, xml
// when unset.
func Format(p *config.Profile) config.MessageFormat {
	if p.PreferredMsgFormat == "" {
		return config.FormatXML
	}
	return p.PreferredMsgFormat
}

// ListDestinations lists destinations by transport (as
// outbox.Destinations returns them) for people: the URLs, then the
// addresses, separated by ", "; "no destination" when there is none.
func ListDestinations(to map[string][]string) string {
	var parts []string
	for _, t := range []string{transport.NameHTTP, transport.NameEmail} {
		parts = append(parts, to[t]...)
	}
	if len(parts) == 0 {
		return "no destination"
	}
	return strings.Join(parts, ", ")
}

// firstDestination is aml-session:To: the first URL, else the first
// address.
func firstDestination(to map[string][]string) string {
	if urls := to[transport.NameHTTP]; len(urls) > 0 {
		return urls[0]
	}
	if mails := to[transport.NameEmail]; len(mails) > 0 {
		return mails[0]
	}
	return ""
}

// subject is the mail subject of a composed (scrubbed) message: its
// device name (the device id when anonymous), type, and name (subjectName,
// else the subtype, else the message name, else the type in upper case).
func subject(m *callhome.Message, name string) string {
	host := m.Customer.Hostname
	if host == "" {
		host = m.Device.ID()
	}
	if name == "" {
		name = m.SubType
	}
	if name == "" {
		name = m.Name
	}
	if name == "" {
		name = strings.ToUpper(strings.ReplaceAll(m.Type, "-", "_"))
	}
	return transport.Subject(host, m.Type, name, m.CreationTime)
}
