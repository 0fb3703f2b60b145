package input

import (
	"context"
	"net/netip"
	"time"
)

// Emitter turns the lines one input reads into queued Items: it copies each
// line, stamps it, cuts it to MaxLine, counts it and offers it to the Queue.
// Readers of one input may share it from several goroutines.
type Emitter struct {
	name    string
	now     func() time.Time
	q       Sink
	c       *Counters
	maxLine int
	wait    time.Duration // 0: never wait (datagram inputs)
}

// NewEmitter returns the Emitter of an input with options o (defaults
// applied) that counts into c and offers to q. A stream input (stream set)
// waits up to o.Wait for queue space; a datagram input never waits.
func NewEmitter(o Options, q Sink, c *Counters, stream bool) *Emitter {
	e := &Emitter{name: o.Name, now: o.Now, q: q, c: c, maxLine: o.MaxLine}
	if stream && o.Wait > 0 {
		e.wait = o.Wait
	}
	return e
}

// MaxLine is the longest line Emit delivers whole.
func (e *Emitter) MaxLine() int { return e.maxLine }

// Emit queues a copy of line from peer and reports whether it was queued.
// truncated says the reader already cut the line (it read more than MaxLine
// bytes); a line longer than MaxLine is cut here. Either way the line counts
// as oversize. An empty line is ignored and not counted.
func (e *Emitter) Emit(ctx context.Context, line []byte, peer netip.AddrPort, truncated bool) bool {
	return e.EmitWith(ctx, nil, line, peer, truncated)
}

// EmitWith is Emit copying the line with cp (nil: a new slice per line). A
// reader goroutine keeps one Copier, so that a line costs no allocation of
// its own.
func (e *Emitter) EmitWith(ctx context.Context, cp *Copier, line []byte, peer netip.AddrPort, truncated bool) bool {
	if len(line) == 0 {
		return false
	}
	received := e.now()
	e.c.Received.Add(1)
	if len(line) > e.maxLine {
		line = line[:e.maxLine]
		truncated = true
	}
	if truncated {
		e.c.Oversize.Add(1)
	}
	var copied []byte
	if cp != nil {
		copied = cp.Copy(line)
	} else {
		copied = append([]byte(nil), line...)
	}
	it := Item{
		Line:      copied,
		Received:  received,
		Peer:      peer,
		Input:     e.name,
		Truncated: truncated,
	}
	var ok bool
	if e.wait > 0 {
		ok = e.q.OfferWait(ctx, it, e.wait)
	} else {
		ok = e.q.Offer(it)
	}
	if ok {
		e.c.Delivered.Add(1)
	} else {
		e.c.Dropped.Add(1)
		if cp != nil {
			cp.undo(copied)
		}
	}
	return ok
}
