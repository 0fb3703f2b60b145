package netlink

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

// BenchmarkNetlinkDelivery flaps a veth b.N times (ip -batch) in a
// namespace and measures the events the source delivers a second, from
// the kernel's messages to a hub with 1,000 registered detectors (990
// generated DS syslog patterns, 10 `event routing`), each line parsed as
// the pump does. The per-interface bound is lifted (Burst and Rate
// unlimited): what is left is the coalescing of what the emitter had no
// time for, reported as coalesced/flap.
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
			return true
		},
		Publish: func(e detector.HostEvent) { h.Publish(e) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, env) }()
	defer func() { cancel(); <-done }()
	<-ready

	var sb strings.Builder
	for range b.N {
		sb.WriteString("link set vA up\nlink set vA down\n")
	}
	sb.WriteString("link add vM type veth peer name vN\n")
	batch := filepath.Join(b.TempDir(), "flaps")
	if err := os.WriteFile(batch, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	before := src.Stats()
	b.ResetTimer()
	IP(b, "-n", ns, "-batch", batch)
	<-marker
	b.StopTimer()
	s := src.Stats()
	events := float64(s.Events - before.Events)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(s.Dropped-before.Dropped)/float64(b.N), "coalesced/flap")
	b.ReportMetric(float64(fires.Load())/max(events, 1), "fires/event")
}
