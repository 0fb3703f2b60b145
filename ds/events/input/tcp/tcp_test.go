package tcp

import (
	"bytes"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/inputtest"
	"github.com/dsengine/dsengine/internal/testserver"
)

var fixed = time.Date(2026, time.November, 23, 15, 0, 0, 0, time.UTC)

func start(t *testing.T, o Options) (*Input, *input.Queue) {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return fixed }
	}
	in, err := Listen("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	q := input.NewQueue(64, 0)
	inputtest.Start(t, in, q)
	return in, q
}

func dial(t *testing.T, in *Input) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// send writes each chunk on a new connection and closes it.
func send(t *testing.T, in *Input, chunks ...string) {
	t.Helper()
	c := dial(t, in)
	for _, s := range chunks {
		if _, err := io.WriteString(c, s); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
}

func logger(t *testing.T, in *Input, args ...string) {
	t.Helper()
	testserver.Require(t, "logger")
	args = append([]string{"-n", "127.0.0.1", "-P", strconv.Itoa(int(in.Addr().Port())), "-T"}, args...)
	if out, err := exec.Command("logger", args...).CombinedOutput(); err != nil {
		t.Fatalf("logger %q: %v\n%s", args, err, out)
	}
}

func TestLogger(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		format events.Format
	}{
		{"rfc5424 newline", []string{"-t", "dstest", "-p", "local7.err"}, events.FormatRFC5424},
		{"rfc3164 newline", []string{"--rfc3164", "-t", "dstest", "-p", "local7.err"}, events.FormatRFC3164},
		{"rfc5424 octet-count", []string{"--octet-count", "--rfc5424", "-t", "dstest", "-p", "local7.err"}, events.FormatRFC5424},
		{"rfc3164 octet-count", []string{"--octet-count", "--rfc3164", "-t", "dstest", "-p", "local7.err"}, events.FormatRFC3164},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, q := start(t, Options{})
			body := "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1)"
			logger(t, in, append(c.args, body, "second")...)
			items := inputtest.Collect(t, q, 1)
			it := items[0]
			m := inputtest.Parse(it)
			if m.Format != c.format || m.Priority != 23*8+3 || m.AppName != "dstest" {
				t.Errorf("format %v priority %d app %q: %q", m.Format, m.Priority, m.AppName, it.Line)
			}
			if m.Tag != "SYS-5-CONFIG_I" || !strings.HasSuffix(m.Text, "vty0 (192.0.2.1) second") {
				t.Errorf("tag %q text %q", m.Tag, m.Text)
			}
			if bytes.ContainsAny(it.Line, "\r\n") || it.Peer.Addr().String() != "127.0.0.1" || it.Received != fixed {
				t.Errorf("line %q peer %v received %v", it.Line, it.Peer, it.Received)
			}
			s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 0 })
			if s.Received != 1 || s.Delivered != 1 || s.FramingErrors != 0 || s.Accepted != 1 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestWrongOctetCount(t *testing.T) {
	in, q := start(t, Options{})
	// Too small: the rest of the message is text up to the next frame.
	send(t, in, "3 <13>hello world", "9 <13>after")
	got := inputtest.Lines(inputtest.Collect(t, q, 3))
	if want := []string{"<13", ">hello world", "<13>after"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	// Too large: it swallows what follows until the connection closes.
	send(t, in, "40 <13>short", "9 <13>later")
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>short9 <13>later" {
		t.Errorf("got %q", got[0].Line)
	}
	// The listener goes on.
	send(t, in, "9 <13>fine\n")
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>fine\n" {
		t.Errorf("got %q", got[0].Line)
	}
	s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 0 })
	if s.FramingErrors != 2 || s.Received != 5 || s.Delivered != 5 || s.ReadErrors != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestClosedMidFrame(t *testing.T) {
	in, q := start(t, Options{})
	send(t, in, "5 <13>a", "100 <13>the start of a long message")
	got := inputtest.Lines(inputtest.Collect(t, q, 2))
	if got[0] != "<13>a" || got[1] != "<13>the start of a long message" {
		t.Errorf("got %q", got)
	}
	send(t, in, "<13>next\n")
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>next" {
		t.Errorf("got %q", got[0].Line)
	}
	s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 0 })
	if s.FramingErrors != 1 || s.Received != 3 || s.Accepted != 2 {
		t.Errorf("stats %+v", s)
	}
}

