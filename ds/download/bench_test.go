package download_test

import (
	"context"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/internal/testserver"
)

// Benchmark repository: 1,000 DS at revision 1.0, of which 10 were then
// raised to 1.1. The device runs all 1,000 at 1.0.
const (
	benchDS      = 1000
	benchChanged = 10
)

// benchRepo builds the benchmark repository and the device's state.
func benchRepo(b *testing.B) (*env, []download.Installed) {
	e := newEnv(b)
	all := ids(10000, benchDS)
	e.add("1.0", all...)
	e.build(repo.BuildOptions{})
	e.add("1.1", all[:benchChanged]...)
	e.build(repo.BuildOptions{})
	installed := make([]download.Installed, len(all))
	for i, id := range all {
		installed[i] = download.Installed{ID: id, Revision: "1.0", Status: ds.StatusRegistered}
	}
	return e, installed
}

// benchServers are the two ways a repository is served: nginx (GET
// fallback) and repo.Server (POST).
func benchServers(b *testing.B, e *env) map[string][2]string {
	ngx := testserver.StartNginx(b, e.dir)
	s, err := repo.NewServer(e.dir, repo.ServerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	url, ca := tlsServer(b, s)
	return map[string][2]string{"nginx": {ngx.URL, ngx.CAFile}, "serve": {url, ca}}
}

// BenchmarkRegularDownload: a regular download of the benchmark repository
// fetches the index and the 10 changed DS only. Reports the body bytes
// transferred per download.
func BenchmarkRegularDownload(b *testing.B) {
	e, installed := benchRepo(b)
	for _, name := range []string{"nginx", "serve"} {
		srv := benchServers(b, e)[name]
		b.Run(name, func(b *testing.B) {
			opts := e.options(srv[0], srv[1])
			opts.Clock = ds.RealClock{}
			opts.Install = func([]download.Item) error { return nil }
			c := e.client(opts)
			var res *download.Result
			for b.Loop() {
				var err error
				res, err = c.Download(context.Background(), download.Request{Installed: installed})
				if err != nil {
					b.Fatal(err)
				}
			}
			if res.Fetched != benchChanged || res.Unchanged != benchDS-benchChanged {
				b.Fatalf("%s", res)
			}
			b.ReportMetric(float64(res.Bytes), "xfer-bytes/op")
			b.ReportMetric(float64(res.Fetched), "DS-fetched/op")
		})
	}
}

// BenchmarkForcedDownloadAll: a forced download of all 1,000 DS.
func BenchmarkForcedDownloadAll(b *testing.B) {
	e, installed := benchRepo(b)
	for _, name := range []string{"nginx", "serve"} {
		srv := benchServers(b, e)[name]
		b.Run(name, func(b *testing.B) {
			opts := e.options(srv[0], srv[1])
			opts.Clock = ds.RealClock{}
			opts.Install = func([]download.Item) error { return nil }
			c := e.client(opts)
			var res *download.Result
			for b.Loop() {
				var err error
				res, err = c.Download(context.Background(), download.Request{Forced: true, Installed: installed})
				if err != nil {
					b.Fatal(err)
				}
			}
			if res.Fetched != benchDS {
				b.Fatalf("%s", res)
			}
			b.ReportMetric(float64(res.Bytes), "xfer-bytes/op")
			b.ReportMetric(float64(res.Fetched), "DS-fetched/op")
		})
	}
}
