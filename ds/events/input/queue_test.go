package input

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func item(s string) Item { return Item{Line: []byte(s)} }

func TestQueueItemLimit(t *testing.T) {
	q := NewQueue(2, 0)
	if !q.Offer(item("a")) || !q.Offer(item("b")) || q.Offer(item("c")) {
		t.Fatal("a queue of 2 did not take exactly 2")
	}
	if q.Len() != 2 || q.Cap() != 2 || q.Bytes() != 2 || q.MaxBytes() != 2*MaxLine {
		t.Errorf("len %d cap %d bytes %d max %d", q.Len(), q.Cap(), q.Bytes(), q.MaxBytes())
	}
	if it, ok := q.TryGet(); !ok || string(it.Line) != "a" {
		t.Errorf("TryGet %q %v", it.Line, ok)
	}
	if !q.Offer(item("c")) {
		t.Error("no room after TryGet")
	}
	for _, want := range []string{"b", "c"} {
		it, err := q.Get(context.Background())
		if err != nil || string(it.Line) != want {
			t.Errorf("Get %q %v, want %q", it.Line, err, want)
		}
	}
	if _, ok := q.TryGet(); ok || q.Bytes() != 0 {
		t.Errorf("empty queue: bytes %d", q.Bytes())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := q.Get(ctx); err == nil {
		t.Error("Get on an empty queue returned")
	}
}

func TestQueueByteLimit(t *testing.T) {
	q := NewQueue(100, 10)
	if !q.Offer(item("123456")) || q.Offer(item("12345")) || !q.Offer(item("1234")) || q.Offer(item("1")) {
		t.Fatal("byte limit not kept")
	}
	q.TryGet()
	q.TryGet()
	// An empty queue takes a line larger than its byte limit.
	if !q.Offer(item(strings.Repeat("x", 50))) || q.Offer(item("1")) {
		t.Error("oversize line on an empty queue")
	}
	if NewQueue(0, 0).Cap() != 1 {
		t.Error("capacity below 1")
	}
}

// TestOfferWait runs in a synctest bubble: time is the bubble's fake
// clock, and synctest.Wait returns once OfferWait is blocked, waiting for
// room.
func TestOfferWait(t *testing.T) {
	t.Run("times out", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := NewQueue(1, 0)
			q.Offer(item("a"))
			begin := time.Now()
			if q.OfferWait(context.Background(), item("b"), 30*time.Millisecond) {
				t.Error("offered into a full queue")
			}
			if d := time.Since(begin); d != 30*time.Millisecond {
				t.Errorf("waited %v", d)
			}
			if q.OfferWait(context.Background(), item("b"), 0) || q.Bytes() != 1 {
				t.Errorf("no wait: bytes %d", q.Bytes())
			}
		})
	})
	// offerWaiting starts an OfferWait of "b" into the full q and returns
	// once it waits for room; its result comes on the channel.
	offerWaiting := func(t *testing.T, ctx context.Context, q *Queue) <-chan bool {
		t.Helper()
		queued := make(chan bool, 1)
		go func() { queued <- q.OfferWait(ctx, item("b"), 10*time.Second) }()
		synctest.Wait()
		select {
		case ok := <-queued:
			t.Fatalf("OfferWait returned %v at once on a full queue", ok)
		default:
		}
		return queued
	}
	t.Run("gets room", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for _, q := range []*Queue{NewQueue(1, 0), NewQueue(10, 1)} {
				q.Offer(item("a"))
				queued := offerWaiting(t, context.Background(), q)
				q.TryGet()
				if !<-queued {
					t.Error("no room after a Get")
				}
				if it, _ := q.TryGet(); string(it.Line) != "b" {
					t.Errorf("got %q", it.Line)
				}
			}
		})
	})
	t.Run("cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for _, q := range []*Queue{NewQueue(1, 0), NewQueue(10, 1)} {
				q.Offer(item("a"))
				ctx, cancel := context.WithCancel(context.Background())
				queued := offerWaiting(t, ctx, q)
				begin := time.Now()
				cancel()
				if <-queued {
					t.Error("offered after cancel")
				}
				if d := time.Since(begin); d != 0 {
					t.Errorf("returned %v after the cancel", d)
				}
				if q.Bytes() != 1 {
					t.Errorf("bytes %d", q.Bytes())
				}
			}
		})
	})
}

func TestQueueConcurrent(t *testing.T) {
	q := NewQueue(8, 64)
	const producers, each = 4, 2000
	var wg sync.WaitGroup
	var mu sync.Mutex
	offered := 0
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for i := range each {
				it := item(fmt.Sprintf("%d-%d", p, i))
				if p%2 == 0 && q.Offer(it) || p%2 == 1 && q.OfferWait(context.Background(), it, time.Millisecond) {
					n++
				}
			}
			mu.Lock()
			offered += n
			mu.Unlock()
		}()
	}
	got := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		if _, ok := q.TryGet(); ok {
			got++
			continue
		}
		select {
		case <-done:
			for {
				if _, ok := q.TryGet(); !ok {
					break
				}
				got++
			}
			if got != offered || q.Bytes() != 0 {
				t.Errorf("offered %d, got %d, bytes left %d", offered, got, q.Bytes())
			}
			return
		default:
		}
	}
}

func TestEmitter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := Options{Name: "test", Now: func() time.Time { return now }, MaxLine: 8}.WithDefaults("ignored")
	if o.Name != "test" || o.Wait != DefaultWait || o.MaxLine != 8 {
		t.Fatalf("defaults %+v", o)
	}
	q := NewQueue(2, 0)
	var c Counters
	e := NewEmitter(o, q, &c, false)
	peer := netip.MustParseAddrPort("192.0.2.1:514")
	buf := []byte("<13>hello")
	e.Emit(context.Background(), buf[:8], peer, false)
	e.Emit(context.Background(), buf, peer, false)
	e.Emit(context.Background(), nil, peer, false) // empty: not a message
	e.Emit(context.Background(), []byte("x"), peer, true)
	copy(buf, "XXXXXXXXX") // the queued lines are copies
	a, _ := q.TryGet()
	b, _ := q.TryGet()
	if string(a.Line) != "<13>hell" || a.Truncated || a.Received != now || a.Peer != peer || a.Input != "test" {
		t.Errorf("first %+v", a)
	}
	if !bytes.Equal(b.Line, []byte("<13>hell")) || !b.Truncated {
		t.Errorf("second %+v", b)
	}
	s := c.Snapshot("test")
	want := Stats{Input: "test", Received: 3, Delivered: 2, Dropped: 1, Oversize: 2}
	if s != want {
		t.Errorf("stats %+v, want %+v", s, want)
	}
	if d := (Options{}).WithDefaults("n"); d.Now == nil || d.MaxLine != MaxLine || d.Name != "n" {
		t.Errorf("zero options %+v", d)
	}
}
