package download_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/verify"
)

// serveRepo runs repo.Server over TLS on the env's directory, counting
// requests.
func serveRepo(t *testing.T, e *env) (*counting, *repo.Server, string, string) {
	t.Helper()
	s, err := repo.NewServer(e.dir, repo.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cnt := &counting{h: s}
	url, ca := tlsServer(t, cnt)
	return cnt, s, url, ca
}

// `repo serve` answers the POST: the device reports its statuses, gets
// the signed index in the answer and fetches only the DS assigned to its
// profile whose revision changed.
func TestServeRegularDownload(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6015", "6030", "6040")
	assign := map[string][]string{"user1": {"6015", "6030"}, "other": {"6040"}}
	e.build(repo.BuildOptions{Assign: assign})
	cnt, srv, url, ca := serveRepo(t, e)
	c := e.client(e.options(url, ca))
	ctx := context.Background()

	res, err := c.Download(ctx, download.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != download.SourceRequest || res.Fetched != 2 || len(res.DS) != 2 {
		t.Fatalf("first: %s %+v", res, res.DS)
	}
	if cnt.count("POST /request") != 1 || cnt.count("GET /index.xml") != 0 || cnt.dsFetches() != 2 {
		t.Fatalf("requests %v", cnt.n)
	}
	if got, _ := e.installed(); strings.Join(got, " ") != "6015@1.0 6030@1.0" {
		t.Fatalf("installed %v (6040 is assigned to another profile)", got)
	}

	// The device reports what it runs; the server records it.
	e.add("1.1", "6030", "6040")
	e.build(repo.BuildOptions{Assign: assign})
	state := e.state()
	state = append(state, download.Installed{ID: "7000", Status: ds.StatusFailed})
	e.resetInstalls()
	res, err = c.Download(ctx, download.Request{Installed: state})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 2 || res.Fetched != 1 || res.Unchanged != 1 {
		t.Fatalf("second: %s", res)
	}
	if cnt.dsFetches() != 3 || cnt.count("GET /ds/6030-1.1.xml") != 1 || cnt.count("GET /ds/6040-1.1.xml") != 0 {
		t.Fatalf("requests %v", cnt.n)
	}
	devs := srv.Devices()
	if len(devs) != 1 || devs[0].Hostname != "edge-1" || devs[0].Serial != "TEST0001" || devs[0].Profile != "user1" ||
		devs[0].Requests != 2 || len(devs[0].DS) != 3 || devs[0].Served != 2 {
		t.Fatalf("devices %+v", devs)
	}

	// A forced download of one DS ignores assignment and revision; an
	// unknown id fails alone.
	e.resetInstalls()
	res, err = c.Download(ctx, download.Request{Forced: true, IDs: []string{"6040", "9999"}, Installed: e.state()})
	if err == nil || !strings.Contains(err.Error(), "DS 9999: not in the repository index") {
		t.Fatalf("err = %v", err)
	}
	if res.Fetched != 1 || res.Failed != 1 {
		t.Fatalf("forced: %s", res)
	}
	if got, _ := e.installed(); strings.Join(got, " ") != "6040@1.1" {
		t.Fatalf("installed %v", got)
	}
}

// Equal version: the same index again is accepted (no rollback) and,
// with everything installed, fetches nothing and installs nothing.
func TestEqualVersionNoOp(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6015", "6030")
	e.build(repo.BuildOptions{})
	cnt, _, url, ca := serveRepo(t, e)
	c := e.client(e.options(url, ca))
	if _, err := c.Download(context.Background(), download.Request{}); err != nil {
		t.Fatal(err)
	}
	state := e.state()
	e.resetInstalls()
	fetched := cnt.dsFetches()
	res, err := c.Download(context.Background(), download.Request{Installed: state})
	if err != nil || res.Version != 1 || res.Fetched != 0 || res.Unchanged != 2 {
		t.Fatalf("%v %s", err, res)
	}
	if cnt.dsFetches() != fetched {
		t.Fatal("the equal-version download fetched DS")
	}
	if _, calls := e.installed(); calls != 0 {
		t.Fatal("Install called for nothing")
	}
}

// Rollback: an index older than the one accepted is refused, before any
// DS is fetched.
func TestRollbackRefused(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6030")
	e.build(repo.BuildOptions{Version: 5})
	cnt, _, url, ca := serveRepo(t, e)
	if err := e.versions.SetValue("repository-index-version "+url, "6"); err != nil {
		t.Fatal(err)
	}
	res, err := e.client(e.options(url, ca)).Download(context.Background(), download.Request{})
	if !errors.Is(err, verify.ErrRollback) || !strings.Contains(err.Error(), "version 5, older than version 6") {
		t.Fatalf("err = %v", err)
	}
	if _, calls := e.installed(); calls != 0 || cnt.dsFetches() != 0 || res.Version != 0 {
		t.Fatalf("installed %d, fetched %d", calls, cnt.dsFetches())
	}
	if v, _ := e.versions.Value("repository-index-version " + url); v != "6" {
		t.Fatalf("stored version changed to %s", v)
	}
}

// A stored version that is not a number is not guessed away.
func TestCorruptStoredVersion(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6030")
	e.build(repo.BuildOptions{})
	_, _, url, ca := serveRepo(t, e)
	e.versions.SetValue("repository-index-version "+url, "x")
	if _, err := e.client(e.options(url, ca)).Download(context.Background(), download.Request{}); err == nil || !strings.Contains(err.Error(), "not a number") {
		t.Fatalf("err = %v", err)
	}
}

// A DS server whose answer lacks X-DS-Signature: refused.
func TestServeMissingSignatureHeader(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6030")
	e.build(repo.BuildOptions{})
	s, err := repo.NewServer(e.dir, repo.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	strip := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(headerDropper{w}, r)
	})
	url, ca := tlsServer(t, strip)
	_, err = e.client(e.options(url, ca)).Download(context.Background(), download.Request{})
	if !errors.Is(err, verify.ErrNoSignature) {
		t.Fatalf("err = %v", err)
	}
	if _, calls := e.installed(); calls != 0 {
		t.Fatal("Install called")
	}
}

// headerDropper removes X-DS-Signature before the answer is written.
type headerDropper struct{ http.ResponseWriter }

func (h headerDropper) WriteHeader(code int) {
	h.Header().Del(repo.SignatureHeader)
	h.ResponseWriter.WriteHeader(code)
}

func (h headerDropper) Write(p []byte) (int, error) {
	h.Header().Del(repo.SignatureHeader)
	return h.ResponseWriter.Write(p)
}
