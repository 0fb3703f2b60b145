package netlink

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/routing"
	"github.com/dsengine/dsengine/ds/events/source"
)

// link is the state of one interface.
type link struct {
	name  string
	admin bool // IFF_UP: %LINK-3-UPDOWN
	proto bool // IFF_UP and IFF_RUNNING (carrier): %LINEPROTO-5-UPDOWN
	gone  bool // removed (RTM_DELLINK)
	at    time.Time
}

// same reports whether l and o would tell the detectors the same.
func (l link) same(o link) bool {
	return l.name == o.name && l.admin == o.admin && l.proto == o.proto && l.gone == o.gone
}

// route is what a route of the main table is, besides its destination.
type route struct {
	protocol, gateway, iface string
	metric                   int
}

// routeState is a destination's route, or its removal (v the removed
// route).
type routeState struct {
	present bool
	v       route
	at      time.Time
}

func sameRoute(a, b routeState) bool { return a.present == b.present && a.v == b.v }

// run is one Run: the reader's state, the lanes between the reader and
// the emitter.
type run struct {
	s   *Source
	env source.Env
	h   *netlink.Handle

	// Reader's: the links and routes as netlink last said.
	seen  map[int]link
	table map[netip.Prefix]route

	links  *lane[int, link]
	routes *lane[netip.Prefix, routeState]
	wake   chan struct{}

	retryMu sync.Mutex
	retry   ds.Timer
	retried atomic.Bool
}

func newRun(s *Source, env source.Env, h *netlink.Handle) *run {
	return &run{
		s: s, env: env, h: h,
		seen: map[int]link{}, table: map[netip.Prefix]route{},
		links:  newLane[int](func(a, b link) bool { return a.same(b) }),
		routes: newLane[netip.Prefix](sameRoute),
		wake:   make(chan struct{}, 1),
	}
}

// stateOf is a link's state as the IOS lines tell it.
func stateOf(l netlink.Link, at time.Time) link {
	a := l.Attrs()
	up := a.Flags&net.FlagUp != 0
	return link{name: a.Name, admin: up, proto: up && a.RawFlags&unix.IFF_RUNNING != 0, at: at}
}

// link records one link update for the emitter.
func (r *run) link(u netlink.LinkUpdate, at time.Time) {
	idx := int(u.Index)
	l := link{gone: true, at: at}
	if u.Header.Type == unix.RTM_DELLINK {
		if old, ok := r.seen[idx]; ok {
			l.name = old.name
		}
		delete(r.seen, idx)
	} else {
		l = stateOf(u.Link, at)
		r.seen[idx] = l
	}
	r.queue(idx, l)
}

// queue makes l the state the emitter is to tell for idx. It never
// blocks.
func (r *run) queue(idx int, l link) {
	if r.links.set(idx, l) {
		r.s.counters.Dropped.Add(1)
	}
	r.signal()
}

func (r *run) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// prefixOf is the route's destination, ::/0 or 0.0.0.0/0 for a default
// route.
func prefixOf(rt netlink.Route) (netip.Prefix, bool) {
	if rt.Dst == nil {
		if rt.Family == unix.AF_INET6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), true
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), true
	}
	a, ok := netip.AddrFromSlice(rt.Dst.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := rt.Dst.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones).Masked(), true
}

// protocolOf maps rtm_protocol (and the scope) to EEM's protocol names.
func protocolOf(rt netlink.Route) string {
	switch {
	case rt.Protocol == unix.RTPROT_KERNEL || rt.Scope == netlink.SCOPE_LINK:
		return "connected"
	case rt.Protocol == unix.RTPROT_BOOT || rt.Protocol == unix.RTPROT_STATIC:
		return "static"
	case rt.Protocol == unix.RTPROT_BGP:
		return "bgp"
	case rt.Protocol == unix.RTPROT_ISIS:
		return "isis"
	case rt.Protocol == unix.RTPROT_OSPF && rt.Family == unix.AF_INET6:
		return "ospfv3"
	case rt.Protocol == unix.RTPROT_OSPF:
		return "ospf"
	case rt.Protocol == unix.RTPROT_RIP:
		return "rip"
	case rt.Protocol == unix.RTPROT_EIGRP:
		return "eigrp"
	}
	return strconv.Itoa(int(rt.Protocol))
}

