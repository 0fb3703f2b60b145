package udp

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/inputtest"
)

// TestBurstFitsDefaultQueue: a burst of 10,000 datagrams, more than the
// old 4,096-line queue held, with nobody taking lines from the queue, is
// queued whole with the default queue size and receive buffer.
func TestBurstFitsDefaultQueue(t *testing.T) {
	const total = 10_000
	in, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if in.ReadBuffer() == 0 {
		t.Error("the granted receive buffer is unknown")
	}
	q := input.NewQueue(config.DefaultSyslogQueueSize, 0)
	inputtest.Start(t, in, q)
	c, err := net.Dial("udp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	line := []byte("<189>343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface Gi1/0/12, changed state to up #000000")
	for i := range total {
		copy(line[len(line)-6:], fmt.Sprintf("%06d", i))
		if _, err := c.Write(line); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	sent, s := waitRead(t, in, c, total)
	t.Logf("sent %d, granted buffer %d: %+v", sent, in.ReadBuffer(), s)
	if s.Dropped != 0 || s.Delivered != s.Received || q.Len() != int(s.Received) {
		t.Errorf("queue dropped %d of %d received; %d queued", s.Dropped, s.Received, q.Len())
	}
	if s.Received <= 4096 {
		t.Errorf("only %d datagrams read (kernel drops %d): the burst does not test the queue", s.Received, s.KernelDrops)
	}
	// The lines are intact and in order, though they share chunks.
	prev := -1
	for range s.Received {
		it, _ := q.TryGet()
		if string(it.Line) != "<13>sentinel" {
			var n int
			if _, err := fmt.Sscanf(string(it.Line[len(it.Line)-7:]), "#%06d", &n); err != nil {
				t.Fatalf("line %q: %v", it.Line, err)
			}
			if n <= prev {
				t.Fatalf("line %d after %d", n, prev)
			}
			prev = n
		}
		if cap(it.Line) != len(it.Line) {
			t.Fatalf("line %q has room after it (%d > %d)", it.Line, cap(it.Line), len(it.Line))
		}
	}
}

// TestReadBuffer: the receive buffer asked for is set, and what the
// kernel granted is reported (Linux doubles it; without root it is capped
// at net.core.rmem_max).
func TestReadBuffer(t *testing.T) {
	small, err := Listen("127.0.0.1:0", Options{ReadBuffer: 8192})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	big, err := Listen("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	t.Logf("granted: %d for 8192, %d for the default", small.ReadBuffer(), big.ReadBuffer())
	if small.ReadBuffer() < 8192 || big.ReadBuffer() <= small.ReadBuffer() {
		t.Errorf("granted %d for 8192 bytes and %d for %d", small.ReadBuffer(), big.ReadBuffer(), DefaultReadBuffer)
	}
	if err := small.SetReadBuffer(1 << 20); err != nil || small.ReadBuffer() <= 8192*2 {
		t.Errorf("after SetReadBuffer(1 MiB): %d, %v", small.ReadBuffer(), err)
	}
}

// BenchmarkRead: datagrams per second and allocations per datagram from
// the socket into the queue, with a sender on the same machine; one op is
// one datagram queued. "single" is the reader before batching (one
// recvmsg and one allocation per datagram).
func BenchmarkRead(b *testing.B) {
	for _, mode := range []string{"batch", "single"} {
		b.Run(mode, func(b *testing.B) {
			in, err := Listen("127.0.0.1:0", Options{})
			if err != nil {
				b.Fatal(err)
			}
			in.single = mode == "single"
			q := input.NewQueue(config.DefaultSyslogQueueSize, 0)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = in.Run(ctx, q) }()
			c, err := net.Dial("udp", in.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			sent := make(chan struct{})
			go func() {
				defer close(sent)
				line := []byte("<189>343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface Gi1/0/12, changed state to up")
				for ctx.Err() == nil {
					_, _ = c.Write(line)
				}
			}()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for range b.N {
				if _, err := q.Get(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			// Every goroutine's allocations, the sender's and the
			// consumer's too, with fractions (ReportAllocs rounds down).
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/datagram")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N), "B/datagram")
			cancel()
			<-done
			<-sent
			c.Close()
			s := in.Stats()
			b.ReportMetric(float64(s.KernelDrops)/float64(s.Received+s.KernelDrops)*100, "%kernel-loss")
		})
	}
}
