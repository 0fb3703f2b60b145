package input

import (
	"context"
	"sync/atomic"
	"time"
)

// Queue is the bounded queue between the inputs and the detectors. It holds
// at most a fixed number of Items and of line bytes; Offer never blocks, and
// OfferWait blocks for a bounded time. It is safe for any number of
// producers and consumers.
type Queue struct {
	ch       chan Item
	bytes    atomic.Int64 // line bytes queued or reserved by an Offer under way
	maxBytes int64
	space    chan struct{} // signalled when a Get frees bytes, for OfferWait
}

// NewQueue returns a Queue of at most items Items (at least 1) and maxBytes
// bytes of lines. maxBytes <= 0 means items × MaxLine, that is no limit
// beyond the item count. A line larger than maxBytes is still accepted by an
// empty queue, so a queue never refuses every line.
func NewQueue(items, maxBytes int) *Queue {
	if items < 1 {
		items = 1
	}
	if maxBytes <= 0 {
		maxBytes = items * MaxLine
	}
	return &Queue{
		ch:       make(chan Item, items),
		maxBytes: int64(maxBytes),
		space:    make(chan struct{}, 1),
	}
}

// Offer queues it if there is room and reports whether it did. It never
// blocks.
func (q *Queue) Offer(it Item) bool {
	n := int64(len(it.Line))
	if !q.reserve(n) {
		return false
	}
	select {
	case q.ch <- it:
		return true
	default:
		q.bytes.Add(-n)
		return false
	}
}

// OfferWait queues it, waiting up to wait for room; it reports whether it
// queued it. It returns false at once when ctx is done, and behaves as Offer
// when wait <= 0.
func (q *Queue) OfferWait(ctx context.Context, it Item, wait time.Duration) bool {
	if q.Offer(it) {
		return true
	}
	if wait <= 0 || ctx.Err() != nil {
		return false
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	n := int64(len(it.Line))
	for {
		if q.reserve(n) {
			select {
			case q.ch <- it:
				return true
			case <-timer.C:
			case <-ctx.Done():
			}
			q.bytes.Add(-n)
			return false
		}
		select {
		case <-q.space:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// reserve adds n to the queued bytes if that stays within the limit (or the
// queue held no bytes) and reports whether it did.
func (q *Queue) reserve(n int64) bool {
	after := q.bytes.Add(n)
	if after <= q.maxBytes || after == n {
		return true
	}
	q.bytes.Add(-n)
	return false
}

// Get returns the next Item, waiting until there is one or ctx is done.
func (q *Queue) Get(ctx context.Context) (Item, error) {
	select {
	case it := <-q.ch:
		q.release(it)
		return it, nil
	case <-ctx.Done():
		return Item{}, ctx.Err()
	}
}

// TryGet returns the next Item if there is one, without waiting.
func (q *Queue) TryGet() (Item, bool) {
	select {
	case it := <-q.ch:
		q.release(it)
		return it, true
	default:
		return Item{}, false
	}
}

// release returns it's bytes to the budget and wakes one OfferWait.
func (q *Queue) release(it Item) {
	q.bytes.Add(-int64(len(it.Line)))
	select {
	case q.space <- struct{}{}:
	default:
	}
}

// Len is the number of Items queued.
func (q *Queue) Len() int { return len(q.ch) }

// Cap is the most Items the queue holds.
func (q *Queue) Cap() int { return cap(q.ch) }

// Bytes is the number of line bytes queued (including those of Offers
// under way).
func (q *Queue) Bytes() int { return int(q.bytes.Load()) }

// MaxBytes is the most line bytes the queue holds.
func (q *Queue) MaxBytes() int { return int(q.maxBytes) }
