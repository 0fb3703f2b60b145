package input

import (
	"context"
	"hash/maphash"
	"time"
)

// Sink takes the lines an input reads: a Queue, or Shards.
type Sink interface {
	// Offer queues it if there is room, without waiting.
	Offer(it Item) bool
	// OfferWait queues it, waiting up to wait for room.
	OfferWait(ctx context.Context, it Item, wait time.Duration) bool
}

// Shards are queues that spread the lines over several consumers, one per
// queue, while each sender's lines stay in order: a line goes to the queue
// of its sender's address (Item.Peer), or of its input when it has none (a
// file, stdin). A device's state in the detectors (its occurrence counts,
// its correlations) then sees its lines in the order it sent them, and
// the devices are evaluated on several cores at once.
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

// Of is the queue it goes to.
func (s *Shards) Of(it Item) *Queue {
	if len(s.qs) == 1 {
		return s.qs[0]
	}
	var h uint64
	if it.Peer.IsValid() {
		// The address, not the port: a device that reconnects, or sends
		// from another port, keeps its queue.
		b := it.Peer.Addr().As16()
		h = maphash.Bytes(s.seed, b[:])
	} else {
		h = maphash.String(s.seed, it.Input)
	}
	return s.qs[h%uint64(len(s.qs))]
}

// Offer queues it in its sender's queue if there is room there.
func (s *Shards) Offer(it Item) bool { return s.Of(it).Offer(it) }

// OfferWait queues it in its sender's queue, waiting up to wait for room.
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
