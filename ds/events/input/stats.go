package input

import "sync/atomic"

// Counters are an input's counters, updated with atomics on the hot path.
// The zero value is ready to use.
type Counters struct {
	Received      atomic.Uint64 // lines read (each non-empty datagram, frame or line)
	Delivered     atomic.Uint64 // lines queued
	Dropped       atomic.Uint64 // lines dropped because the queue was full
	Oversize      atomic.Uint64 // lines longer than MaxLine, cut and delivered
	FramingErrors atomic.Uint64 // tcp: a wrong octet count or a frame cut by the peer closing
	ReadErrors    atomic.Uint64 // failed reads (other than closing)
	KernelDrops   atomic.Uint64 // udp: datagrams the kernel dropped because the socket buffer was full
	Connections   atomic.Int64  // tcp: connections open now
	Accepted      atomic.Uint64 // tcp: connections accepted
	Rejected      atomic.Uint64 // tcp: connections closed at once because MaxConns were open and none was idle
	IdleClosed    atomic.Uint64 // tcp: connections closed after the idle timeout, or to make room at MaxConns
	Rotations     atomic.Uint64 // file: the path named a new file and the input moved to it
	Truncations   atomic.Uint64 // file: the file shrank and was read again from its start
}

// Offer offers it to q without waiting and counts it received, and
// delivered or dropped; it reports whether q took it.
func (c *Counters) Offer(q Sink, it Item) bool {
	c.Received.Add(1)
	if !q.Offer(it) {
		c.Dropped.Add(1)
		return false
	}
	c.Delivered.Add(1)
	return true
}

// Stats is a snapshot of an input's Counters for `show event manager
// statistics` and the metrics.
type Stats struct {
	Input         string
	Received      uint64
	Delivered     uint64
	Dropped       uint64
	Oversize      uint64
	FramingErrors uint64
	ReadErrors    uint64
	KernelDrops   uint64
	Connections   int64
	Accepted      uint64
	Rejected      uint64
	IdleClosed    uint64
	Rotations     uint64
	Truncations   uint64
}

// Snapshot reads every counter. Delivered and Dropped are read before
// Received, so a snapshot never shows more lines delivered or dropped than
// received.
func (c *Counters) Snapshot(name string) Stats {
	s := Stats{Input: name}
	s.Delivered = c.Delivered.Load()
	s.Dropped = c.Dropped.Load()
	s.Received = c.Received.Load()
	s.Oversize = c.Oversize.Load()
	s.FramingErrors = c.FramingErrors.Load()
	s.ReadErrors = c.ReadErrors.Load()
	s.KernelDrops = c.KernelDrops.Load()
	s.Connections = c.Connections.Load()
	s.Accepted = c.Accepted.Load()
	s.Rejected = c.Rejected.Load()
	s.IdleClosed = c.IdleClosed.Load()
	s.Rotations = c.Rotations.Load()
	s.Truncations = c.Truncations.Load()
	return s
}
