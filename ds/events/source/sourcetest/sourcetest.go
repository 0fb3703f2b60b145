// Package sourcetest records what a native event source hands on, for the
// sources' tests: one sink instead of a copy in each source's tests.
package sourcetest

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/source"
)

// Sink collects the lines (with their times) and the typed events a
// source hands on.
type Sink struct {
	mu     sync.Mutex
	lines  []string
	times  []time.Time
	events []detector.HostEvent
	more   chan struct{} // poked at each line or event
}

// NewSink returns an empty sink.
func NewSink() *Sink { return &Sink{more: make(chan struct{}, 1)} }

// Env is the source environment that records into k, on clk, with the
// host name edge-1 and a discarded log.
func (k *Sink) Env(clk ds.Clock) source.Env {
	return source.Env{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Hostname: "edge-1",
		Syslog: func(at time.Time, line string) bool {
			k.mu.Lock()
			k.lines, k.times = append(k.lines, line), append(k.times, at)
			k.mu.Unlock()
			k.poke()
			return true
		},
		Publish: func(e detector.HostEvent) {
			k.mu.Lock()
			k.events = append(k.events, e)
			k.mu.Unlock()
			k.poke()
		}}
}

func (k *Sink) poke() {
	select {
	case k.more <- struct{}{}:
	default:
	}
}

// Wait returns the first line cond accepts and its time, waiting up to
// 20 s for it; the test fails without it, listing the lines.
func (k *Sink) Wait(t testing.TB, what string, cond func(line string) bool) (string, time.Time) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		k.mu.Lock()
		for i, l := range k.lines {
			if cond(l) {
				at := k.times[i]
				k.mu.Unlock()
				return l, at
			}
		}
		k.mu.Unlock()
		select {
		case <-k.more:
		case <-deadline:
			var ls []string
			for _, l := range k.Lines() {
				ls = append(ls, l[:min(len(l), 100)])
			}
			t.Fatalf("no %s in %d lines:\n%s", what, len(ls), strings.Join(ls, "\n"))
		}
	}
}

// WaitEvents waits up to 20 s until the sink holds n typed events, and
// returns them; the test fails without them.
func (k *Sink) WaitEvents(t testing.TB, what string, n int) []detector.HostEvent {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if evs := k.Events(); len(evs) >= n {
			return evs
		}
		select {
		case <-k.more:
		case <-deadline:
			t.Fatalf("no %s: %d events, want %d", what, len(k.Events()), n)
		}
	}
}

// Has reports whether a line contains text.
func (k *Sink) Has(text string) bool {
	for _, l := range k.Lines() {
		if strings.Contains(l, text) {
			return true
		}
	}
	return false
}

// Lines returns a copy of the lines so far.
func (k *Sink) Lines() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.lines...)
}

// Events returns a copy of the typed events so far.
func (k *Sink) Events() []detector.HostEvent {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]detector.HostEvent(nil), k.events...)
}

// Run runs s until the test ends, and fails the test when Run returns an
// error.
func Run(t testing.TB, s source.Source, env source.Env) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, env) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}
