package tcp

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// conn is one accepted connection.
type conn struct {
	net.Conn
	peer   netip.AddrPort // the sender, IPv4 unmapped
	now    func() time.Time
	active atomic.Int64 // when it was accepted or a read last returned data, Unix ns on now
}

func newConn(nc net.Conn, now func() time.Time) *conn {
	c := &conn{Conn: nc, now: now}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		ap := a.AddrPort()
		c.peer = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	c.touch()
	return c
}

// touch marks the connection active now.
func (c *conn) touch() { c.active.Store(c.now().UnixNano()) }

// idle is how long the connection has sent nothing at now.
func (c *conn) idle(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, c.active.Load()))
}

// connSet is the open connections of an input, with how many each peer
// address holds. It is safe for concurrent use.
type connSet struct {
	mu    sync.Mutex
	conns map[*conn]struct{}
	peers map[netip.Addr]int
}

func newConnSet() *connSet {
	return &connSet{conns: map[*conn]struct{}{}, peers: map[netip.Addr]int{}}
}

// admit adds c if fewer than max connections are open. Otherwise, unless
// evictIdle is negative, it closes and removes the connection to evict (see
// victim), if one has been idle for evictIdle at now, and adds c in its
// place. It reports whether c was added and whether a connection was
// evicted for it.
func (s *connSet) admit(c *conn, max int, now time.Time, evictIdle time.Duration) (added, evicted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= max {
		if evictIdle < 0 {
			return false, false
		}
		v := s.victim(now, evictIdle)
		if v == nil {
			return false, false
		}
		s.removeLocked(v)
		_ = v.Close() // its reader returns net.ErrClosed and ends
		evicted = true
	}
	s.conns[c] = struct{}{}
	s.peers[c.peer.Addr()]++
	return true, evicted
}

// victim returns, of the connections idle for at least min at now, one
// of the peer address that holds the most connections, the one idle
// longest; nil if no connection has been idle that long. The caller holds
// s.mu.
func (s *connSet) victim(now time.Time, min time.Duration) *conn {
	var (
		best      *conn
		bestPeers int
		bestIdle  time.Duration
	)
	for c := range s.conns {
		idle := c.idle(now)
		if idle < min {
			continue
		}
		n := s.peers[c.peer.Addr()]
		if best == nil || n > bestPeers || n == bestPeers && idle > bestIdle {
			best, bestPeers, bestIdle = c, n, idle
		}
	}
	return best
}

// remove forgets c and reports whether it was there (an evicted connection
// is already gone).
func (s *connSet) remove(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeLocked(c)
}

func (s *connSet) removeLocked(c *conn) bool {
	if _, ok := s.conns[c]; !ok {
		return false
	}
	delete(s.conns, c)
	a := c.peer.Addr()
	if s.peers[a]--; s.peers[a] <= 0 {
		delete(s.peers, a)
	}
	return true
}

// closeAll closes every connection; their readers then end.
func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.Close()
	}
}
