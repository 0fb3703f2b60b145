package netlink

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/dsengine/dsengine/ds/events/source"
)

// Descriptor describes the netlink source to the source table.
var Descriptor = source.Descriptor{
	Name:    "netlink",
	Summary: "link up/down (%LINK-3-UPDOWN, %LINEPROTO-5-UPDOWN), interfaces added/removed (%OIR-6-INSCARD/REMCARD), route changes (event routing)",
	Usage:   "source netlink [namespace NAME]",
	New:     func(args []string) (source.Source, error) { return New(args) },
}

// Bounds of one source; Source's fields of the same names can change them
// before Run (tests do).
const (
	// DefaultBurst state changes of one interface go out at once …
	DefaultBurst = 10
	// … and then DefaultRate a second; the changes in between are
	// coalesced (the last state wins) and counted as dropped.
	DefaultRate = 5.0
	// RouteQueue is how many route changes wait for the emitter; more are
	// dropped and counted.
	RouteQueue = 1024
	// NamespacePoll is how often the source checks that its namespace is
	// still there (`ip netns del` unmounts it while the source's sockets
	// keep the namespace itself alive).
	NamespacePoll = time.Second
	// receiveBuffer is the netlink socket's buffer: a flood the reader has
	// not read yet waits there (the kernel drops beyond it, ENOBUFS, and
	// the source reads the state again).
	receiveBuffer = 8 << 20
)

// Source watches one network namespace's links and routes.
type Source struct {
	namespace string // "" is the daemon's own
	Burst     int
	Rate      float64 // state changes a second for each interface, after Burst
	counters  source.Counters
	runs      atomic.Bool
	// ready, when set (tests), is called once the start state is read.
	ready func()
}

// New reads the arguments of `source netlink [namespace NAME]`.
func New(args []string) (*Source, error) {
	s := &Source{Burst: DefaultBurst, Rate: DefaultRate}
	switch {
	case len(args) == 0:
	case args[0] != "namespace":
		return nil, fmt.Errorf("unknown argument %q; expected namespace NAME", args[0])
	case len(args) == 1:
		return nil, errors.New("namespace needs a name (a file in /run/netns, as `ip netns list` shows)")
	case len(args) > 2:
		return nil, fmt.Errorf("unexpected %q after namespace %s", args[2], args[1])
	default:
		n := args[1]
		if n == "." || n == ".." || strings.ContainsAny(n, "/\x00") || len(n) > 255 {
			return nil, fmt.Errorf("namespace %q is not a name in /run/netns", n)
		}
		s.namespace = n
	}
	return s, nil
}

// Name is "netlink", or "netlink namespace NAME".
func (s *Source) Name() string {
	if s.namespace == "" {
		return "netlink"
	}
	return "netlink namespace " + s.namespace
}

// Stats returns the counters: lines and route changes handed on,
// changes coalesced or dropped, netlink errors.
func (s *Source) Stats() source.Stats { return s.counters.Snapshot(s.Name()) }

// Run watches the links and routes until ctx ends, the namespace is
// deleted, or netlink cannot be subscribed to.
func (s *Source) Run(ctx context.Context, env source.Env) error {
	if s.runs.Swap(true) {
		return errors.New("netlink source: Run called twice")
	}
	if s.Burst < 1 {
		s.Burst = 1
	}
	if s.Rate <= 0 {
		s.Rate = DefaultRate
	}
	ns, err := s.open()
	if err != nil {
		return err
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("%s: netlink: %w", s.Name(), err)
	}
	defer h.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := newRun(s, env, h)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.emit(ctx)
	}()
	err = r.read(ctx, ns)
	cancel()
	wg.Wait()
	r.stopRetry()
	if ctx.Err() != nil && err == nil {
		return nil
	}
	return err
}

// open returns the namespace's handle: the daemon's own, or
// /run/netns/NAME.
func (s *Source) open() (netns.NsHandle, error) {
	if s.namespace == "" {
		ns, err := netns.Get()
		if err != nil {
			return ns, fmt.Errorf("%s: the daemon's network namespace: %w", s.Name(), err)
		}
		return ns, nil
	}
	ns, err := netns.GetFromName(s.namespace)
	if err != nil {
		return ns, fmt.Errorf("%s: %w (is there a /run/netns/%s? `ip netns list` shows the names)", s.Name(), err, s.namespace)
	}
	return ns, nil
}

// gone reports whether /run/netns/NAME no longer names ns (deleted, or
// made again for another namespace).
func (s *Source) gone(ns netns.NsHandle) bool {
	if s.namespace == "" {
		return false
	}
	now, err := netns.GetFromName(s.namespace)
	if err != nil {
		return true
	}
	defer now.Close()
	return !now.Equal(ns)
}

// subscription is one round of netlink subscriptions.
type subscription struct {
	links  chan netlink.LinkUpdate
	routes chan netlink.RouteUpdate
	done   chan struct{}
	err    atomic.Pointer[error] // the last error netlink reported
}

