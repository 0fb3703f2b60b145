package outbox

import (
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/notify/transport"
)

// Stats collects the counters of "show call-home statistics". It is safe
// for concurrent use; the rate limiter and the outbox share one.
type Stats struct {
	mu       sync.Mutex
	counts   map[statKey]int64
	lastSent time.Time
}

// counter names a block of the statistics table.
type counter int

const (
	success counter = iota
	inQueue
	failed
	dropped
)

type statKey struct {
	c         counter
	typ       MessageType
	transport string
}

// NewStats returns zeroed statistics.
func NewStats() *Stats { return &Stats{counts: map[statKey]int64{}} }

func (s *Stats) add(c counter, typ MessageType, tr string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[statKey{c, typ, tr}] += n
}

// sent records a successful delivery at t.
func (s *Stats) sent(typ MessageType, tr string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[statKey{success, typ, tr}]++
	s.counts[statKey{inQueue, typ, tr}]--
	if t.After(s.lastSent) {
		s.lastSent = t
	}
}

// Snapshot returns the counters as they are now.
func (s *Stats) Snapshot() Statistics {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Statistics{
		Success: Table{}, InQueue: Table{}, Failed: Table{}, RatelimitDropped: Table{},
		LastSent: s.lastSent,
	}
	for k, n := range s.counts {
		var t Table
		switch k.c {
		case success:
			t = st.Success
		case inQueue:
			t = st.InQueue
		case failed:
			t = st.Failed
		case dropped:
			t = st.RatelimitDropped
		}
		c := t[k.typ]
		switch k.transport {
		case transport.NameEmail:
			c.Email += n
		case transport.NameHTTP:
			c.HTTP += n
		}
		t[k.typ] = c
	}
	return st
}

// Statistics is the table of "show call-home statistics": four blocks of
// message types × Total, Email, HTTP.
type Statistics struct {
	Success          Table
	InQueue          Table
	Failed           Table
	RatelimitDropped Table
	// LastSent is when a message was last delivered ("Last call-home
	// message sent time"); zero if none was.
	LastSent time.Time
}

// Table counts per message type; a type that never occurred is absent
// (its Count is zero).
type Table map[MessageType]Count

// Count is one row: a count per transport.
type Count struct {
	Email int64
	HTTP  int64
}

// Total is the "Total" column.
func (c Count) Total() int64 { return c.Email + c.HTTP }

// Total is the block's "Total ..." row: the sum over message types.
func (t Table) Total() Count {
	var sum Count
	for _, c := range t {
		sum.Email += c.Email
		sum.HTTP += c.HTTP
	}
	return sum
}
