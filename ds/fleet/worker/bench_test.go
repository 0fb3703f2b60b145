package worker_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/worker"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/prometheus/procfs"
)

// manyDS is n syslog DS, each with its own tag; benchLog's lines match
// one in ten of them.
func manyDS(n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprintf(`<DiagnosticSignature id="%d" revision="1.0"><Name>B%d</Name>
  <Events><Event type="syslog" pattern="%%BENCH%d-3-EVT: (\S+) failed"/></Events>
  <Actions><Action type="message">x</Action></Actions>
</DiagnosticSignature>`, 20000+i, i, i)
	}
	return out
}

// benchLog is n lines from 1,000 devices; one in ten fires one of the
// 1,000 DS, the others match none.
func benchLog(n int, at time.Time) []input.Item {
	lines := make([]input.Item, n)
	for i := range n {
		t := at.Add(time.Duration(i) * time.Millisecond)
		body := fmt.Sprintf("%%LINK-5-CHANGED: Interface Gi0/%d, changed state to administratively down", i%48)
		if i%10 == 0 {
			body = fmt.Sprintf("%%BENCH%d-3-EVT: job%d failed", i%1000, i)
		}
		lines[i] = input.Item{Received: t, Input: "bench",
			Line: fmt.Appendf(nil, "<189>%d: dev%04d: %s UTC: %s", i, i%1000, t.Format("Jan _2 15:04:05.000"), body)}
	}
	return lines
}

// drained reports whether every partition's consumer has delivered and
// had acked every line of the stream.
func (rg *rig) drained(t testing.TB) bool {
	s, err := rg.js.Stream(rg.ctx, fleet.StreamSyslog)
	if err != nil {
		return false
	}
	owner := rg.leases()
	for n := range testPartitions {
		c, err := s.Consumer(rg.ctx, worker.ConsumerName(n, owner[n]))
		if err != nil {
			return false
		}
		info, err := c.Info(rg.ctx)
		if err != nil || info.NumPending > 0 || info.NumAckPending > 0 {
			return false
		}
	}
	return true
}

// BenchmarkFleetLines is end-to-end lines/s through relay → JetStream (one
// node) → 1 or 2 worker processes with 1,000 DS, the triggers' intents
// stored and run by an executor.
func BenchmarkFleetLines(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			rg := newRig(b, 1)
			var subs []*subWorker
			for i := range workers {
				subs = append(subs, rg.spawn(b, fmt.Sprintf("w%d", i+1), "DSFLEET_DS=1000"))
			}
			if !testserver.Poll(60*time.Second, 50*time.Millisecond, func() bool {
				o := owners(rg.leases())
				return len(rg.leases()) == testPartitions && len(o) == workers
			}) {
				rg.dumpWorkers(b)
				b.Fatalf("partitions not shared: %v", rg.leases())
			}
			const n = 50000
			at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			// Warm up: each partition registers the 1,000 DS at its first
			// line (the worker's start, not its throughput).
			rg.feed(b, benchLog(2000, at.Add(-time.Hour)))
			if !testserver.Poll(5*time.Minute, 20*time.Millisecond, func() bool {
				return rg.relay.Stats().Published >= 2000 && rg.drained(b)
			}) {
				b.Fatalf("warm-up not drained: relay %v", rg.relay.Stats())
			}
			b.ResetTimer()
			var elapsed time.Duration
			// Where the CPU goes, to tell how the fleet scales: the
			// worker processes, the nats-server, and this process (the
			// relay, the executor and the feed).
			var pids []int
			for _, s := range subs {
				pids = append(pids, s.cmd.Process.Pid)
			}
			cpu0 := [3]time.Duration{cpuTime(b, pids...), cpuTime(b, rg.c.Nodes[0].Pid()), cpuTime(b, os.Getpid())}
			for i := 0; i < b.N; i++ {
				lines := benchLog(n, at.Add(time.Duration(i)*time.Hour))
				start := time.Now()
				rg.feed(b, lines)
				if !testserver.Poll(10*time.Minute, 20*time.Millisecond, func() bool {
					return rg.relay.Stats().Published >= uint64(2000+(i+1)*n) && rg.drained(b)
				}) {
					b.Fatalf("not drained: relay %v", rg.relay.Stats())
				}
				elapsed += time.Since(start)
			}
			cpu1 := [3]time.Duration{cpuTime(b, pids...), cpuTime(b, rg.c.Nodes[0].Pid()), cpuTime(b, os.Getpid())}
			perLine := func(i int) float64 { return float64((cpu1[i] - cpu0[i]).Microseconds()) / float64(b.N*n) }
			b.ReportMetric(float64(b.N*n)/elapsed.Seconds(), "lines/s")
			b.ReportMetric(perLine(0), "worker-cpu-µs/line")
			b.ReportMetric(perLine(1), "server-cpu-µs/line")
			b.ReportMetric(perLine(2), "relay+executor-cpu-µs/line")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// cpuTime is the user and system CPU time the processes used so far.
func cpuTime(b *testing.B, pids ...int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		p, err := procfs.NewProc(pid)
		if err != nil {
			b.Fatal(err)
		}
		st, err := p.Stat()
		if err != nil {
			b.Fatal(err)
		}
		total += time.Duration(st.CPUTime() * float64(time.Second))
	}
	return total
}

// BenchmarkTakeover is the time from a kill -9 of one of two workers
// until the other holds every partition, with a 2 s lease TTL (the
// default is fleet.DefaultLeaseTTL: the figure moves with it).
func BenchmarkTakeover(b *testing.B) {
	rg := newRig(b, 1)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		a := rg.spawn(b, fmt.Sprintf("a%d", i))
		other := rg.spawn(b, fmt.Sprintf("b%d", i))
		if !testserver.Poll(60*time.Second, 20*time.Millisecond, func() bool {
			o := owners(rg.leases())
			return o[a.id] == testPartitions/2 && o[other.id] == testPartitions/2
		}) {
			b.Fatalf("partitions not shared: %v", rg.leases())
		}
		start := time.Now()
		_ = a.cmd.Process.Kill()
		_ = a.cmd.Wait()
		if !testserver.Poll(60*time.Second, 10*time.Millisecond, func() bool {
			return owners(rg.leases())[other.id] == testPartitions
		}) {
			b.Fatalf("no takeover: %v", rg.leases())
		}
		total += time.Since(start)
		_ = other.cmd.Process.Kill()
		_ = other.cmd.Wait()
		// The dead workers' leases expire before the next round.
		testserver.Poll(30*time.Second, 50*time.Millisecond, func() bool { return len(rg.leases()) == 0 })
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/takeover")
	b.ReportMetric(testTTL.Seconds(), "s-lease-ttl")
	b.ReportMetric(0, "ns/op")
}