// subscribe opens the link and route subscriptions in ns, with a
// forced large receive buffer, or the ordinary one when it cannot be
// forced.
func (r *run) subscribe(ns netns.NsHandle) (*subscription, error) {
	sub, err := r.trySubscribe(ns, true)
	if err != nil {
		sub, err = r.trySubscribe(ns, false)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: subscribing to rtnetlink: %w", r.s.Name(), err)
	}
	return sub, nil
}

func (r *run) trySubscribe(ns netns.NsHandle, force bool) (*subscription, error) {
	sub := &subscription{
		links:  make(chan netlink.LinkUpdate, 256),
		routes: make(chan netlink.RouteUpdate, 256),
		done:   make(chan struct{}),
	}
	cb := func(err error) {
		select {
		case <-sub.done: // closing: the socket's end is no error
		default:
			r.s.counters.Errors.Add(1)
			sub.err.Store(&err)
		}
	}
	err := netlink.LinkSubscribeWithOptions(sub.links, sub.done, netlink.LinkSubscribeOptions{
		Namespace: &ns, ErrorCallback: cb, ReceiveBufferSize: receiveBuffer, ReceiveBufferForceSize: force})
	if err != nil {
		close(sub.done)
		return nil, err
	}
	err = netlink.RouteSubscribeWithOptions(sub.routes, sub.done, netlink.RouteSubscribeOptions{
		Namespace: &ns, ErrorCallback: cb, ReceiveBufferSize: receiveBuffer, ReceiveBufferForceSize: force})
	if err != nil {
		close(sub.done)
		for range sub.links {
		}
		return nil, err
	}
	return sub, nil
}

// close ends the subscriptions and waits until netlink's goroutines are
// done (they close the channels), so none stays blocked on a send.
func (sub *subscription) close() {
	select {
	case <-sub.done:
	default:
		close(sub.done)
	}
	go func() {
		for range sub.links {
		}
	}()
	for range sub.routes {
	}
}

// read subscribes, reads the start state silently, then hands each update
// to the run until ctx ends or the namespace goes. A subscription that
// breaks (the kernel dropped messages: ENOBUFS) is made again, and the
// state read again, its differences handed on.
func (r *run) read(ctx context.Context, ns netns.NsHandle) error {
	gone := make(chan struct{}, 1)
	r.watchNamespace(ctx, ns, gone)
	first := true
	for {
		sub, err := r.subscribe(ns)
		if err != nil {
			return err
		}
		if err := r.dump(first); err != nil {
			sub.close()
			if r.s.gone(ns) {
				return r.goneErr()
			}
			return err
		}
		if first && r.s.ready != nil {
			r.s.ready()
		}
		first = false
		err = r.follow(ctx, sub, gone)
		sub.close()
		if err != nil || ctx.Err() != nil {
			return err
		}
		if r.s.gone(ns) {
			return r.goneErr()
		}
		msg := "ended"
		if e := sub.err.Load(); e != nil {
			msg = (*e).Error()
		}
		r.env.Log.Warn("netlink subscription broke; subscribing again and reading the state", "err", msg)
	}
}

// follow reads sub until ctx ends (nil), the namespace goes (an error) or
// a subscription ends (nil, ctx live).
func (r *run) follow(ctx context.Context, sub *subscription, gone <-chan struct{}) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-gone:
			return r.goneErr()
		case u, ok := <-sub.links:
			if !ok {
				return nil
			}
			r.link(u, r.env.Clock.Now())
		case u, ok := <-sub.routes:
			if !ok {
				return nil
			}
			r.route(u, r.env.Clock.Now())
		}
	}
}

func (r *run) goneErr() error {
	return fmt.Errorf("%s: the namespace was deleted while watched (/run/netns/%s is gone or names another namespace); "+
		"make it again and reload to watch it", r.s.Name(), r.s.namespace)
}

// watchNamespace signals gone when the source's namespace is deleted,
// checking every NamespacePoll on the env's clock.
func (r *run) watchNamespace(ctx context.Context, ns netns.NsHandle, gone chan<- struct{}) {
	if r.s.namespace == "" {
		return
	}
	var check func()
	check = func() {
		if ctx.Err() != nil {
			return
		}
		if r.s.gone(ns) {
			gone <- struct{}{}
			return
		}
		r.env.Clock.AfterFunc(NamespacePoll, check)
	}
	r.env.Clock.AfterFunc(NamespacePoll, check)
}

// dump reads the links and the main table's routes: the start state
// (silent) the first time, else the differences from what the run knows.
func (r *run) dump(silent bool) error {
	var links []netlink.Link
	var routes []netlink.Route
	var err error
	for range 3 { // a dump the kernel interrupted is read again
		links, err = r.h.LinkList()
		if err == nil {
			routes, err = r.h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%s: reading the links and routes: %w", r.s.Name(), err)
	}
	r.resync(links, routes, r.env.Clock.Now(), silent)
	return nil
}
