package input

import (
	"context"
	"hash/maphash"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

// Sink takes the lines an input reads: a Queue, or Shards.
type Sink interface {
	// Offer queues it if there is room, without waiting.
	Offer(it Item) bool
	// OfferWait queues it, waiting up to wait for room.
	OfferWait(ctx context.Context, it Item, wait time.Duration) bool
}

// Shards are queues that spread the lines over several consumers, one per
// queue, while each device's lines stay in order: a line goes to the queue
// of its device, the host its header names (a relay such as rsyslog sends
// the lines of many devices from its one address), else its sender's
// address (Item.Peer), else its input (a file, stdin): the host the pump
// gives the message. A device's state in the detectors (its occurrence
// counts, its correlations) then sees its lines in the order it sent them,
// and the devices are evaluated on several cores at once.
type Shards struct {
	qs   []*Queue
	seed maphash.Seed
}

// NewShards returns n queues (at least 1) of items Items and maxBytes
// bytes each, as NewQueue: one sender may fill its queue as a lone queue
// would let it.
func NewShards(n, items, maxBytes int) *Shards {
	s := &Shards{qs: make([]*Queue, max(n, 1)), seed: maphash.MakeSeed()}
	for i := range s.qs {
		s.qs[i] = NewQueue(items, maxBytes)
	}
	return s
}

// Queues are the shards' queues: each wants its own consumer.
func (s *Shards) Queues() []*Queue { return s.qs }

// Of is the queue it goes to. With more than one, the line is parsed for
// its host in the caller's goroutine (the input's reader), and parsed
// again by the shard's consumer: a parsed message is nearly four times an
// Item, and the queues hold 100 ms of lines at 300,000 a second.
func (s *Shards) Of(it Item) *Queue {
	if len(s.qs) == 1 {
		return s.qs[0]
	}
	var m events.Message
	syslogmsg.ParseIn(it.Line, it.Received, nil, &m)
	var h uint64
	switch {
	case m.Host != "":
		h = maphash.String(s.seed, m.Host)
	case it.Peer.IsValid():
		// The address, not the port: a device that reconnects, or sends
		// from another port, keeps its queue.
		b := it.Peer.Addr().As16()
		h = maphash.Bytes(s.seed, b[:])
	default:
		h = maphash.String(s.seed, it.Input)
	}
	return s.qs[h%uint64(len(s.qs))]
}

// Offer queues it in its device's queue if there is room there.
func (s *Shards) Offer(it Item) bool { return s.Of(it).Offer(it) }

// OfferWait queues it in its device's queue, waiting up to wait for room.
func (s *Shards) OfferWait(ctx context.Context, it Item, wait time.Duration) bool {
	return s.Of(it).OfferWait(ctx, it, wait)
}

// Len is the number of Items queued in all the shards.
func (s *Shards) Len() int {
	n := 0
	for _, q := range s.qs {
		n += q.Len()
	}
	return n
}

// Cap is the most Items one shard holds: `syslog queue-size`.
func (s *Shards) Cap() int { return s.qs[0].Cap() }
