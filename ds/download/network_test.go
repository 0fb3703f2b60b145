package download_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/internal/testserver"
)

func TestPlainHTTPRefused(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"http://127.0.0.1:1/repo", "HTTP://ds.example.com/"} {
		_, err := download.New(e.options(u, ""))
		if err == nil || !strings.Contains(err.Error(), "plain http is refused") || !strings.Contains(err.Error(), "use https://") {
			t.Fatalf("%s: err = %v", u, err)
		}
	}
	for _, u := range []string{"", "ftp://x/", "https://", "https://x/?a=b", "127.0.0.1/repo", "https://user:secret@x/"} {
		if _, err := download.New(e.options(u, "")); err == nil {
			t.Fatalf("%q accepted", u)
		}
	}
	bad := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o644)
	if _, err := download.New(e.options("https://127.0.0.1:1/", bad)); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("bad CA file: %v", err)
	}
	opts := e.options("https://127.0.0.1:1/", "")
	opts.Keyring = nil
	if _, err := download.New(opts); err == nil || !strings.Contains(err.Error(), "trust-key") {
		t.Fatalf("no keyring: %v", err)
	}
}

// A server answering 500 is retried with backoff on the injected clock,
// then the download fails; a server that recovers is used.
func TestServerErrorRetried(t *testing.T) {
	e := threeDS(t)
	var fails atomic.Int32
	fails.Store(1 << 20)
	files := fileServer(e.dir)
	cnt := &counting{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fails.Add(-1) >= 0 {
			http.Error(w, "internal trouble", http.StatusInternalServerError)
			return
		}
		files.ServeHTTP(w, r)
	})}
	url, ca := tlsServer(t, cnt)
	c := e.client(e.options(url, ca))
	_, err := c.Download(context.Background(), download.Request{})
	if err == nil || !strings.Contains(err.Error(), "HTTP 500 Internal Server Error: internal trouble (3 attempts)") {
		t.Fatalf("err = %v", err)
	}
	if n := cnt.count("POST /request"); n != download.DefaultAttempts {
		t.Fatalf("%d attempts", n)
	}
	if w := e.clock.Waits(); len(w) != 2 || w[0] != time.Second || w[1] != 2*time.Second {
		t.Fatalf("waits %v, want 1s then 2s", w)
	}
	e.onlyInstalled()

	fails.Store(2) // the POST fails twice, then all is well
	e.clock.waits = nil
	res, err := c.Download(context.Background(), download.Request{})
	if err != nil || res.Fetched != 3 {
		t.Fatalf("after recovery: %v %s", err, res)
	}
	if len(e.clock.Waits()) != 2 {
		t.Fatalf("waits %v", e.clock.Waits())
	}
}

func TestBackoffJitter(t *testing.T) {
	b := download.Backoff{Initial: time.Second, Max: 10 * time.Second, Jitter: 0.2}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 9: 10 * time.Second} {
		if got := b.Delay(n, 0.5); got != want {
			t.Errorf("Delay(%d) = %v, want %v", n, got, want)
		}
		lo, hi := b.Delay(n, 0), b.Delay(n, 0.999999)
		if lo < want*8/10-time.Millisecond || hi > want*12/10+time.Millisecond || lo >= hi {
			t.Errorf("Delay(%d) spreads over [%v, %v], want ±20%% of %v", n, lo, hi, want)
		}
	}
}

// A server that never answers: each attempt times out, then the download
// fails.
func TestTimeout(t *testing.T) {
	e := threeDS(t)
	release := make(chan struct{})
	defer close(release)
	cnt := &counting{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})}
	url, ca := tlsServer(t, cnt)
	opts := e.options(url, ca)
	opts.Timeout = 150 * time.Millisecond
	opts.Attempts = 2
	start := time.Now()
	_, err := e.client(opts).Download(context.Background(), download.Request{})
	if err == nil || !strings.Contains(err.Error(), "no answer in time") || !strings.Contains(err.Error(), "(2 attempts)") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
	if cnt.count("POST /request") != 2 {
		t.Fatalf("requests %v", cnt.n)
	}
	e.onlyInstalled()
}