// routeOf is the route's destination and attributes; false for a route
// outside the main table or a cached one.
func (r *run) routeOf(rt netlink.Route) (netip.Prefix, route, bool) {
	if rt.Table != unix.RT_TABLE_MAIN || rt.Flags&unix.RTM_F_CLONED != 0 {
		return netip.Prefix{}, route{}, false
	}
	p, ok := prefixOf(rt)
	if !ok {
		return p, route{}, false
	}
	v := route{protocol: protocolOf(rt), metric: rt.Priority}
	gw, idx := rt.Gw, rt.LinkIndex
	if len(rt.MultiPath) > 0 { // ECMP: the first next hop
		gw, idx = rt.MultiPath[0].Gw, rt.MultiPath[0].LinkIndex
	}
	if gw != nil {
		v.gateway = gw.String()
	}
	if idx > 0 {
		v.iface = r.seen[idx].name
		if v.iface == "" {
			v.iface = strconv.Itoa(idx)
		}
	}
	return p, v, true
}

// route records one route update for the emitter.
func (r *run) route(u netlink.RouteUpdate, at time.Time) {
	p, v, ok := r.routeOf(u.Route)
	if !ok {
		return
	}
	switch u.Type {
	case unix.RTM_NEWROUTE:
		r.table[p] = v
		r.queueRoute(p, routeState{present: true, v: v, at: at})
	case unix.RTM_DELROUTE:
		delete(r.table, p)
		r.queueRoute(p, routeState{v: v, at: at})
	}
}

func (r *run) queueRoute(p netip.Prefix, s routeState) {
	if r.routes.set(p, s) {
		r.s.counters.Dropped.Add(1)
	}
	r.signal()
}

// resync makes the reader's state the dump's: silently the first time
// (what the detectors are taken to know), else queueing each object, so
// the emitter tells what changed.
func (r *run) resync(links []netlink.Link, routes []netlink.Route, at time.Time, silent bool) {
	now := map[int]link{}
	for _, l := range links {
		now[l.Attrs().Index] = stateOf(l, at)
	}
	if !silent {
		for idx, old := range r.seen {
			if _, ok := now[idx]; !ok {
				r.queue(idx, link{name: old.name, gone: true, at: at})
			}
		}
	}
	r.seen = now
	table := map[netip.Prefix]route{}
	for _, rt := range routes {
		if p, v, ok := r.routeOf(rt); ok {
			table[p] = v
		}
	}
	if !silent {
		for p, old := range r.table {
			if _, ok := table[p]; !ok {
				r.queueRoute(p, routeState{v: old, at: at})
			}
		}
	}
	r.table = table
	if silent {
		// Before the first wake: the emitter reads told only after.
		r.links.mu.Lock()
		for idx, l := range now {
			r.links.told[idx] = l
		}
		r.links.mu.Unlock()
		r.routes.mu.Lock()
		for p, v := range table {
			r.routes.told[p] = routeState{present: true, v: v, at: at}
		}
		r.routes.mu.Unlock()
		return
	}
	for idx, l := range now {
		r.queue(idx, l)
	}
	for p, v := range table {
		r.queueRoute(p, routeState{present: true, v: v, at: at})
	}
}

// emit hands the queued states on until ctx ends.
func (r *run) emit(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
			w1 := r.emitLinks()
			w2 := r.emitRoutes()
			if w := minWait(w1, w2); w > 0 {
				r.armRetry(w)
			}
		}
	}
}

