package input

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestShardsKeepASendersLinesTogether: a sender's lines (by address, any
// port; by input name without one) all take one queue, in order; many
// senders spread over every queue.
func TestShardsKeepASendersLinesTogether(t *testing.T) {
	s := NewShards(4, 1000, 0)
	if len(s.Queues()) != 4 || s.Cap() != 1000 {
		t.Fatalf("%d queues of %d", len(s.Queues()), s.Cap())
	}
	peer := func(i, port int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), uint16(port))
	}
	used := map[*Queue]bool{}
	for dev := range 200 {
		q := s.Of(Item{Peer: peer(dev, 514)})
		used[q] = true
		if s.Of(Item{Peer: peer(dev, 40000+dev)}) != q {
			t.Fatalf("device %d's lines from another port took another queue", dev)
		}
	}
	if len(used) != 4 {
		t.Errorf("200 senders used %d of 4 queues", len(used))
	}
	if s.Of(Item{Input: "file /var/log/a"}) != s.Of(Item{Input: "file /var/log/a"}) {
		t.Error("a file's lines took two queues")
	}

	// In order: one sender's lines come out of its queue as sent.
	for i := range 100 {
		if !s.Offer(Item{Peer: peer(7, 514), Line: []byte(fmt.Sprint(i))}) {
			t.Fatal("offer refused")
		}
	}
	q := s.Of(Item{Peer: peer(7, 514)})
	if s.Len() != 100 || q.Len() != 100 {
		t.Fatalf("queued %d, %d in the sender's queue", s.Len(), q.Len())
	}
	for i := range 100 {
		it, ok := q.TryGet()
		if !ok || string(it.Line) != fmt.Sprint(i) {
			t.Fatalf("line %d: %q %v", i, it.Line, ok)
		}
	}
}

// TestOneShardIsOneQueue: with one shard every line takes it.
func TestOneShardIsOneQueue(t *testing.T) {
	s := NewShards(0, 10, 0)
	a := s.Of(Item{Peer: netip.MustParseAddrPort("10.0.0.1:514")})
	if len(s.Queues()) != 1 || a != s.Queues()[0] || s.Of(Item{Input: "stdin"}) != a {
		t.Fatal("one shard, several queues")
	}
}
