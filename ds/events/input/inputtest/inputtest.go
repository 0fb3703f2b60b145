package inputtest

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

// Timeout bounds every wait of this package.
const Timeout = 10 * time.Second

// Running is an input started by Start.
type Running struct {
	In     input.Input
	Q      *input.Queue
	cancel context.CancelFunc
	done   chan error
}

// Start runs in with q in its own goroutine. Stop (called by t.Cleanup if
// the test does not) cancels it and fails the test if Run does not return
// nil within Timeout.
func Start(t testing.TB, in input.Input, q *input.Queue) *Running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{In: in, Q: q, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx, q) }()
	t.Cleanup(func() { r.Stop(t) })
	return r
}

// Stop cancels the input and waits for Run to return; it fails the test if
// Run returns an error or does not return within Timeout. Calling it again
// does nothing.
func (r *Running) Stop(t testing.TB) {
	t.Helper()
	r.cancel()
	if r.done == nil {
		return
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("%s: Run: %v", r.In.Name(), err)
		}
	case <-time.After(Timeout):
		t.Errorf("%s: Run did not return within %s of cancel", r.In.Name(), Timeout)
	}
	r.done = nil
}

// Done waits up to d for Run to return by itself and returns whether it did
// and what it returned.
func (r *Running) Done(d time.Duration) (returned bool, err error) {
	select {
	case err := <-r.done:
		r.done = nil
		return true, err
	case <-time.After(d):
		return false, nil
	}
}

// Collect takes n Items from q, failing the test if they do not all arrive
// within Timeout.
func Collect(t testing.TB, q *input.Queue, n int) []input.Item {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	var items []input.Item
	for len(items) < n {
		it, err := q.Get(ctx)
		if err != nil {
			t.Fatalf("got %d of %d items within %s; the last: %q", len(items), n, Timeout, tail(items))
		}
		items = append(items, it)
	}
	return items
}

// CollectUntil takes Items from q until one's line contains marker, and
// returns them all (the marker's included), failing the test after Timeout.
func CollectUntil(t testing.TB, q *input.Queue, marker string) []input.Item {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	var items []input.Item
	for {
		it, err := q.Get(ctx)
		if err != nil {
			t.Fatalf("no line containing %q within %s; got %d, the last: %q", marker, Timeout, len(items), tail(items))
		}
		items = append(items, it)
		if strings.Contains(string(it.Line), marker) {
			return items
		}
	}
}

// tail returns the lines of the last few items, for failure messages.
func tail(items []input.Item) []string {
	if len(items) > 5 {
		items = items[len(items)-5:]
	}
	return Lines(items)
}

// Lines returns the items' lines as strings.
func Lines(items []input.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it.Line)
	}
	return out
}

// Parse parses an Item's line as the detectors do.
func Parse(it input.Item) events.Message {
	var m events.Message
	syslogmsg.Parse(it.Line, it.Received, &m)
	return m
}

// WaitStats waits until cond holds for in's Stats, failing the test with the
// last Stats after Timeout.
func WaitStats(t testing.TB, in input.Input, cond func(input.Stats) bool) input.Stats {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		s := in.Stats()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: condition not met within %s; stats %+v", in.Name(), Timeout, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Goroutines returns a function that fails the test if more goroutines run
// than when Goroutines was called, waiting up to Timeout for them to end.
func Goroutines(t testing.TB) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(Timeout)
		for {
			n := runtime.NumGoroutine()
			if n <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutine leak: %d running, %d before:\n%s", n, before, buf)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
