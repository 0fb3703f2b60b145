package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// HTTP POSTs messages to http:// and https:// URLs.
type HTTP struct {
	client  *http.Client
	maxBody int64
	agent   string
	clock   func() time.Time
}

// NewHTTP builds the http transport from the call-home configuration (its
// "http-proxy" and source binding) and opts.
func NewHTTP(ch *config.CallHome, opts Options) (*HTTP, error) {
	opts = opts.withDefaults()
	roots, err := opts.roots()
	if err != nil {
		return nil, fmt.Errorf("http transport: %w", err)
	}
	dial, err := dialer(ch, opts)
	if err != nil {
		return nil, fmt.Errorf("http transport: %w", err)
	}
	tr := &http.Transport{
		DialContext:           dial,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   opts.DialTimeout,
		ResponseHeaderTimeout: opts.HTTPTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	if ch != nil && ch.HTTPProxy != nil {
		proxy := &url.URL{Scheme: "http", Host: net.JoinHostPort(ch.HTTPProxy.Host, strconv.Itoa(ch.HTTPProxy.Port))}
		tr.Proxy = http.ProxyURL(proxy)
	}
	return &HTTP{
		client: &http.Client{
			Transport: tr,
			Timeout:   opts.HTTPTimeout,
			// A POST that is redirected would be replayed as a GET (301,
			// 302, 303) or need its body again; a moved receiver is a
			// configuration matter, reported with the new location.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		maxBody: opts.MaxResponseBody,
		agent:   opts.UserAgent,
		clock:   opts.Clock.Now,
	}, nil
}

// Name returns "http".
func (h *HTTP) Name() string { return NameHTTP }

// Send POSTs msg.Body to every URL in msg.To, one after the other; see the
// package comment for which failures are retryable.
func (h *HTTP) Send(ctx context.Context, msg Envelope) error {
	if len(msg.To) == 0 {
		return configError(NameHTTP, "no destination address http")
	}
	var errs []error
	for _, dest := range msg.To {
		if err := h.post(ctx, dest, msg); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// post delivers msg to one URL.
func (h *HTTP) post(ctx context.Context, dest string, msg Envelope) *Error {
	fail := func(retry bool, code int, err error) *Error {
		return &Error{Transport: NameHTTP, Dest: []string{dest}, Server: dest, Code: code, Retry: retry, Err: err}
	}
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(false, 0, fmt.Errorf("destination address http %q: not an http:// or https:// URL", dest))
	}
	ct := msg.ContentType
	if ct == "" {
		ct = ContentTypeText
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dest, bytes.NewReader(msg.Body))
	if err != nil {
		return fail(false, 0, err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("User-Agent", h.agent)
	if msg.ID != "" {
		req.Header.Set("X-Message-Id", msg.ID)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return fail(networkRetryable(err), 0, stripURL(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, h.maxBody))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		// The receiver has the message, even if the rest of its answer
		// was lost.
		return nil
	case code >= 300 && code < 400:
		loc := resp.Header.Get("Location")
		return fail(false, code, fmt.Errorf("%s: redirected to %q; set the destination address to the new URL", resp.Status, loc))
	}
	e := fail(retryableStatus(code), code, fmt.Errorf("%s%s", resp.Status, snippet(body)))
	if e.Retry {
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), h.clock())
	}
	return e
}

// retryableStatus reports whether an HTTP error status may change by
// itself: server errors, 408 Request Timeout, 425 Too Early and 429 Too
// Many Requests.
func retryableStatus(code int) bool {
	switch {
	case code >= 500:
		return true
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly, code == http.StatusTooManyRequests:
		return true
	}
	return false
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// snippet returns ": " and the first line of an error response body, at
// most 200 bytes, or "" if it is empty.
func snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return ": " + strings.ToValidUTF8(s, "?")
}

// stripURL drops net/http's `Post "URL": ` prefix, since Error already
// names the destination.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no answer in time: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}
