package udp

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/inputtest"
	"github.com/dsengine/dsengine/internal/testserver"
)

var fixed = time.Date(2026, time.November, 23, 15, 0, 0, 0, time.UTC)

// start listens on a free port of 127.0.0.1 and runs the input into a new
// queue of qsize items until the test ends.
func start(t *testing.T, o Options, qsize int) (*Input, *input.Queue) {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return fixed }
	}
	in, err := Listen("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	q := input.NewQueue(qsize, 0)
	inputtest.Start(t, in, q)
	return in, q
}

func send(t *testing.T, in *Input, payloads ...[]byte) {
	t.Helper()
	c, err := net.Dial("udp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range payloads {
		if _, err := c.Write(p); err != nil {
			t.Fatalf("send %d bytes: %v", len(p), err)
		}
	}
}

// settled waits until every line read is counted delivered or dropped:
// the input counts a line after the queue took it, so a consumer may have
// it first.
func settled(t *testing.T, in *Input) input.Stats {
	t.Helper()
	return inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Received == s.Delivered+s.Dropped })
}

func logger(t *testing.T, in *Input, args ...string) {
	t.Helper()
	testserver.Require(t, "logger")
	args = append([]string{"-n", "127.0.0.1", "-P", strconv.Itoa(int(in.Addr().Port())), "-d"}, args...)
	if out, err := exec.Command("logger", args...).CombinedOutput(); err != nil {
		t.Fatalf("logger %q: %v\n%s", args, err, out)
	}
}

