package download

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// answer is an HTTP response read within its cap.
type answer struct {
	status int
	header http.Header
	body   []byte // the body if status is 200, else up to errorBodyCap bytes
}

// errorBodyCap bounds what is read of an error response.
const errorBodyCap = 4 << 10

// tooLargeError says a body was longer than its cap: more data than the
// index lists (endless data), never retried.
type tooLargeError struct {
	limit    int64
	announce int64 // the Content-Length announced, or -1
}

func (e *tooLargeError) Error() string {
	if e.announce > e.limit {
		return fmt.Sprintf("the server announces %d bytes, more than the %d allowed (endless data), refused", e.announce, e.limit)
	}
	return fmt.Sprintf("the server sends more than the %d bytes allowed (endless data), refused", e.limit)
}

// transientError marks a failure that may pass by itself: the attempt is
// repeated after a backoff.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// statusError is an HTTP status that is not 200.
type statusError struct {
	status  int
	snippet string
}

func (e *statusError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.status, http.StatusText(e.status))
	if e.snippet != "" {
		s += ": " + e.snippet
	}
	return s
}

// do runs one HTTP request for rel (a path relative to the repository),
// reading a 200 body of at most limit bytes; transferred counts the body
// bytes read. A network failure that may pass is a *transientError; a
// body over limit a *tooLargeError.
func (c *Client) do(ctx context.Context, method, rel string, body []byte, limit int64, transferred *atomic.Int64) (*answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/"+rel, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "dsengine")
	if body != nil {
		req.Header.Set("Content-Type", "application/xml")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer resp.Body.Close()
	a := &answer{status: resp.StatusCode, header: resp.Header}
	bodyCap := limit
	if resp.StatusCode != http.StatusOK {
		bodyCap = errorBodyCap
	} else if resp.ContentLength > limit {
		return nil, &tooLargeError{limit: limit, announce: resp.ContentLength}
	}
	w := bytes.NewBuffer(make([]byte, 0, min(max(resp.ContentLength, 512), bodyCap+1)))
	n, err := io.Copy(w, io.LimitReader(resp.Body, bodyCap+1))
	transferred.Add(n)
	if err != nil {
		if resp.StatusCode != http.StatusOK {
			a.body = w.Bytes()
			return a, nil
		}
		return nil, classify(ctx, err)
	}
	if resp.StatusCode == http.StatusOK && n > limit {
		return nil, &tooLargeError{limit: limit, announce: -1}
	}
	a.body = w.Bytes()
	return a, nil
}

// statusErr turns a status that is not 200 into an error, transient for
// 408, 425, 429 and 5xx.
func statusErr(a *answer) error {
	s := strings.TrimSpace(string(a.body))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	err := &statusError{status: a.status, snippet: strings.ToValidUTF8(s, "?")}
	switch {
	case a.status >= 500, a.status == http.StatusRequestTimeout, a.status == http.StatusTooEarly, a.status == http.StatusTooManyRequests:
		return &transientError{err}
	}
	return err
}

// classify turns a transport error into a clear one: certificate problems
// say what to configure and are final; the caller's cancellation is final;
// other network failures (refused, reset, timeout, cut short) are
// transient.
func classify(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		recordHdr tls.RecordHeaderError
	)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &unknownCA):
		return fmt.Errorf("the repository's TLS certificate is not issued by a trusted CA (%v); set repository-ca to the PEM file of its CA", err)
	case errors.As(err, &hostname):
		return fmt.Errorf("the repository's TLS certificate is for another host (%v); use a repository URL with a name the certificate holds", err)
	case errors.As(err, &invalid):
		return fmt.Errorf("the repository's TLS certificate is invalid: %v", err)
	case errors.As(err, &recordHdr):
		return fmt.Errorf("the repository does not speak TLS on that port: %v", err)
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return err
	}
	if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
		return &transientError{fmt.Errorf("no answer in time: %w", err)}
	}
	return &transientError{err}
}

// retry runs attempt until it succeeds, fails for good, or Attempts are
// used up, waiting on the clock between attempts; it returns the last
// error, unwrapped from transientError.
func (c *Client) retry(ctx context.Context, what string, attempt func() error) error {
	for n := 1; ; n++ {
		err := attempt()
		var te *transientError
		if err == nil || !errors.As(err, &te) {
			return err
		}
		if n >= c.opts.Attempts {
			return fmt.Errorf("%w (%d attempts)", te.err, n)
		}
		d := c.opts.Backoff.Delay(n, c.random())
		c.opts.Logger.Info("download: retrying", "what", what, "attempt", n+1, "in", d, "err", te.err)
		if err := c.sleep(ctx, d); err != nil {
			return fmt.Errorf("%w (while waiting to retry after: %v)", err, te.err)
		}
	}
}

// sleep waits d on the client's clock, or until ctx ends.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	done := make(chan struct{})
	t := c.opts.Clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
}