func minWait(a, b time.Duration) time.Duration {
	if a == 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// emitRoutes publishes each destination's change since the detectors were
// last told: add, modify or remove; it returns how long until a held one
// may go.
func (r *run) emitRoutes() time.Duration {
	var wait time.Duration
	for p, st := range r.routes.take() {
		old, had := r.routes.told[p]
		had = had && old.present
		typ := ""
		switch {
		case !st.present && had:
			typ = routing.TypeRemove
		case st.present && !had:
			typ = routing.TypeAdd
		case st.present && old.v != st.v:
			typ = routing.TypeModify
		}
		if typ == "" {
			continue
		}
		now := r.env.Clock.Now()
		if w := r.routes.allow(p, now, r.s.Burst, r.s.Rate); w > 0 {
			if r.routes.putBack(p, st) {
				r.s.counters.Dropped.Add(1)
			}
			wait = minWait(wait, w)
			continue
		}
		v := st.v
		if typ == routing.TypeRemove {
			v = old.v // as it was: the deletion may carry fewer attributes
		}
		r.s.counters.Publish(r.env, st.at, routing.Change{Time: st.at, Network: p, Type: typ, Protocol: v.protocol, Gateway: v.gateway, Interface: v.iface, Metric: v.metric})
		if st.present {
			r.routes.told[p] = st
		} else {
			delete(r.routes.told, p)
		}
	}
	return wait
}

// emitLinks tells the detectors each interface's new state: the lines of
// what changed since they were last told, within the interface's
// allowance; it returns how long until a held one may go.
func (r *run) emitLinks() time.Duration {
	batch := r.links.take()
	idxs := make([]int, 0, len(batch))
	for idx := range batch {
		idxs = append(idxs, idx)
	}
	slices.Sort(idxs)
	var wait time.Duration
	for _, idx := range idxs {
		l := batch[idx]
		old, had := r.links.told[idx]
		lines := transitions(old, had, l)
		if len(lines) > 0 {
			if w := r.links.allow(idx, r.env.Clock.Now(), r.s.Burst, r.s.Rate); w > 0 {
				if r.links.putBack(idx, l) {
					r.s.counters.Dropped.Add(1)
				}
				wait = minWait(wait, w)
				continue
			}
		}
		for _, line := range lines {
			r.s.counters.Syslog(r.env, l.at, line)
		}
		if l.gone {
			delete(r.links.told, idx)
		} else {
			r.links.told[idx] = l
		}
	}
	return wait
}

// armRetry wakes the emitter after d, once.
func (r *run) armRetry(d time.Duration) {
	if r.retried.Swap(true) {
		return
	}
	r.retryMu.Lock()
	r.retry = r.env.Clock.AfterFunc(d, func() {
		r.retried.Store(false)
		r.signal()
	})
	r.retryMu.Unlock()
}

func (r *run) stopRetry() {
	r.retryMu.Lock()
	if r.retry != nil {
		r.retry.Stop()
	}
	r.retryMu.Unlock()
}

// The IOS lines.
func linkLine(name string, up bool) string {
	return "%LINK-3-UPDOWN: Interface " + name + ", changed state to " + updown(up)
}

func protoLine(name string, up bool) string {
	return "%LINEPROTO-5-UPDOWN: Line protocol on Interface " + name + ", changed state to " + updown(up)
}

func insLine(name string) string {
	return "%OIR-6-INSCARD: Card inserted in slot " + name + ", interfaces are now online"
}

func remLine(name string) string {
	return "%OIR-6-REMCARD: Card removed from slot " + name + ", interfaces disabled"
}

func updown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// transitions are the lines that take the detectors from old (had: known
// at all) to l: an interface new to them is inserted (and starts down), a
// removed one removed, a renamed one removed under its old name and
// inserted under its new; then the link's and the line protocol's
// changes, in the order IOS logs them.
func transitions(old link, had bool, l link) []string {
	var out []string
	switch {
	case l.gone:
		if had {
			out = append(out, remLine(old.name))
		}
		return out
	case !had:
		out = append(out, insLine(l.name))
		old = link{name: l.name}
	case old.name != l.name:
		out = append(out, remLine(old.name), insLine(l.name))
	}
	if old.admin != l.admin {
		out = append(out, linkLine(l.name, l.admin))
	}
	if old.proto != l.proto {
		out = append(out, protoLine(l.name, l.proto))
	}
	return out
}