func TestLoggerRFC5424(t *testing.T) {
	in, q := start(t, Options{}, 16)
	logger(t, in, "-t", "dstest", "-p", "local7.warning", "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
	it := inputtest.Collect(t, q, 1)[0]
	m := inputtest.Parse(it)
	if m.Format != events.FormatRFC5424 || m.Priority != 23*8+4 || m.AppName != "dstest" {
		t.Errorf("format %v priority %d app %q; line %q", m.Format, m.Priority, m.AppName, it.Line)
	}
	if !strings.Contains(m.StructuredData, "timeQuality") {
		t.Errorf("structured data %q", m.StructuredData)
	}
	if m.Tag != "LINK-3-UPDOWN" || m.Severity != 3 || m.Text != "Interface Gi1/0/1, changed state to down" {
		t.Errorf("tag %q severity %d text %q", m.Tag, m.Severity, m.Text)
	}
	if m.TimeFrom != events.TimeEnvelope || m.Received != fixed || it.Received != fixed {
		t.Errorf("time from %v, received %v", m.TimeFrom, m.Received)
	}
	if it.Peer.Addr().String() != "127.0.0.1" || it.Peer.Port() == 0 || it.Input != in.Name() || it.Truncated {
		t.Errorf("peer %v input %q truncated %v", it.Peer, it.Input, it.Truncated)
	}
	if bytes.HasSuffix(it.Line, []byte("\n")) {
		t.Errorf("trailing newline kept: %q", it.Line)
	}
	s := settled(t, in)
	if s.Received != 1 || s.Delivered != 1 || s.Dropped != 0 || s.Oversize != 0 || !strings.HasPrefix(s.Input, "udp:127.0.0.1:") {
		t.Errorf("stats %+v", s)
	}
}

func TestLoggerRFC3164(t *testing.T) {
	in, q := start(t, Options{}, 16)
	logger(t, in, "--rfc3164", "-t", "app", "-p", "user.err", "plain text")
	m := inputtest.Parse(inputtest.Collect(t, q, 1)[0])
	if m.Format != events.FormatRFC3164 || m.Priority != 11 || m.AppName != "app" || m.Text != "plain text" || m.Severity != 3 {
		t.Errorf("%+v", m)
	}
	if m.Host == "" {
		t.Errorf("no host in %q", m.Raw)
	}
}

func TestMaxDatagram(t *testing.T) {
	const udpMax = 65507 // the largest IPv4 UDP payload
	big := append([]byte("<13>"), bytes.Repeat([]byte("x"), udpMax-4)...)

	t.Run("default limit delivers it whole", func(t *testing.T) {
		in, q := start(t, Options{}, 16)
		send(t, in, big, []byte("<13>after"))
		items := inputtest.Collect(t, q, 2)
		if !bytes.Equal(items[0].Line, big) || items[0].Truncated {
			t.Errorf("got %d bytes, truncated %v", len(items[0].Line), items[0].Truncated)
		}
		if string(items[1].Line) != "<13>after" {
			t.Errorf("then %q", items[1].Line)
		}
		if s := settled(t, in); s.Oversize != 0 || s.Delivered != 2 {
			t.Errorf("stats %+v", s)
		}
	})
	t.Run("smaller limit cuts it", func(t *testing.T) {
		in, q := start(t, Options{Options: input.Options{MaxLine: 1024}}, 16)
		send(t, in, big, []byte("<13>after"))
		items := inputtest.Collect(t, q, 2)
		if !bytes.Equal(items[0].Line, big[:1024]) || !items[0].Truncated {
			t.Errorf("got %d bytes, truncated %v", len(items[0].Line), items[0].Truncated)
		}
		if string(items[1].Line) != "<13>after" || items[1].Truncated {
			t.Errorf("then %q", items[1].Line)
		}
		if s := settled(t, in); s.Oversize != 1 || s.Received != 2 || s.Delivered != 2 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestBytesKept(t *testing.T) {
	in, q := start(t, Options{}, 16)
	odd := []byte("<11>Nov 23 14:46:24 vm app: bad \xff\xfe utf8 \x00 and NUL\x00\r\n")
	send(t, in, odd, []byte("\n"), []byte("<13>after\n"))
	items := inputtest.Collect(t, q, 2)
	if want := odd[:len(odd)-3]; !bytes.Equal(items[0].Line, want) {
		t.Errorf("got %q, want %q", items[0].Line, want)
	}
	m := inputtest.Parse(items[0])
	if m.AppName != "app" || m.Text != "bad \xff\xfe utf8 \x00 and NUL" {
		t.Errorf("parsed app %q text %q", m.AppName, m.Text)
	}
	if string(items[1].Line) != "<13>after" {
		t.Errorf("then %q", items[1].Line)
	}
	// The empty datagram is not a message.
	if s := settled(t, in); s.Received != 2 || s.Delivered != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestFlood(t *testing.T) {
	checkGoroutines := inputtest.Goroutines(t)
	const total, qsize = 100_000, 1024
	in, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := input.NewQueue(qsize, 0)
	r := inputtest.Start(t, in, q)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	c, err := net.Dial("udp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("<189>343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface Gi1/0/12, changed state to up #000000")
	began := time.Now()
	for i := range total {
		copy(line[len(line)-6:], fmt.Sprintf("%06d", i))
		if _, err := c.Write(line); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	took := time.Since(began)

	// Wait until the reader has emptied the socket buffer.
	sent, s := waitRead(t, in, c, total)
	c.Close()
	t.Logf("sent %d in %v: %+v", sent, took, s)
	if s.Received != s.Delivered+s.Dropped || s.Delivered != qsize || s.Dropped == 0 {
		t.Errorf("received %d, delivered %d, dropped %d, queue %d", s.Received, s.Delivered, s.Dropped, qsize)
	}
	if q.Len() != qsize {
		t.Errorf("queue holds %d", q.Len())
	}

	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("heap grew by %d bytes during the flood", grew)
	}

	// The consumer comes back: the queued lines are the first ones read,
	// in order, and the input still delivers.
	items := inputtest.Collect(t, q, qsize)
	prev := -1
	for _, it := range items {
		n, _ := strconv.Atoi(string(it.Line[len(it.Line)-6:]))
		if n <= prev {
			t.Fatalf("line %d after %d", n, prev)
		}
		prev = n
	}
	send(t, in, []byte("<13>after the flood"))
	if got := inputtest.Collect(t, q, 1)[0]; string(got.Line) != "<13>after the flood" {
		t.Errorf("after the flood: %q", got.Line)
	}
	// The datagram after the flood carries the kernel's final drop count.
	if s := in.Stats(); s.Received+s.KernelDrops != sent+1 {
		t.Errorf("received %d + kernel drops %d != sent %d", s.Received, s.KernelDrops, sent+1)
	}
	r.Stop(t)
	checkGoroutines()
}

func TestStop(t *testing.T) {
	checkGoroutines := inputtest.Goroutines(t)
	in, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := in.Addr().String()
	r := inputtest.Start(t, in, input.NewQueue(1, 0))
	r.Stop(t)
	// The port is free again.
	again, err := Listen(addr, Options{})
	if err != nil {
		t.Fatalf("port not released: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Error(err)
	}
	if _, err := Listen("127.0.0.1:99999", Options{}); err == nil || !strings.Contains(err.Error(), "syslog udp") {
		t.Errorf("bad address: %v", err)
	}
	checkGoroutines()
}

func TestKernelDrops(t *testing.T) {
	const total = 20_000
	in, err := Listen("127.0.0.1:0", Options{ReadBuffer: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Nobody reads the socket yet: the kernel drops what its buffer cannot hold.
	payloads := make([][]byte, total)
	for i := range payloads {
		payloads[i] = []byte(fmt.Sprintf("<13>flood %06d", i))
	}
	send(t, in, payloads...)
	q := input.NewQueue(2*total, 0) // room for every datagram: only the kernel drops
	inputtest.Start(t, in, q)
	c, err := net.Dial("udp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sent, _ := waitRead(t, in, c, total)
	send(t, in, []byte("<13>last"))
	items := inputtest.CollectUntil(t, q, "last")
	s := in.Stats()
	t.Logf("%+v", s)
	if s.KernelDrops == 0 || s.Received+s.KernelDrops != sent+1 || s.Dropped != 0 {
		t.Errorf("received %d + kernel drops %d, want %d", s.Received, s.KernelDrops, sent+1)
	}
	if uint64(len(items)) != s.Received || q.Len() != 0 {
		t.Errorf("%d lines queued, %d left, %d received", len(items), q.Len(), s.Received)
	}
}

// waitRead waits until in has read every datagram sent to it, or seen
// the kernel drop it: sent so far, then a sentinel on c every 10 ms. The
// kernel's drop count comes with the next datagram read, so a datagram
// that arrives after the last drop is needed to see it; once Received +
// KernelDrops reaches what was sent, none is left in the socket. It
// returns how many datagrams were sent in all, and the Stats then.
func waitRead(t *testing.T, in *Input, c net.Conn, sent uint64) (uint64, input.Stats) {
	t.Helper()
	var s input.Stats
	ok := testserver.Poll(inputtest.Timeout, 10*time.Millisecond, func() bool {
		if s = in.Stats(); s.Received+s.KernelDrops == sent {
			return true
		}
		if _, err := c.Write([]byte("<13>sentinel")); err != nil {
			t.Error(err)
			return true
		}
		sent++
		return false
	})
	if !ok {
		t.Fatalf("%d datagrams sent, %d read, %d dropped by the kernel", sent, s.Received, s.KernelDrops)
	}
	return sent, s
}

// TestReusePortReaders: four sockets share the address (SO_REUSEPORT),
// each read by its own goroutine; 64 senders' lines all arrive, each
// sender's in order, and every socket read some (the kernel spreads the
// senders over them by their address and port).
func TestReusePortReaders(t *testing.T) {
	in, q := start(t, Options{Readers: 4}, 10000)
	if in.Sockets() != 4 {
		t.Fatalf("%d sockets, want 4", in.Sockets())
	}
	const senders, each = 64, 30
	for s := range senders {
		c, err := net.Dial("udp", in.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		for i := range each {
			if _, err := fmt.Fprintf(c, "s%d %d", s, i); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
	}
	items := inputtest.Collect(t, q, senders*each)
	next := map[string]int{}
	for _, it := range items {
		var s string
		var i int
		if _, err := fmt.Sscanf(string(it.Line), "%s %d", &s, &i); err != nil {
			t.Fatalf("line %q: %v", it.Line, err)
		}
		if i != next[s] {
			t.Fatalf("sender %s: line %d after %d: out of order", s, i, next[s]-1)
		}
		next[s]++
	}
	if st := settled(t, in); st.Delivered != senders*each || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
	for i, n := range in.SocketLines() {
		if n == 0 {
			t.Errorf("socket %d read nothing of 64 senders' lines: %v", i, in.SocketLines())
		}
	}
	// Another listener on the address is refused, as with one socket:
	// it does not take a share of the senders.
	if other, err := Listen(in.Addr().String(), Options{Readers: 4}); err == nil {
		other.Close()
		t.Errorf("a second listener with 4 sockets bound %s too", in.Addr())
	} else if !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("second listener: %v", err)
	}
}
