package input

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestShardsKeepASendersLinesTogether: the lines of a sender whose lines
// name no host (by address, any port; by input name without one) all take
// one queue, in order; many senders spread over every queue.
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

// TestShardsSpreadARelaysDevices: the lines a relay forwards from many
// devices, all from its one address, go by the host each names: one
// device's lines take one queue whatever relays them, and the devices
// spread over every queue; a line without a host still goes by its
// sender's address.
func TestShardsSpreadARelaysDevices(t *testing.T) {
	s := NewShards(4, 1000, 0)
	relay := netip.MustParseAddrPort("10.9.9.9:514")
	other := netip.MustParseAddrPort("10.9.9.10:40000")
	line := func(host string, shape int) []byte {
		switch shape {
		case 0:
			return fmt.Appendf(nil, "<189>1 2026-11-23T14:46:24.650Z %s - - - - %%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down", host)
		case 1:
			return fmt.Appendf(nil, "Nov 23 14:46:24 %s 1234: Nov 23 14:46:24.650: %%SYS-5-CONFIG_I: Configured from console", host)
		}
		return fmt.Appendf(nil, "<189>77: %s: 000083: *Nov 23 14:46:24.650: %%LINK-3-UPDOWN: Interface Gi1/0/2, changed state to up", host)
	}
	used := map[*Queue]bool{}
	for dev := range 200 {
		host := fmt.Sprintf("sw%03d", dev)
		q := s.Of(Item{Peer: relay, Line: line(host, 0)})
		used[q] = true
		for shape := range 3 {
			for _, from := range []netip.AddrPort{relay, other, {}} {
				if s.Of(Item{Peer: from, Input: "file /var/log/network.log", Line: line(host, shape)}) != q {
					t.Fatalf("device %s's line of shape %d from %v took another queue", host, shape, from)
				}
			}
		}
	}
	if len(used) != 4 {
		t.Errorf("200 devices behind one relay used %d of 4 queues", len(used))
	}
	hostless := []byte("<189>12: *Nov 23 14:46:24.650: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
	if s.Of(Item{Peer: relay, Line: hostless}) != s.Of(Item{Peer: netip.AddrPortFrom(relay.Addr(), 999)}) {
		t.Error("a line without a host did not go by its sender's address")
	}
}
