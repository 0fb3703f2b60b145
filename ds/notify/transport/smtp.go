package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"sync"
	"time"
)

// sessionResult is what one SMTP session achieved.
type sessionResult struct {
	// remaining are the recipients neither delivered nor refused for
	// good: the next server gets them.
	remaining []recipient
	// rejected are permanent refusals (*Error), one per reply.
	rejected []error
	// err says why remaining were not delivered, retry whether that may
	// pass.
	err   error
	retry bool
	// serverErr is set when the server did not hold a proper session:
	// unreachable, silent, refusing the session, dropping the connection.
	// It makes the server "Not Available".
	serverErr error
}

// session delivers data to rcpts through one server.
func (e *Email) session(ctx context.Context, s mailServer, rcpts []recipient, data []byte) (res sessionResult) {
	res.remaining = rcpts
	// down ends the session with the server unavailable; every recipient
	// not yet delivered moves on.
	down := func(step string, err error, retry bool) sessionResult {
		err = fmt.Errorf("%s: %w", step, err)
		res.err, res.retry, res.serverErr = err, retry, err
		return res
	}
	c, conn, err := e.open(ctx, s)
	if err != nil {
		return down("connect", err, retryableSMTP(err))
	}
	defer conn.close()

	conn.deadline(e.opts.CommandTimeout)
	if err := c.Mail(e.sender); err != nil {
		return e.refused(res, "MAIL FROM", err, rcpts, s)
	}
	var accepted, deferred []recipient
	var deferErr error
	for i, r := range rcpts {
		conn.deadline(e.opts.CommandTimeout)
		err := c.Rcpt(r.addr)
		if err == nil {
			accepted = append(accepted, r)
			continue
		}
		var tp *textproto.Error
		if !errors.As(err, &tp) || tp.Code == 421 {
			// Lost the server: nothing was delivered; all but the
			// refused recipients move on.
			res.remaining = append(append(append([]recipient(nil), accepted...), deferred...), rcpts[i:]...)
			return down("RCPT TO", err, true)
		}
		if tp.Code >= 500 {
			res.rejected = append(res.rejected, &Error{
				Transport: NameEmail, Dest: []string{r.dest}, Server: s.label, Code: tp.Code,
				Err: fmt.Errorf("RCPT TO:<%s>: %w", r.addr, err),
			})
			continue
		}
		deferred = append(deferred, r)
		deferErr = fmt.Errorf("RCPT TO:<%s>: %w", r.addr, err)
	}
	res.remaining = deferred
	res.err, res.retry = deferErr, deferErr != nil
	if len(accepted) == 0 {
		conn.deadline(e.opts.CommandTimeout)
		_ = c.Quit()
		return res
	}

	conn.deadline(e.opts.DataTimeout)
	err = sendData(c, data)
	if err != nil {
		var tp *textproto.Error
		if errors.As(err, &tp) && tp.Code >= 500 {
			res.rejected = append(res.rejected, &Error{
				Transport: NameEmail, Dest: dests(accepted), Server: s.label, Code: tp.Code,
				Err: fmt.Errorf("DATA: %w", err),
			})
			conn.deadline(e.opts.CommandTimeout)
			_ = c.Quit()
			return res
		}
		// A 4xx, or no reply to the final ".": the accepted recipients
		// try the next server. (Without a reply the server may have
		// taken the mail: SMTP's own duplicate window.)
		res.remaining = append(append([]recipient(nil), accepted...), deferred...)
		if !errors.As(err, &tp) || tp.Code == 421 {
			return down("DATA", err, true)
		}
		res.err, res.retry = fmt.Errorf("DATA: %w", err), true
		conn.deadline(e.opts.CommandTimeout)
		_ = c.Quit()
		return res
	}
	conn.deadline(e.opts.CommandTimeout)
	_ = c.Quit() // delivered: a lost reply to QUIT changes nothing
	return res
}

