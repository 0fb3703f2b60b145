package input_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/inputtest"
	"github.com/dsengine/dsengine/ds/events/input/tcp"
	"github.com/dsengine/dsengine/ds/events/input/udp"
	"github.com/dsengine/dsengine/internal/testserver"
)

// TestThroughRsyslog sends with logger to a real rsyslogd, which forwards
// to our UDP listener and to two TCP listeners (LF and octet-counted
// framing).
func TestThroughRsyslog(t *testing.T) {
	testserver.Require(t, "logger", "rsyslogd")
	checkGoroutines := inputtest.Goroutines(t)
	u, err := udp.Listen("127.0.0.1:0", udp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := tcp.Listen("127.0.0.1:0", tcp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	to, err := tcp.Listen("127.0.0.1:0", tcp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ins := []input.Input{u, tl, to}
	queues := make([]*input.Queue, len(ins))
	runs := make([]*inputtest.Running, len(ins))
	for i, in := range ins {
		queues[i] = input.NewQueue(64, 0)
		runs[i] = inputtest.Start(t, in, queues[i])
	}
	rs := testserver.StartRsyslog(t,
		testserver.RsyslogForward{Protocol: "udp", Addr: u.Addr().String()},
		testserver.RsyslogForward{Protocol: "tcp", Addr: tl.Addr().String()},
		testserver.RsyslogForward{Protocol: "tcp", Addr: to.Addr().String(), OctetCounted: true},
	)
	host, _ := os.Hostname()

	for n, body := range []string{
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down first",
		"%SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1) second",
	} {
		out, err := exec.Command("logger", "-u", rs.Socket, "-t", "dstest", "-p", "local7.err", body).CombinedOutput()
		if err != nil {
			t.Fatalf("logger: %v\n%s", err, out)
		}
		for i, q := range queues {
			items := inputtest.CollectUntil(t, q, body)
			it := items[len(items)-1]
			m := inputtest.Parse(it)
			if m.Format != events.FormatRFC3164 || m.Priority != 23*8+3 || m.AppName != "dstest" || m.Host != host {
				t.Errorf("%s: format %v priority %d app %q host %q: %q", ins[i].Name(), m.Format, m.Priority, m.AppName, m.Host, it.Line)
			}
			if m.Body != body || m.TimeFrom != events.TimeEnvelope || it.Peer.Addr().String() != "127.0.0.1" {
				t.Errorf("%s: body %q time from %v peer %v", ins[i].Name(), m.Body, m.TimeFrom, it.Peer)
			}
			if n == 0 && m.Tag != "LINK-3-UPDOWN" || n == 1 && m.Tag != "SYS-5-CONFIG_I" {
				t.Errorf("%s: tag %q", ins[i].Name(), m.Tag)
			}
		}
	}
	for _, in := range ins {
		// The emitter counts a line delivered just after the queue took
		// it (Received = Delivered + Dropped but for the line being
		// offered), so the last line's count may trail its arrival.
		s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Received == s.Delivered+s.Dropped })
		t.Logf("%+v", s)
		if s.FramingErrors != 0 || s.Dropped != 0 || s.Received != s.Delivered || s.Received < 2 {
			t.Errorf("stats %+v", s)
		}
	}
	rs.Stop()
	for _, r := range runs {
		r.Stop(t)
	}
	checkGoroutines()
}
