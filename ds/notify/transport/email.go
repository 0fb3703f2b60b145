package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// Email sends messages as mail through the configured mail servers, in
// priority order with failover.
type Email struct {
	from    string // header From, as configured
	sender  string // MAIL FROM address
	replyTo string
	servers []mailServer
	opts    Options
	dial    DialFunc
	tls     *tls.Config

	mu     sync.Mutex
	status []ServerStatus // parallel to servers
}

// mailServer is one "mail-server" line.
type mailServer struct {
	label    string // as configured
	addr     string // host:port to dial
	host     string // to verify its certificate against
	priority int
}

// ServerStatus is what "show call-home mail-server status" prints for one
// server.
type ServerStatus struct {
	Address  string // as configured
	Priority int
	// Available: the last session with the server (a send or a Check) got
	// proper SMTP answers. False when it was never tried, too.
	Available bool
	// Checked is when the server was last tried; zero if never.
	Checked time.Time
	// Err is why the server was not available at Checked; nil otherwise.
	Err error
}

// State returns "Available", "Not Available" or "Unknown" (never tried), as
// the show command prints it.
func (s ServerStatus) State() string {
	switch {
	case s.Checked.IsZero():
		return "Unknown"
	case s.Available:
		return "Available"
	}
	return "Not Available"
}

// NewEmail builds the email transport from the call-home configuration:
// its mail servers (already sorted by priority in config.CallHome), "sender
// from" (else "contact-email-addr"), "sender reply-to" and source binding.
// A configuration without a sender or a mail server is accepted here;
// Send then fails with a permanent error saying what to configure.
func NewEmail(ch *config.CallHome, opts Options) (*Email, error) {
	opts = opts.withDefaults()
	if ch == nil {
		ch = &config.CallHome{}
	}
	roots, err := opts.roots()
	if err != nil {
		return nil, fmt.Errorf("email transport: %w", err)
	}
	dial, err := dialer(ch, opts)
	if err != nil {
		return nil, fmt.Errorf("email transport: %w", err)
	}
	e := &Email{
		replyTo: ch.SenderReplyTo,
		opts:    opts,
		dial:    dial,
		tls:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
	from := ch.SenderFrom
	if from == "" {
		from = ch.ContactEmail
	}
	if from != "" {
		a, err := mail.ParseAddress(from)
		if err != nil {
			return nil, fmt.Errorf("email transport: sender from %q: %w", from, err)
		}
		e.from, e.sender = from, a.Address
	}
	if e.replyTo != "" {
		if _, err := mail.ParseAddress(e.replyTo); err != nil {
			return nil, fmt.Errorf("email transport: sender reply-to %q: %w", e.replyTo, err)
		}
	}
	for _, ms := range ch.MailServers {
		host, port := ms.Address, strconv.Itoa(opts.SMTPPort)
		if h, p, err := net.SplitHostPort(ms.Address); err == nil {
			host, port = h, p
		}
		e.servers = append(e.servers, mailServer{
			label: ms.Address, addr: net.JoinHostPort(host, port), host: host, priority: ms.Priority,
		})
		e.status = append(e.status, ServerStatus{Address: ms.Address, Priority: ms.Priority})
	}
	return e, nil
}

// Name returns "email".
func (e *Email) Name() string { return NameEmail }

// From returns the From address the mails carry; empty when neither
// "sender from" nor "contact-email-addr" is configured.
func (e *Email) From() string { return e.from }

// Status returns the last known state of every mail server, in priority
// order, without contacting them.
func (e *Email) Status() []ServerStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]ServerStatus, len(e.status))
	copy(out, e.status)
	return out
}

// Check contacts every mail server at once (connect, EHLO, STARTTLS when
// offered, QUIT), records the result and returns the new status, as "show
// call-home mail-server status" does ("Please wait. Checking for mail
// server status ...").
func (e *Email) Check(ctx context.Context) []ServerStatus {
	var wg sync.WaitGroup
	for i, s := range e.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.record(i, e.probe(ctx, s))
		}()
	}
	wg.Wait()
	return e.Status()
}

// record stores the outcome of a session with server i: nil means
// available.
func (e *Email) record(i int, err error) {
	now := e.opts.Clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.status[i].Checked = now
	e.status[i].Available = err == nil
	e.status[i].Err = err
}

// Send mails msg to every address in msg.To, through the first mail server
// that takes it; see the package comment for failover and retries.
func (e *Email) Send(ctx context.Context, msg Envelope) error {
	switch {
	case len(msg.To) == 0:
		return configError(NameEmail, "no destination address email")
	case e.sender == "":
		return configError(NameEmail, "no sender address; configure \"sender from\" or \"contact-email-addr\" under call-home")
	case len(e.servers) == 0:
		return configError(NameEmail, "no mail server; configure \"mail-server ADDRESS priority N\" under call-home")
	}
	var errs []error
	// rcpts maps the SMTP address of each valid recipient to how msg.To
	// wrote it, which the errors name.
	var rcpts []recipient
	for _, to := range msg.To {
		a, err := mail.ParseAddress(to)
		if err != nil {
			errs = append(errs, &Error{Transport: NameEmail, Dest: []string{to}, Err: fmt.Errorf("destination address email %q: %w", to, err)})
			continue
		}
		rcpts = append(rcpts, recipient{dest: to, addr: a.Address})
	}
	if len(rcpts) == 0 {
		return errors.Join(errs...)
	}
	date := msg.Time
	if date.IsZero() {
		date = e.opts.Clock.Now()
	}
	var msgID string
	if msg.ID != "" {
		msgID = "<" + msg.ID + "@" + domainOf(e.sender) + ">"
	}
	headerTo := make([]string, len(rcpts))
	for i, r := range rcpts {
		headerTo[i] = r.addr
	}
	data := composeMail(e.from, e.replyTo, headerTo, msg, date, msgID)

	remaining := rcpts
	var tried []string // "server: error" of each server that failed the remaining recipients
	retry := false
	for i, s := range e.servers {
		if len(remaining) == 0 {
			break
		}
		if ctx.Err() != nil {
			tried = append(tried, ctx.Err().Error())
			retry = true
			break
		}
		out := e.session(ctx, s, remaining, data)
		e.record(i, out.serverErr)
		errs = append(errs, out.rejected...)
		remaining = out.remaining
		if len(remaining) > 0 && out.err != nil {
			tried = append(tried, s.label+": "+out.err.Error())
			retry = retry || out.retry
		}
	}
	if len(remaining) > 0 {
		dests := make([]string, len(remaining))
		for i, r := range remaining {
			dests[i] = r.dest
		}
		var err error
		if len(tried) == 1 {
			err = errors.New(tried[0])
		} else {
			err = fmt.Errorf("no mail server took it: %s", strings.Join(tried, "; "))
		}
		errs = append(errs, &Error{Transport: NameEmail, Dest: dests, Retry: retry, Err: err})
	}
	return errors.Join(errs...)
}

// recipient is one address of an envelope.
type recipient struct {
	dest string // as written in Envelope.To
	addr string // the bare address for RCPT TO
}

// domainOf returns the domain of an address, "localhost" if it has none.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i+1 < len(addr) {
		return addr[i+1:]
	}
	return "localhost"
}
