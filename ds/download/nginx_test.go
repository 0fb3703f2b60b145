package download_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/verify"
	"github.com/dsengine/dsengine/internal/testserver"
)

// requestsSince returns the nginx requests after the first n.
func requestsSince(t *testing.T, n *testserver.Nginx, from int) []testserver.NginxRequest {
	t.Helper()
	return n.Requests(t)[from:]
}

// dsGets lists the DS files (not signatures) among reqs.
func dsGets(reqs []testserver.NginxRequest) []string {
	var out []string
	for _, r := range reqs {
		if r.Method == "GET" && strings.HasPrefix(r.Path, "/ds/") && strings.HasSuffix(r.Path, ".xml") {
			out = append(out, r.Path)
		}
	}
	slices.Sort(out)
	return out
}

// A real nginx over HTTPS serves a built repository. It answers the POST
// with 404, so the client reads index.xml and index.xml.asc; a regular
// download fetches everything the first time and, after a rebuild, only
// the DS whose revision changed.
func TestNginxRegularDownload(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6015", "6030", "6040")
	e.build(repo.BuildOptions{})
	ngx := testserver.StartNginx(t, e.dir)
	c := e.client(e.options(ngx.URL, ngx.CAFile))
	ctx := context.Background()

	res, err := c.Download(ctx, download.Request{})
	if err != nil {
		t.Fatalf("%v\n%s", err, ngx.ErrorLog())
	}
	if res.Source != download.SourceFiles || res.Version != 1 || res.Fetched != 3 || res.Failed != 0 || res.Signer == nil {
		t.Fatalf("first download: %s", res)
	}
	got, calls := e.installed()
	if calls != 1 || strings.Join(got, " ") != "6015@1.0 6030@1.0 6040@1.0" {
		t.Fatalf("installed %v in %d calls", got, calls)
	}
	reqs := ngx.Requests(t)
	if reqs[0].Method != "POST" || reqs[0].Path != "/request" || reqs[0].Status != 404 {
		t.Fatalf("first request %+v, want the POST answered 404", reqs[0])
	}
	if len(dsGets(reqs)) != 3 {
		t.Fatalf("DS fetched: %v", dsGets(reqs))
	}
	// nginx logs a request after it has answered it: the last lines may
	// come just after the client has its answer.
	var sent int64
	testserver.Poll(5*time.Second, 10*time.Millisecond, func() bool {
		sent = 0
		for _, r := range ngx.Requests(t) {
			sent += r.Bytes
		}
		return sent >= res.Bytes
	})
	if res.Bytes <= 0 || res.Bytes > sent {
		t.Fatalf("result bytes %d, nginx sent %d body bytes (error pages included)", res.Bytes, sent)
	}
	if v := e.versions.All()[c.VersionKey()]; v != "1" || c.VersionKey() != "repository-index-version "+ngx.URL {
		t.Fatalf("stored versions %v", e.versions.All())
	}

	// One DS changes revision: only it is fetched.
	e.add("1.1", "6030")
	e.build(repo.BuildOptions{})
	before := len(ngx.Requests(t))
	state := e.state()
	e.resetInstalls()
	res, err = c.Download(ctx, download.Request{Installed: state})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 2 || res.Fetched != 1 || res.Unchanged != 2 {
		t.Fatalf("second download: %s", res)
	}
	if got := dsGets(requestsSince(t, ngx, before)); strings.Join(got, " ") != "/ds/6030-1.1.xml" {
		t.Fatalf("fetched %v, want only 6030 1.1", got)
	}
	if got, _ := e.installed(); strings.Join(got, " ") != "6030@1.1" {
		t.Fatalf("installed %v", got)
	}
	if r, _ := res.Get("6030"); r.Installed != "1.0" || r.Revision != "1.1" || r.Record().Result != "ok" || r.Bytes == 0 {
		t.Fatalf("6030 result %+v", r)
	}
	if r, _ := res.Get("6015"); r.Outcome != download.Unchanged || r.Record().Result != "unchanged" {
		t.Fatalf("6015 result %+v", r)
	}

	// A forced download of all fetches every DS again.
	before = len(ngx.Requests(t))
	e.resetInstalls()
	var progress []download.Progress
	opts := e.options(ngx.URL, ngx.CAFile)
	opts.Progress = func(p download.Progress) { progress = append(progress, p) }
	res, err = e.client(opts).Download(ctx, download.Request{Forced: true, Installed: e.state()})
	if err != nil || res.Fetched != 3 {
		t.Fatalf("forced: %v %s", err, res)
	}
	if n := len(dsGets(requestsSince(t, ngx, before))); n != 3 {
		t.Fatalf("forced download fetched %d DS", n)
	}
	if len(progress) != 3 || progress[2].Done != 3 || progress[2].Total != 3 || progress[2].Bytes == 0 {
		t.Fatalf("progress %+v", progress)
	}
}

// A missing index.xml.asc on a file server: the index is refused and
// nothing is installed.
func TestNginxMissingIndexSignature(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6030")
	e.build(repo.BuildOptions{})
	if err := os.Remove(filepath.Join(e.dir, "index.xml.asc")); err != nil {
		t.Fatal(err)
	}
	ngx := testserver.StartNginx(t, e.dir)
	res, err := e.client(e.options(ngx.URL, ngx.CAFile)).Download(context.Background(), download.Request{})
	if !errors.Is(err, verify.ErrNoSignature) {
		t.Fatalf("err = %v", err)
	}
	if _, calls := e.installed(); calls != 0 || res.Version != 0 || len(dsGets(ngx.Requests(t))) != 0 {
		t.Fatalf("installed %d times, version %d", calls, res.Version)
	}
}

// nginx with a certificate from a CA the client does not trust, and
// nginx with a certificate for another host name: refused at once, not
// retried, nothing installed.
func TestNginxTLSRefused(t *testing.T) {
	e := newEnv(t)
	e.add("1.0", "6030")
	e.build(repo.BuildOptions{})
	ngx := testserver.StartNginx(t, e.dir)
	otherCA := testserver.NewTestCA(t, t.TempDir())
	misnamed := testserver.StartNginxWith(t, e.dir, testserver.NginxOptions{CertNames: []string{"repo.example.net"}})
	cases := []struct {
		name, url, ca, want string
	}{
		{"untrusted CA", ngx.URL, otherCA.CAFile, "not issued by a trusted CA"},
		{"system roots", ngx.URL, "", "not issued by a trusted CA"},
		{"wrong host name", misnamed.URL, misnamed.CAFile, "for another host"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.client(e.options(c.url, c.ca)).Download(context.Background(), download.Request{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if w := e.clock.Waits(); len(w) != 0 {
				t.Fatalf("a certificate failure was retried: %v", w)
			}
		})
	}
	if _, calls := e.installed(); calls != 0 {
		t.Fatal("Install was called")
	}
	if n := len(ngx.Requests(t)) + len(misnamed.Requests(t)); n != 0 {
		t.Fatalf("%d HTTP requests got through", n)
	}
}
