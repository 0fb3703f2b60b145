package script

import (
	"context"
	"testing"
	"time"
)

// trivial is the script whose start latency the benchmarks measure: it
// reads a variable and the event, and sets a variable.
const trivial = `local e = event_reqinfo() ds_seen = e.msg .. ds_hostname`

var benchEnv = Env{
	Vars:  map[string]string{"ds_hostname": "edge-1", "ds_signature_id": "6033"},
	Event: EventInfo{ID: 1, Type: "syslog", Msg: "%SYS-2-MALLOCFAIL: x", Time: time.Unix(1700000000, 0)},
}

func benchmarkStart(b *testing.B, opts Options) {
	r := NewRunner(opts)
	host := newFakeHost()
	s := Script{Name: "bench", Text: trivial}
	ctx := context.Background()
	if _, err := r.Run(ctx, s, benchEnv, host); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		res, err := r.Run(ctx, s, benchEnv, host)
		if err != nil || res.Vars["ds_seen"] == "" {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/start")
}

// BenchmarkStart is the start latency of a trivial script with the pool
// of prepared states and the compiled-chunk cache (the target is ≤100µs).
func BenchmarkStart(b *testing.B) { benchmarkStart(b, Options{}) }

// BenchmarkStartNoPool builds a fresh sandboxed state for every run.
func BenchmarkStartNoPool(b *testing.B) { benchmarkStart(b, Options{PoolSize: -1}) }
