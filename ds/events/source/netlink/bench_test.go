package netlink

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vnl "github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

// BenchmarkNetlinkDelivery flaps a veth b.N times in a namespace and
// measures the events the source delivers a second, from the kernel's
// messages to a hub with 1,000 registered detectors (990 generated DS
// syslog patterns, 10 `event routing`), each line parsed as the pump does:
// per flap, %LINK-3-UPDOWN and %LINEPROTO-5-UPDOWN up and down and the
// connected routes' add and remove. The flaps are netlink requests from
// this process (LinkSetUp/Down on a handle in the namespace), not `ip`
// runs, so that the figure is the delivery's rather than ip's; each waits
// until the detectors were told the line protocol's change, because on one
// CPU (make bench's -cpu 1) a free-running loop starves the source and the
// flaps are coalesced away instead of delivered. The per-interface bound
// is lifted (Burst and Rate unlimited); what is still coalesced (a route
// change overtaken by the next) is reported as coalesced/flap. It needs
// root (make bench runs as root).
func BenchmarkNetlinkDelivery(b *testing.B) {
	ns := Namespace(b)
	IP(b, "-n", ns, "link", "add", "vA", "type", "veth", "peer", "name", "vB")
	IP(b, "-n", ns, "addr", "add", "10.9.0.1/24", "dev", "vA")
	IP(b, "-n", ns, "link", "set", "vB", "up")

	h := detect.NewHub(context.Background(), detect.Options{Clock: ds.RealClock{}, Host: "rtr"})
	defer h.Close()
	var fires atomic.Int64
	fire := func(detect.Fired) { fires.Add(1) }
	var specs []detect.Spec
	for _, p := range syslogdata.Patterns(990, 2, 0.02) {
		specs = append(specs, detect.Spec{Owner: fmt.Sprint(p.ID), Fire: fire,
			Event: ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: p.Regexp, Occurs: 1, Severity: ds.SeverityAny}})
	}
	specs = append(specs, detect.Spec{Owner: "lineproto", Fire: fire,
		Event: ds.Event{ID: "e1", Type: ds.EventSyslog, Pattern: "LINEPROTO-5-UPDOWN.*vA", Occurs: 1, Severity: ds.SeverityAny}})
	for i := range 9 {
		line := fmt.Sprintf("event routing network 10.%d.0.0/16 le 32", i)
		specs = append(specs, detect.Spec{Owner: fmt.Sprint("route", i), Fire: fire,
			Event: ds.Event{ID: "e1", Type: ds.EventRouting, EEMLine: line}})
	}
	if _, err := h.RegisterAll(specs); err != nil {
		b.Fatal(err)
	}

	src, err := New([]string{"namespace", ns})
	if err != nil {
		b.Fatal(err)
	}
	src.Burst, src.Rate = 1<<30, 1e12
	ready, marker := make(chan struct{}), make(chan struct{}, 1)
	// proto gets vA's line-protocol state each time the detectors were
	// told it; never blocking the emitter.
	proto := make(chan bool, 16)
	src.ready = func() { close(ready) }
	var m events.Message
	env := source.Env{
		Clock: ds.RealClock{}, Hostname: "rtr",
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Syslog: func(at time.Time, line string) bool {
			syslogmsg.ParseString(line, at, &m)
			h.Deliver(&m)
			if strings.Contains(line, "slot vM,") {
				marker <- struct{}{}
			}
			if rest, ok := strings.CutPrefix(line, "%LINEPROTO-5-UPDOWN: Line protocol on Interface vA, changed state to "); ok {
				select {
				case proto <- rest == "up":
				default:
				}
			}
			return true
		},
		Publish: func(e detector.HostEvent) { h.Publish(e) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, env) }()
	defer func() { cancel(); <-done }()
	<-ready

	nsh, err := netns.GetFromName(ns)
	if err != nil {
		b.Fatal(err)
	}
	defer nsh.Close()
	nl, err := vnl.NewHandleAt(nsh)
	if err != nil {
		b.Fatalf("a netlink handle in %s: %v", ns, err)
	}
	defer nl.Close()
	vA, err := nl.LinkByName("vA")
	if err != nil {
		b.Fatal(err)
	}
	before := src.Stats()
	b.ResetTimer()
	for range b.N {
		if err := nl.LinkSetUp(vA); err != nil {
			b.Fatalf("set vA up: %v", err)
		}
		awaitProto(b, proto, true)
		if err := nl.LinkSetDown(vA); err != nil {
			b.Fatalf("set vA down: %v", err)
		}
		awaitProto(b, proto, false)
	}
	// The last message: the source has delivered every flap before it.
	if err := nl.LinkAdd(&vnl.Veth{LinkAttrs: vnl.LinkAttrs{Name: "vM"}, PeerName: "vN"}); err != nil {
		b.Fatalf("add vM: %v", err)
	}
	<-marker
	b.StopTimer()
	s := src.Stats()
	events := float64(s.Events - before.Events)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(events/float64(b.N), "events/flap")
	b.ReportMetric(float64(s.Dropped-before.Dropped)/float64(b.N), "coalesced/flap")
	b.ReportMetric(float64(fires.Load())/max(events, 1), "fires/event")
}

// awaitProto waits until the detectors were told vA's line protocol is
// up (or down).
func awaitProto(b *testing.B, proto <-chan bool, up bool) {
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		select {
		case got := <-proto:
			if got == up {
				return
			}
		case <-timeout.C:
			b.Fatalf("the detectors were not told vA's line protocol is %s within %s", updown(up), wait)
		}
	}
}
