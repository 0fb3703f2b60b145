package download_test

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/repo/repotest"
	"github.com/dsengine/dsengine/internal/testserver"
)

// fakeClock reads a fixed time that AfterFunc moves: a wait returns at
// once and is recorded, so retries cost no real time.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) ds.Timer {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	go f()
	return firedTimer{}
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

type firedTimer struct{}

func (firedTimer) Stop() bool { return false }

// env is a publisher's repository directory and a device's state.
type env struct {
	t        testing.TB
	key      *repotest.Key
	dir      string
	now      time.Time
	clock    *fakeClock
	versions *repotest.Versions

	mu       sync.Mutex
	installs [][]download.Item
}

func newEnv(t testing.TB) *env {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	return &env{
		t:        t,
		key:      repotest.NewKey(t, "Publisher", now.Add(-30*24*time.Hour)),
		dir:      t.TempDir(),
		now:      now,
		clock:    &fakeClock{now: now},
		versions: &repotest.Versions{},
	}
}

// add writes signed source DS files id at rev.
func (e *env) add(rev string, ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		e.key.WriteDS(e.t, e.dir, id, rev, "", e.now.Add(-time.Hour))
	}
}

// build runs repo.Build on the directory.
func (e *env) build(opts repo.BuildOptions) {
	e.t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return e.now.Add(-time.Minute) }
	}
	if _, err := repo.Build(e.dir, e.key.Signing, opts); err != nil {
		e.t.Fatal(err)
	}
}

// options are the client options for a repository URL and CA file.
func (e *env) options(url, caFile string) download.Options {
	return download.Options{
		Repository: url,
		CAFile:     caFile,
		Keyring:    e.key.Ring,
		Versions:   e.versions,
		Install:    e.install,
		Hostname:   "edge-1",
		Serial:     "TEST0001",
		Profile:    "user1",
		Clock:      e.clock,
		Rand:       func() float64 { return 0.5 },
		Timeout:    5 * time.Second,
	}
}

// client builds a client, closed when the test ends.
func (e *env) client(opts download.Options) *download.Client {
	e.t.Helper()
	c, err := download.New(opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(c.Close)
	return c
}

func (e *env) install(items []download.Item) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.installs = append(e.installs, items)
	return nil
}

// installed returns the ids handed to Install, in order, and the number
// of calls.
func (e *env) installed() (ids []string, calls int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, batch := range e.installs {
		for _, it := range batch {
			ids = append(ids, it.ID+"@"+string(it.Revision))
		}
	}
	return ids, len(e.installs)
}

// resetInstalls forgets earlier Install calls.
func (e *env) resetInstalls() {
	e.mu.Lock()
	e.installs = nil
	e.mu.Unlock()
}

// state is what the device runs after the Install calls so far, for the
// next request.
func (e *env) state() []download.Installed {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := map[string]ds.Revision{}
	for _, batch := range e.installs {
		for _, it := range batch {
			m[it.ID] = it.Revision
		}
	}
	var out []download.Installed
	for id, rev := range m {
		out = append(out, download.Installed{ID: id, Revision: rev, Status: ds.StatusRegistered})
	}
	return out
}

// writeRepoFile overwrites a file of the repository.
func (e *env) writeRepoFile(rel string, data []byte) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, filepath.FromSlash(rel)), data, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// counting wraps a handler and counts requests by "METHOD /path".
type counting struct {
	h  http.Handler
	mu sync.Mutex
	n  map[string]int
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

func (c *counting) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// dsFetches counts the DS files (not signatures) fetched.
func (c *counting) dsFetches() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, v := range c.n {
		if strings.HasPrefix(k, "GET /ds/") && strings.HasSuffix(k, ".xml") {
			n += v
		}
	}
	return n
}

// tlsServer serves h over HTTPS on 127.0.0.1 with a certificate from a
// test CA; it returns the URL and the CA file.
func tlsServer(t testing.TB, h http.Handler) (string, string) {
	t.Helper()
	ca := testserver.NewTestCA(t, t.TempDir())
	return tlsServerWith(t, h, ca)
}

// tlsServerWith is tlsServer with a given CA's server certificate.
func tlsServerWith(t testing.TB, h http.Handler, ca *testserver.TestCA) (string, string) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(ca.CertFile, ca.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL, ca.CAFile
}

// fileServer serves the repository directory as a plain file server
// would (405 to a POST).
func fileServer(dir string) http.Handler {
	fs := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		fs.ServeHTTP(w, r)
	})
}

// ids lists DS ids from first, n of them.
func ids(first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(first + i)
	}
	return out
}
