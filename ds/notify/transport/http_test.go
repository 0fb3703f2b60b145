package transport

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// The HTTP receivers here are in-process httptest servers: a status, a
// header or a silence on demand is what these tests need, and nginx can
// answer a POST only with 405 (TEST-SERVERS.md).

// received is what a test receiver saw.
type received struct {
	mu       sync.Mutex
	method   string
	ctype    string
	msgID    string
	body     string
	host     string // Host of the request (the proxy sees the target)
	uri      string // RequestURI: absolute when sent through a proxy
	requests int
}

func (r *received) record(req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.method, r.ctype, r.msgID, r.body = req.Method, req.Header.Get("Content-Type"), req.Header.Get("X-Message-Id"), string(b)
	r.host, r.uri = req.Host, req.RequestURI
	r.requests++
}

func receiver(t *testing.T, status int, header map[string]string, rec *received) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if rec != nil {
			rec.record(req)
		}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status)+"\nmore detail\n")
	}))
	t.Cleanup(s.Close)
	return s
}

func newHTTP(t *testing.T, ch *config.CallHome, opts Options) *HTTP {
	t.Helper()
	h, err := NewHTTP(ch, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHTTPPostsTheMessage(t *testing.T) {
	var rec received
	s := receiver(t, http.StatusOK, nil, &rec)
	h := newHTTP(t, nil, testOptions())
	err := h.Send(context.Background(), Envelope{
		ID: "m1", To: []string{s.URL + "/callhome"}, ContentType: ContentTypeXML, Body: []byte(xmlBody),
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.method != "POST" || rec.ctype != ContentTypeXML || rec.msgID != "m1" || rec.body != xmlBody || rec.uri != "/callhome" {
		t.Errorf("received %+v", &rec)
	}
}

func TestHTTPStatusClassification(t *testing.T) {
	for _, tc := range []struct {
		status     int
		header     map[string]string
		retry      bool
		retryAfter time.Duration
		want       string
	}{
		{http.StatusInternalServerError, nil, true, 0, "500 Internal Server Error: Internal Server Error"},
		{http.StatusServiceUnavailable, map[string]string{"Retry-After": "120"}, true, 2 * time.Minute, "503"},
		{http.StatusTooManyRequests, map[string]string{"Retry-After": "Mon, 23 Nov 2026 14:00:30 GMT"}, true, 30 * time.Second, "429"},
		{http.StatusNotFound, nil, false, 0, "404 Not Found"},
		{http.StatusBadRequest, nil, false, 0, "400"},
		{http.StatusMovedPermanently, map[string]string{"Location": "https://new.example.com/ch"}, false, 0, `redirected to "https://new.example.com/ch"`},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			s := receiver(t, tc.status, tc.header, nil)
			err := newHTTP(t, nil, testOptions()).Send(context.Background(), Envelope{To: []string{s.URL}, Body: []byte("x")})
			es := Errors(err)
			if len(es) != 1 {
				t.Fatalf("err = %v", err)
			}
			e := es[0]
			if e.Retryable() != tc.retry || e.Code != tc.status || e.RetryAfter != tc.retryAfter || !strings.Contains(e.Error(), tc.want) {
				t.Errorf("err = %v (retry %v, code %d, after %v)", e, e.Retry, e.Code, e.RetryAfter)
			}
			if len(e.Dest) != 1 || e.Dest[0] != s.URL {
				t.Errorf("dest %v", e.Dest)
			}
		})
	}
}

func TestHTTPOneOfTwoFails(t *testing.T) {
	good := receiver(t, http.StatusOK, nil, nil)
	bad := receiver(t, http.StatusBadGateway, nil, nil)
	to := []string{bad.URL, good.URL}
	err := newHTTP(t, nil, testOptions()).Send(context.Background(), Envelope{To: to, Body: []byte("x")})
	retry, failed := Undelivered(err, to)
	if len(retry) != 1 || retry[0] != bad.URL || len(failed) != 0 {
		t.Errorf("retry %v failed %v (%v)", retry, failed, err)
	}
}

func TestHTTPReceiverThatNeverAnswersTimesOut(t *testing.T) {
	release := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(release) })
	opts := testOptions()
	opts.HTTPTimeout = 300 * time.Millisecond
	start := time.Now()
	err := newHTTP(t, nil, opts).Send(context.Background(), Envelope{To: []string{s.URL}, Body: []byte("x")})
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Send took %v", el)
	}
	if err == nil || !Retryable(err) || !strings.Contains(err.Error(), "no answer in time") {
		t.Errorf("err = %v, want a retryable timeout", err)
	}
}

func TestHTTPRefusedConnectionIsRetryable(t *testing.T) {
	s := receiver(t, http.StatusOK, nil, nil)
	url := s.URL
	s.Close()
	err := newHTTP(t, nil, testOptions()).Send(context.Background(), Envelope{To: []string{url}, Body: []byte("x")})
	if err == nil || !Retryable(err) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err = %v", err)
	}
}

func TestHTTPSVerifiesTheReceiver(t *testing.T) {
	var rec received
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rec.record(r) }))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	s.StartTLS()
	t.Cleanup(s.Close)
	env := Envelope{To: []string{s.URL}, Body: []byte("x")}

	// Unknown CA: a configuration problem, not retried.
	err := newHTTP(t, nil, testOptions()).Send(context.Background(), env)
	if err == nil || Retryable(err) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted: err = %v", err)
	}
	opts := testOptions()
	opts.RootCAs = s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	if err := newHTTP(t, nil, opts).Send(context.Background(), env); err != nil {
		t.Errorf("trusted: %v", err)
	}
	if rec.requests != 1 {
		t.Errorf("%d requests", rec.requests)
	}
}

func TestHTTPThroughProxy(t *testing.T) {
	var rec received
	proxy := receiver(t, http.StatusOK, nil, &rec)
	host, port, _ := net.SplitHostPort(proxy.Listener.Addr().String())
	n, _ := strconv.Atoi(port)
	ch := &config.CallHome{HTTPProxy: &config.HTTPProxy{Host: host, Port: n}}
	err := newHTTP(t, ch, testOptions()).Send(context.Background(), Envelope{To: []string{"http://collector.example.com/ch"}, Body: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if rec.uri != "http://collector.example.com/ch" || rec.host != "collector.example.com" {
		t.Errorf("proxy saw %q for host %q", rec.uri, rec.host)
	}
}

func TestHTTPBadDestination(t *testing.T) {
	for _, dest := range []string{"ftp://x/y", "not a url", "https://"} {
		err := newHTTP(t, nil, testOptions()).Send(context.Background(), Envelope{To: []string{dest}})
		if err == nil || Retryable(err) {
			t.Errorf("%q: err = %v", dest, err)
		}
	}
}

func TestHTTPSourceInterface(t *testing.T) {
	var rec received
	s := receiver(t, http.StatusOK, nil, &rec)
	h := newHTTP(t, &config.CallHome{SourceInterface: "lo", SourceIPAddress: "127.0.0.1"}, testOptions())
	if err := h.Send(context.Background(), Envelope{To: []string{s.URL}, Body: []byte("x")}); err != nil {
		t.Fatalf("bound to lo: %v", err)
	}
	h = newHTTP(t, &config.CallHome{SourceInterface: "no-such-if0"}, testOptions())
	err := h.Send(context.Background(), Envelope{To: []string{s.URL}, Body: []byte("x")})
	if err == nil || Retryable(err) {
		t.Errorf("missing device: err = %v, want permanent", err)
	}
}