// refused handles an error to MAIL FROM: 5xx is final for every
// recipient, 4xx sends them all to the next server, no reply means the
// server is gone.
func (e *Email) refused(res sessionResult, step string, err error, rcpts []recipient, s mailServer) sessionResult {
	var tp *textproto.Error
	if !errors.As(err, &tp) || tp.Code == 421 {
		err = fmt.Errorf("%s: %w", step, err)
		res.err, res.retry, res.serverErr = err, true, err
		return res
	}
	if tp.Code >= 500 {
		res.remaining = nil
		res.rejected = append(res.rejected, &Error{
			Transport: NameEmail, Dest: dests(rcpts), Server: s.label, Code: tp.Code,
			Err: fmt.Errorf("%s:<%s>: %w", step, e.sender, err),
		})
		return res
	}
	res.err, res.retry = fmt.Errorf("%s: %w", step, err), true
	return res
}

// sendData sends DATA, the message and the final ".".
func sendData(c *smtp.Client, data []byte) error {
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// probe holds a session without a mail: connect, EHLO, STARTTLS if
// offered, QUIT. nil means the server is available.
func (e *Email) probe(ctx context.Context, s mailServer) error {
	c, conn, err := e.open(ctx, s)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.close()
	conn.deadline(e.opts.CommandTimeout)
	if err := c.Quit(); err != nil {
		return fmt.Errorf("QUIT: %w", err)
	}
	return nil
}

// open connects to a server and goes as far as the MAIL command: greeting,
// EHLO (HELO if refused), and STARTTLS when offered.
func (e *Email) open(ctx context.Context, s mailServer) (*smtp.Client, *deadlineConn, error) {
	dctx, cancel := context.WithTimeout(ctx, e.opts.DialTimeout)
	raw, err := e.dial(dctx, "tcp", s.addr)
	cancel()
	if err != nil {
		return nil, nil, err
	}
	conn := newDeadlineConn(ctx, raw)
	conn.deadline(e.opts.DialTimeout)
	c, err := smtp.NewClient(raw, s.host)
	if err != nil {
		conn.close()
		return nil, nil, fmt.Errorf("greeting: %w", err)
	}
	conn.client = c
	conn.deadline(e.opts.CommandTimeout)
	if err := c.Hello(e.opts.HelloName); err != nil {
		conn.close()
		return nil, nil, fmt.Errorf("EHLO: %w", err)
	}
	// net/smtp sends EHLO (HELO if EHLO is refused) before the first
	// command, and Extension hides its error: NOOP brings it out, so a
	// server refusing EHLO counts as down, not as refusing the mail.
	if err := c.Noop(); err != nil {
		conn.close()
		return nil, nil, fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := e.tls.Clone()
		cfg.ServerName = s.host
		conn.deadline(e.opts.CommandTimeout)
		if err := c.StartTLS(cfg); err != nil {
			conn.close()
			return nil, nil, fmt.Errorf("STARTTLS: %w", err)
		}
	}
	return c, conn, nil
}

// retryableSMTP classifies a failure to open a session: a certificate
// that does not verify or a missing source address is permanent; a
// refused, silent or closing server may come back.
func retryableSMTP(err error) bool { return networkRetryable(err) }

// dests returns how the recipients were written.
func dests(rs []recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.dest
	}
	return out
}

// deadlineConn sets per-command deadlines on a connection and moves them
// into the past when the context ends, so a cancelled Send returns at
// once instead of waiting for a silent server.
type deadlineConn struct {
	conn   net.Conn
	client *smtp.Client
	mu     sync.Mutex
	done   bool // the context ended
	stop   func() bool
}

func newDeadlineConn(ctx context.Context, conn net.Conn) *deadlineConn {
	d := &deadlineConn{conn: conn}
	d.stop = context.AfterFunc(ctx, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.done = true
		_ = d.conn.SetDeadline(time.Unix(1, 0))
	})
	return d
}

// deadline gives the next command timeout to complete (real time: it
// bounds a socket).
func (d *deadlineConn) deadline(timeout time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return
	}
	_ = d.conn.SetDeadline(time.Now().Add(timeout))
}

// close releases the connection.
func (d *deadlineConn) close() {
	d.stop()
	if d.client != nil {
		_ = d.client.Close()
		return
	}
	_ = d.conn.Close()
}
