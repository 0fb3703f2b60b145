package script

import (
	"context"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// runText runs src with a fresh fake host and no variables.
func runText(t *testing.T, r *Runner, src string) (Result, error) {
	t.Helper()
	return r.Run(context.Background(), Script{Name: "t", Text: src}, Env{}, newFakeHost())
}

// mustRun runs src and fails the test on an error.
func mustRun(t *testing.T, r *Runner, src string) Result {
	t.Helper()
	res, err := runText(t, r, src)
	if err != nil {
		t.Fatalf("%s\n=> %v", src, err)
	}
	return res
}

// stillWorks checks that the runner runs a script after whatever ran
// before it.
func stillWorks(t *testing.T, r *Runner) {
	t.Helper()
	res := mustRun(t, r, `local t = {} for i = 1, 10 do t[#t+1] = i end print("ok " .. table.concat(t, ","))`)
	if res.Output != "ok 1,2,3,4,5,6,7,8,9,10\n" {
		t.Fatalf("after the previous script, a simple one printed %q", res.Output)
	}
}

// heapUse is what the Go heap did while f ran: the peak of live and
// unswept objects over the level before (sampled every 100µs, after a
// collection), and the bytes allocated in all.
type heapUse struct {
	peak  uint64
	total uint64
}

func measureHeap(f func()) heapUse {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before, alloc0 := ms.HeapAlloc, ms.TotalAlloc
	var stop atomic.Bool
	var top atomic.Uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: heapObjects}}
		for !stop.Load() {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > top.Load() {
				top.Store(v)
			}
			// The sampling period, not a wait for anything: a missed
			// sample can only make the peak read lower.
			time.Sleep(100 * time.Microsecond)
		}
	}()
	f()
	stop.Store(true)
	<-done
	runtime.ReadMemStats(&ms)
	u := heapUse{total: ms.TotalAlloc - alloc0}
	if p := max(top.Load(), ms.HeapAlloc); p > before {
		u.peak = p - before
	}
	return u
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
