package source

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Source is one native event source of the host.
type Source interface {
	// Name is the source's name in statistics and logs: its
	// configuration line without "source " ("netlink", "kmsg").
	Name() string
	// Run watches the facility and hands its events to env until ctx
	// ends; it releases what it opened before it returns. It returns nil
	// when ctx ended and an error only when it could not go on (the
	// daemon logs it and keeps running without the source). Run is called
	// at most once.
	Run(ctx context.Context, env Env) error
	// Stats is a snapshot of the source's counters, safe to call at any
	// time from any goroutine.
	Stats() Stats
}

// Env is what a running source delivers to and reads time from.
type Env struct {
	// Clock stamps events the facility does not stamp itself, and runs
	// the source's timers and polls.
	Clock ds.Clock
	// Log is the daemon's logger, with the source's name.
	Log *slog.Logger
	// Hostname is the device's name (the configuration's hostname).
	Hostname string
	// Syslog delivers one IOS-shaped message the host raised, as the
	// device's own logging would: line is the message from its %TAG
	// ("%LINK-3-UPDOWN: Interface veth1, changed state to down"), at is
	// when the facility saw it. The line goes through the pump, the
	// detectors and the alert groups like a received one, with the
	// device's host name. It never blocks: false means the queue to the
	// detectors was full and the line was dropped (count it).
	Syslog func(at time.Time, line string) bool
	// Publish hands a typed event to the detectors of its type
	// (detector.HostInput): a route change to `event routing`, a
	// neighbor change to `event neighbor-discovery`. It runs the
	// detectors in the caller's goroutine; they only queue work.
	Publish func(e detector.HostEvent)
}

// Descriptor describes one source to the table.
type Descriptor struct {
	// Name is the word of the configuration line: "source netlink".
	Name string
	// Summary says in one line what the source raises, for the docs'
	// table and `?`.
	Summary string
	// Usage is the line with its arguments: "source netlink [poll SECONDS]".
	Usage string
	// New checks the arguments and returns the source, opening nothing
	// (config check calls it too): an error names the argument and what
	// is expected.
	New func(args []string) (Source, error)
}

// Stats are a source's counters.
type Stats struct {
	Source    string    // the source's Name
	Events    uint64    // events handed on (syslog lines and typed events)
	Dropped   uint64    // events dropped: a full queue, a flood beyond the source's bound
	Errors    uint64    // records the source could not read or understand
	LastEvent time.Time // when the last event was handed on; zero before the first
}

// Counters are the counters a source keeps, safe for concurrent use.
type Counters struct {
	Events, Dropped, Errors atomic.Uint64
	last                    atomic.Int64 // UnixNano of the last event
}

// Event counts one event handed on at t.
func (c *Counters) Event(t time.Time) {
	c.Events.Add(1)
	c.last.Store(t.UnixNano())
}

// Publish counts e as handed on at t and hands it to env.Publish. The
// count comes first: a detector may act on e (an applet writes its file)
// before Publish returns, and the counters must not lag what they count.
func (c *Counters) Publish(env Env, t time.Time, e detector.HostEvent) {
	c.Event(t)
	env.Publish(e)
}

// Syslog delivers line through env and counts it as handed on or
// dropped; it returns whether the line was queued.
func (c *Counters) Syslog(env Env, at time.Time, line string) bool {
	if !env.Syslog(at, line) {
		c.Dropped.Add(1)
		return false
	}
	c.Event(at)
	return true
}

// Snapshot returns the counters as Stats of the source name.
func (c *Counters) Snapshot(name string) Stats {
	s := Stats{Source: name, Events: c.Events.Load(), Dropped: c.Dropped.Load(), Errors: c.Errors.Load()}
	if n := c.last.Load(); n != 0 {
		s.LastEvent = time.Unix(0, n)
	}
	return s
}