func TestBytesKept(t *testing.T) {
	in, q := start(t, Options{})
	// Newline framing ends a frame at NUL too; octet counting keeps it.
	framed := "<13>a\x00b\xffc\n\r"
	send(t, in, "<13>bad \xff\xfe utf8\x00<13>two\r\n", strconv.Itoa(len(framed))+" "+framed+"\n", "<13>last\n")
	got := inputtest.Lines(inputtest.Collect(t, q, 4))
	want := []string{"<13>bad \xff\xfe utf8", "<13>two", "<13>a\x00b\xffc\n\r", "<13>last"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	if s := in.Stats(); s.FramingErrors != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestOversize(t *testing.T) {
	in, q := start(t, Options{})
	long := "<13>" + strings.Repeat("y", 70_000)
	send(t, in, long+"\n<13>after\n", strconv.Itoa(len(long))+" "+long, "<13>end\n")
	items := inputtest.Collect(t, q, 4)
	for _, i := range []int{0, 2} {
		if string(items[i].Line) != long[:input.MaxLine] || !items[i].Truncated {
			t.Errorf("item %d: %d bytes, truncated %v", i, len(items[i].Line), items[i].Truncated)
		}
	}
	if string(items[1].Line) != "<13>after" || string(items[3].Line) != "<13>end" {
		t.Errorf("then %q and %q", items[1].Line, items[3].Line)
	}
	// The input counts a line delivered just after the queue took it.
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Delivered == 4 })
	if s := in.Stats(); s.Oversize != 2 || s.Delivered != 4 || s.FramingErrors != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestMaxConns(t *testing.T) {
	in, q := start(t, Options{MaxConns: 2})
	a, b := dial(t, in), dial(t, in)
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 2 })
	// The third is closed at once.
	c := dial(t, in)
	_ = c.SetReadDeadline(time.Now().Add(inputtest.Timeout))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("third connection read %d bytes", n)
	}
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Rejected == 1 })
	io.WriteString(a, "<13>from a\n")
	io.WriteString(b, "<13>from b\n")
	inputtest.Collect(t, q, 2)
	a.Close()
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 1 })
	send(t, in, "<13>from d\n")
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>from d" {
		t.Errorf("got %q", got[0].Line)
	}
	if s := in.Stats(); s.Accepted != 3 || s.Rejected != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestIdleTimeout(t *testing.T) {
	in, q := start(t, Options{IdleTimeout: 100 * time.Millisecond})
	c := dial(t, in)
	io.WriteString(c, "<13>hello\n5 <13>")
	inputtest.Collect(t, q, 1)
	// The server closes the idle connection, delivering the frame it cut.
	_ = c.SetReadDeadline(time.Now().Add(inputtest.Timeout))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read after idle: %v", err)
	}
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>" {
		t.Errorf("got %q", got[0].Line)
	}
	s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 0 })
	if s.IdleClosed != 1 || s.FramingErrors != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestFullQueueWaitsThenDrops(t *testing.T) {
	in, err := Listen("127.0.0.1:0", Options{Options: input.Options{Wait: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	q := input.NewQueue(1, 0)
	inputtest.Start(t, in, q)
	send(t, in, "<13>1\n<13>2\n<13>3\n")
	s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Received == 3 && s.Connections == 0 })
	if s.Delivered != 1 || s.Dropped != 2 {
		t.Errorf("stats %+v", s)
	}
	// With room again, a line that waits is delivered.
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>1" {
		t.Errorf("got %q", got[0].Line)
	}
}

func TestStop(t *testing.T) {
	checkGoroutines := inputtest.Goroutines(t)
	in, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := inputtest.Start(t, in, input.NewQueue(4, 0))
	c := dial(t, in)
	io.WriteString(c, "<13>open connection\n")
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Delivered == 1 })
	r.Stop(t)
	// Stopping closed the open connection too.
	_ = c.SetReadDeadline(time.Now().Add(inputtest.Timeout))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open")
	}
	c.Close()
	if _, err := net.Dial("tcp", in.Addr().String()); err == nil {
		t.Error("still listening")
	}
	checkGoroutines()
}

// TestSlowloris: a cap's worth of idle connections must not lock out a
// sender. The idlest connection makes room for the new one; the counts
// say so.
func TestSlowloris(t *testing.T) {
	clk := clock.NewVirtual(fixed)
	in, q := start(t, Options{Options: input.Options{Now: clk.Now}, MaxConns: 16})
	idle := make([]net.Conn, 16)
	for i := range idle {
		idle[i] = dial(t, in)
	}
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 16 })
	// They have been idle long enough to make way for a new peer.
	clk.Advance(DefaultEvictIdle)
	logger(t, in, "-t", "dstest", "%SYS-5-CONFIG_I: the legitimate line")
	items := inputtest.Collect(t, q, 1)
	if m := inputtest.Parse(items[0]); m.Tag != "SYS-5-CONFIG_I" {
		t.Errorf("got %q", items[0].Line)
	}
	// One idle connection was closed to make room.
	closed := 0
	for _, c := range idle {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err == io.EOF {
			closed++
		}
	}
	s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 15 })
	if closed != 1 || s.IdleClosed != 1 || s.Rejected != 0 || s.Accepted != 17 {
		t.Errorf("%d idle connections closed; stats %+v", closed, s)
	}
}

// TestCapFullOfActivePeers: when every connection was active within
// EvictIdle, a new one is rejected and counted, and no sender loses its
// connection.
func TestCapFullOfActivePeers(t *testing.T) {
	clk := clock.NewVirtual(fixed)
	in, q := start(t, Options{Options: input.Options{Now: clk.Now}, MaxConns: 2, EvictIdle: time.Minute})
	a, b := dial(t, in), dial(t, in)
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 2 })
	clk.Advance(50 * time.Second)
	io.WriteString(a, "<13>from a\n") // a is active again; b is not, but not for long enough
	inputtest.Collect(t, q, 1)
	c := dial(t, in)
	_ = c.SetReadDeadline(time.Now().Add(inputtest.Timeout))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("third connection read %d bytes", n)
	}
	inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Rejected == 1 })
	// b has now been idle a minute: the next newcomer takes its place, not a's.
	clk.Advance(10 * time.Second)
	send(t, in, "<13>from d\n")
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>from d" {
		t.Errorf("got %q", got[0].Line)
	}
	_ = b.SetReadDeadline(time.Now().Add(inputtest.Timeout))
	if _, err := b.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("b, the idlest, was not closed: %v", err)
	}
	io.WriteString(a, "<13>a again\n")
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>a again" {
		t.Errorf("got %q", got[0].Line)
	}
	s := inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Connections == 1 })
	if s.Rejected != 1 || s.IdleClosed != 1 || s.Accepted != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestDefaults(t *testing.T) {
	in, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.opts.IdleTimeout != 2*time.Minute || in.opts.MaxConns != 256 || in.opts.EvictIdle != DefaultEvictIdle {
		t.Errorf("defaults %+v", in.opts)
	}
}