// The caller's context ends the download, even during a backoff wait.
func TestCancel(t *testing.T) {
	e := threeDS(t)
	url, ca := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	opts := e.options(url, ca)
	opts.Clock = nil // the real clock: a 1 s wait that the cancel cuts short
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.client(opts).Download(ctx, download.Request{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

// resetAfter answers a DS file with its full Content-Length but only half
// of the body, then resets the connection. A real server cannot be made
// to cut a response short on demand, so this takes an in-process server
// that hijacks the connection.
func resetAfter(t *testing.T, w http.ResponseWriter, body []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	buf.Write(body[:len(body)/2])
	buf.Flush()
	if tc, ok := conn.(*tls.Conn); ok {
		if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
			tcp.SetLinger(0) // close sends RST
		}
		tc.NetConn().Close()
		return
	}
	conn.Close()
}

// tlsServerH1 is tlsServer limited to HTTP/1.1, which can be hijacked.
func tlsServerH1(t *testing.T, h http.Handler) (string, string) {
	ca := testserver.NewTestCA(t, t.TempDir())
	cert, err := tls.LoadX509KeyPair(ca.CertFile, ca.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL, ca.CAFile
}

// The connection is reset in the middle of a DS body: the attempt is
// retried; a DS whose every attempt is cut fails alone.
func TestConnectionResetMidBody(t *testing.T) {
	e := threeDS(t)
	files := fileServer(e.dir)
	var mu sync.Mutex
	cuts := map[string]int{"/ds/6015-1.0.xml": 1, "/ds/6030-1.0.xml": 1 << 20}
	cnt := &counting{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cut := cuts[r.URL.Path] > 0
		cuts[r.URL.Path]--
		mu.Unlock()
		if cut {
			body, err := os.ReadFile(filepath.Join(e.dir, filepath.FromSlash(r.URL.Path)))
			if err != nil {
				t.Error(err)
				return
			}
			resetAfter(t, w, body)
			return
		}
		files.ServeHTTP(w, r)
	})}
	url, ca := tlsServerH1(t, cnt)
	res, err := e.client(e.options(url, ca)).Download(context.Background(), download.Request{})
	if err == nil || !strings.Contains(err.Error(), "DS 6030") || !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if res.Fetched != 2 || res.Failed != 1 {
		t.Fatalf("%s", res)
	}
	if cnt.count("GET /ds/6015-1.0.xml") != 2 || cnt.count("GET /ds/6030-1.0.xml") != 3 {
		t.Fatalf("requests %v", cnt.n)
	}
	e.onlyInstalled("6015@1.0", "6040@1.0")
}

// The call-home http-proxy is used: HTTPS goes through a CONNECT tunnel.
func TestProxy(t *testing.T) {
	e := threeDS(t)
	url, ca := tlsServer(t, fileServer(e.dir))
	var connects atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		connects.Add(1)
		up, err := net.DialTimeout("tcp", r.Host, 2*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { io.Copy(up, bufio.NewReader(buf)); up.Close() }()
		io.Copy(conn, up)
		conn.Close()
	}))
	defer proxy.Close()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(proxy.URL, "http://"))
	n, _ := strconv.Atoi(port)
	opts := e.options(url, ca)
	opts.Proxy = &config.HTTPProxy{Host: host, Port: n}
	res, err := e.client(opts).Download(context.Background(), download.Request{})
	if err != nil || res.Fetched != 3 {
		t.Fatalf("%v %s", err, res)
	}
	if connects.Load() == 0 {
		t.Fatal("the proxy saw no CONNECT")
	}
}

// An Install failure marks its DS failed.
func TestInstallError(t *testing.T) {
	e := threeDS(t)
	url, ca := tlsServer(t, fileServer(e.dir))
	opts := e.options(url, ca)
	opts.Install = func([]download.Item) error { return errors.New("bootflash full") }
	res, err := e.client(opts).Download(context.Background(), download.Request{})
	if err == nil || !strings.Contains(err.Error(), "install: bootflash full") || res.Failed != 3 {
		t.Fatalf("%v %s", err, res)
	}
	if r, _ := res.Get("6015"); r.Record().Result != "install: bootflash full" {
		t.Fatalf("record %+v", r.Record())
	}
}

// Install gets batches within BatchBytes.
func TestInstallBatches(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", ids(100, 10)...)
	e.build(repo.BuildOptions{})
	url, ca := tlsServer(t, fileServer(e.dir))
	opts := e.options(url, ca)
	opts.BatchBytes = 3 * (400 + 64<<10) // three DS of about 400 bytes with their signature caps
	res, err := e.client(opts).Download(context.Background(), download.Request{})
	if err != nil || res.Fetched != 10 {
		t.Fatalf("%v %s", err, res)
	}
	got, calls := e.installed()
	if len(got) != 10 || calls < 4 {
		t.Fatalf("%d DS in %d calls", len(got), calls)
	}
}

// OptionsFromConfig takes the repository, its CA, the proxy, the
// hostname and the DS profile from the configuration.
func TestOptionsFromConfig(t *testing.T) {
	cfg := config.Default()
	cfg.Hostname = "edge-9"
	cfg.DiagnosticSignature.Repository = "https://ds.example.com/repo"
	cfg.DiagnosticSignature.RepositoryCA = "/etc/ca.pem"
	cfg.DiagnosticSignature.Profile = "user1"
	cfg.CallHome.HTTPProxy = &config.HTTPProxy{Host: "proxy", Port: 3128}
	o := download.OptionsFromConfig(cfg)
	if o.Repository != "https://ds.example.com/repo" || o.CAFile != "/etc/ca.pem" || o.Profile != "user1" || o.Hostname != "edge-9" || o.Proxy.Port != 3128 {
		t.Fatalf("%+v", o)
	}
}

// *bootflash.Store keeps the index version.
var _ download.VersionStore = (*bootflash.Store)(nil)

// A DS whose stored files failed the store's check is fetched again by a
// regular download.
func TestInstalledFromEntries(t *testing.T) {
	in := download.InstalledFromEntries([]bootflash.Entry{
		{ID: "6015", Revision: "1.0", Status: ds.StatusRegistered},
		{ID: "6030", Revision: "1.0", Status: ds.StatusFailed, CheckFailed: true},
	})
	if len(in) != 2 || in[0].Revision != "1.0" || in[1].Revision != "" || in[1].Status != ds.StatusFailed {
		t.Fatalf("%+v", in)
	}
	e := newEnv(t)
	e.add("1.0", "6015", "6030")
	e.build(repo.BuildOptions{})
	url, ca := tlsServer(t, fileServer(e.dir))
	res, err := e.client(e.options(url, ca)).Download(context.Background(), download.Request{Installed: in})
	if err != nil || res.Fetched != 1 || res.Unchanged != 1 {
		t.Fatalf("%v %s", err, res)
	}
	e.onlyInstalled("6030@1.0")
}
