package netlink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/routing"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/internal/testserver"
)

// wait bounds every wait for the kernel or the source.
const wait = 15 * time.Second

// Namespace makes a network namespace dse-XXXXXX for the test and
// deletes it at the end.
func Namespace(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	ns := "dse-" + hex.EncodeToString(b)
	IP(t, "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	return ns
}

// IP runs ip with args and fails the test on an error.
func IP(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// harness runs a source and collects what it hands on.
type harness struct {
	src    *Source
	mu     sync.Mutex
	lines  []string
	routes chan routing.Change
	done   chan error
	cancel context.CancelFunc
}

func start(t *testing.T, ns string, clk ds.Clock) *harness {
	t.Helper()
	src, err := New([]string{"namespace", ns})
	if err != nil {
		t.Fatal(err)
	}
	if clk == nil {
		clk = ds.RealClock{}
	}
	ready := make(chan struct{})
	src.ready = func() { close(ready) }
	h := &harness{src: src, routes: make(chan routing.Change, 1000), done: make(chan error, 1)}
	env := source.Env{
		Clock:    clk,
		Log:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Hostname: "rtr",
		Syslog: func(_ time.Time, line string) bool {
			h.mu.Lock()
			h.lines = append(h.lines, line)
			h.mu.Unlock()
			return true
		},
		Publish: func(e detector.HostEvent) {
			if c, ok := e.(routing.Change); ok {
				select { // like the hub's, never blocks
				case h.routes <- c:
				default:
				}
			}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- src.Run(ctx, env) }()
	t.Cleanup(func() {
		cancel()
		<-h.done
	})
	select {
	case <-ready:
	case err := <-h.done:
		t.Fatalf("Run: %v", err)
	}
	return h
}

// snapshot is the lines so far.
func (h *harness) snapshot() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.lines...)
}

// expect waits until the lines handed on, from the from-th, are want (in
// that order among those naming the interfaces in want), and returns the
// count of lines.
func (h *harness) expect(t *testing.T, from int, want ...string) int {
	t.Helper()
	var got []string
	ok := testserver.Poll(wait, 5*time.Millisecond, func() bool {
		got = got[:0]
		all := h.snapshot()
		for _, l := range all[min(from, len(all)):] {
			if mentions(l, want) {
				got = append(got, l)
			}
		}
		return len(got) >= len(want)
	})
	if !ok || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return len(h.snapshot())
}

// mentions reports whether line names an interface one of want names.
func mentions(line string, want []string) bool {
	for _, w := range want {
		if name := ifName(w); name != "" && ifName(line) == name {
			return true
		}
	}
	return false
}

// ifName is the interface or slot a line names.
func ifName(line string) string {
	for _, k := range []string{"Interface ", "slot "} {
		if i := strings.LastIndex(line, k); i >= 0 {
			rest := line[i+len(k):]
			return rest[:strings.IndexByte(rest, ',')]
		}
	}
	return ""
}

// TestLinks: a link set down and up, a peer's carrier, interfaces added,
// renamed and removed, each an IOS line, and only on a change.
func TestLinks(t *testing.T) {
	ns := Namespace(t)
	IP(t, "-n", ns, "link", "add", "vA", "type", "veth", "peer", "name", "vB")
	IP(t, "-n", ns, "link", "set", "vA", "up")
	IP(t, "-n", ns, "link", "set", "vB", "up")
	h := start(t, ns, nil)

	IP(t, "-n", ns, "link", "set", "vA", "down")
	h.expect(t, 0,
		"%LINK-3-UPDOWN: Interface vA, changed state to down",
		"%LINEPROTO-5-UPDOWN: Line protocol on Interface vA, changed state to down")
	// The peer's line may come after vA's: count from when both are in.
	n := h.expect(t, 0, "%LINEPROTO-5-UPDOWN: Line protocol on Interface vB, changed state to down")
	IP(t, "-n", ns, "link", "set", "vA", "up")
	h.expect(t, n,
		"%LINK-3-UPDOWN: Interface vA, changed state to up",
		"%LINEPROTO-5-UPDOWN: Line protocol on Interface vA, changed state to up")
	n = h.expect(t, n, "%LINEPROTO-5-UPDOWN: Line protocol on Interface vB, changed state to up")
	// A change that is no state change (the MTU) says nothing.
	IP(t, "-n", ns, "link", "set", "vA", "mtu", "1400")

	IP(t, "-n", ns, "link", "add", "vC", "type", "veth", "peer", "name", "vD")
	h.expect(t, n, "%OIR-6-INSCARD: Card inserted in slot vC, interfaces are now online")
	n = h.expect(t, n, "%OIR-6-INSCARD: Card inserted in slot vD, interfaces are now online")
	IP(t, "-n", ns, "link", "set", "vC", "name", "vE")
	n = h.expect(t, n,
		"%OIR-6-REMCARD: Card removed from slot vC, interfaces disabled",
		"%OIR-6-INSCARD: Card inserted in slot vE, interfaces are now online")
	IP(t, "-n", ns, "link", "set", "vE", "up")
	n = h.expect(t, n, "%LINK-3-UPDOWN: Interface vE, changed state to up")
	// Deleting an interface that is up takes it down first (the kernel
	// says so before the deletion): down it first, for one line each.
	IP(t, "-n", ns, "link", "set", "vE", "down")
	n = h.expect(t, n, "%LINK-3-UPDOWN: Interface vE, changed state to down")
	IP(t, "-n", ns, "link", "del", "vE")
	h.expect(t, n, "%OIR-6-REMCARD: Card removed from slot vE, interfaces disabled")
	n = h.expect(t, n, "%OIR-6-REMCARD: Card removed from slot vD, interfaces disabled")

	for _, l := range h.snapshot() {
		if ifName(l) == "vA" && strings.Contains(l, "OIR") || strings.Contains(l, "slot lo") {
			t.Errorf("line for a state that did not change: %s", l)
		}
	}
	if s := h.src.Stats(); s.Events < uint64(len(h.snapshot())) || s.Source != "netlink namespace "+ns || s.LastEvent.IsZero() {
		t.Errorf("stats %+v, %d lines", s, len(h.snapshot()))
	}
}

// TestRoutes: routes added, replaced and deleted in the main table become
// routing.Change events with their protocol, next hop and interface.
func TestRoutes(t *testing.T) {
	ns := Namespace(t)
	IP(t, "-n", ns, "link", "add", "vA", "type", "veth", "peer", "name", "vB")
	IP(t, "-n", ns, "addr", "add", "10.9.0.1/24", "dev", "vA")
	IP(t, "-n", ns, "link", "set", "vB", "up")
	h := start(t, ns, nil)

	IP(t, "-n", ns, "link", "set", "vA", "up")
	next := func() routing.Change {
		t.Helper()
		deadline := time.NewTimer(wait)
		defer deadline.Stop()
		for {
			select {
			case c := <-h.routes:
				if c.Network.Addr().Is4() { // the kernel's IPv6 link-local routes come and go too
					return c
				}
			case <-deadline.C:
				t.Fatal("no route change")
			}
		}
	}
	check := func(got routing.Change, want string) {
		t.Helper()
		s := fmt.Sprintf("%s %s %s %s %s %d", got.Network, got.Type, got.Protocol, got.Gateway, got.Interface, got.Metric)
		if s != want || got.Time.IsZero() {
			t.Errorf("change %q, want %q", s, want)
		}
	}
	check(next(), "10.9.0.0/24 add connected  vA 0")
	IP(t, "-n", ns, "route", "add", "10.20.0.0/16", "via", "10.9.0.2")
	check(next(), "10.20.0.0/16 add static 10.9.0.2 vA 0")
	IP(t, "-n", ns, "route", "replace", "10.20.0.0/16", "via", "10.9.0.3", "metric", "0")
	check(next(), "10.20.0.0/16 modify static 10.9.0.3 vA 0")
	IP(t, "-n", ns, "route", "add", "default", "via", "10.9.0.2", "proto", "ospf")
	check(next(), "0.0.0.0/0 add ospf 10.9.0.2 vA 0")
	IP(t, "-n", ns, "route", "add", "10.30.0.0/16", "via", "10.9.0.2", "proto", "dhcp", "metric", "7")
	check(next(), "10.30.0.0/16 add 16 10.9.0.2 vA 7")
	IP(t, "-n", ns, "route", "del", "10.20.0.0/16")
	check(next(), "10.20.0.0/16 remove static 10.9.0.3 vA 0")
	// Another table is not the main table: nothing.
	IP(t, "-n", ns, "route", "add", "10.40.0.0/16", "via", "10.9.0.2", "table", "100")
	IP(t, "-n", ns, "route", "del", "10.30.0.0/16")
	check(next(), "10.30.0.0/16 remove 16 10.9.0.2 vA 7")
	if p := netip.MustParsePrefix("10.40.0.0/16"); len(h.routes) > 0 {
		for len(h.routes) > 0 {
			if c := <-h.routes; c.Network == p {
				t.Errorf("table 100 route: %+v", c)
			}
		}
	}
}

// TestFlood: 10,000 flaps of a link at once come out bounded (on a
// clock that stands still, the interface's burst and no more), coalesced
// and counted; once the clock moves on, the last state goes out.
func TestFlood(t *testing.T) {
	ns := Namespace(t)
	IP(t, "-n", ns, "link", "add", "vA", "type", "veth", "peer", "name", "vB")
	IP(t, "-n", ns, "link", "set", "vB", "up")
	v := clock.NewVirtual(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	h := start(t, ns, v)

	var b strings.Builder
	for range 10000 {
		b.WriteString("link set vA up\nlink set vA down\n")
	}
	batch := filepath.Join(t.TempDir(), "flaps")
	if err := os.WriteFile(batch, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	IP(t, "-n", ns, "-batch", batch)
	// The reader reads in order: once the marker's line is out, every
	// flap was read, and vA's last state (down) went out or waits.
	IP(t, "-n", ns, "link", "add", "vM", "type", "veth", "peer", "name", "vN")
	h.expect(t, 0, "%OIR-6-INSCARD: Card inserted in slot vM, interfaces are now online")
	count := func() (lines int, last string) {
		for _, l := range h.snapshot() {
			if ifName(l) == "vA" {
				lines++
			}
			if strings.HasPrefix(l, "%LINK-3-UPDOWN: Interface vA,") {
				last = l
			}
		}
		return lines, last
	}
	lines, _ := count()
	s := h.src.Stats()
	t.Logf("20,000 state changes: %d lines for vA, stats %+v", lines, s)
	// Each of the burst's state changes is at most a LINK and a LINEPROTO
	// line.
	if lines > 2*DefaultBurst || s.Dropped < 1000 {
		t.Errorf("flood not bounded: %d lines for vA, %d dropped", lines, s.Dropped)
	}
	v.Advance(time.Second)
	var last string
	if !testserver.Poll(wait, 10*time.Millisecond, func() bool {
		_, last = count()
		return strings.HasSuffix(last, "down")
	}) {
		t.Fatalf("last vA line %q, want down", last)
	}
}

// TestNamespaceDeleted: Run ends with an error naming the namespace when
// it is deleted while watched.
func TestNamespaceDeleted(t *testing.T) {
	ns := Namespace(t)
	h := start(t, ns, nil)
	IP(t, "netns", "del", ns)
	select {
	case err := <-h.done:
		if err == nil || !strings.Contains(err.Error(), "netlink namespace "+ns+": the namespace was deleted while watched") {
			t.Fatalf("Run: %v", err)
		}
		h.done <- err // for the cleanup
	case <-time.After(wait):
		t.Fatal("Run goes on in a deleted namespace")
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"namespace", "blue"}, ""},
		{[]string{"namespace"}, "namespace needs a name"},
		{[]string{"poll", "5"}, `unknown argument "poll"; expected namespace NAME`},
		{[]string{"namespace", "a/b"}, `namespace "a/b" is not a name in /run/netns`},
		{[]string{"namespace", "a", "b"}, `unexpected "b" after namespace a`},
	} {
		_, err := New(tc.args)
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && !strings.Contains(got, tc.want)) {
			t.Errorf("New(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
	s, _ := New([]string{"namespace", "no-such-ns-dse"})
	err := s.Run(context.Background(), source.Env{Clock: ds.RealClock{}})
	if err == nil || !strings.Contains(err.Error(), "/run/netns/no-such-ns-dse") {
		t.Errorf("Run in a missing namespace: %v", err)
	}
}
