package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/ds/fleet/worker"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// timersMain holds the timers lease in a subprocess of the test binary,
// so that the test can kill it with SIGKILL; it prints "timers on" and
// "timers off" as its Set is called.
func timersMain(url, id string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var b fleet.Buckets
	if err := fleet.Await(ctx, log, "timers", func(ctx context.Context) (err error) {
		b, err = fleet.EnsureBuckets(ctx, js, 1, testTTL)
		return err
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	worker.RunTimers(ctx, worker.TimersOptions{Leases: b.Leases, ID: id, LeaseTTL: testTTL, Log: log,
		Set: func(_ context.Context, on bool) error {
			fmt.Printf("timers %s\n", map[bool]string{true: "on", false: "off"}[on])
			return nil
		}})
	return 0
}

// TestTimersHolderKilled: two workers' timers; the holder of the timers
// lease is killed with SIGKILL (it frees nothing): the other registers
// the timer events once the lease expired, and not before.
func TestTimersHolderKilled(t *testing.T) {
	c := fleettest.Start(t, 1)
	ctx := context.Background()
	_, js := c.Connect(t)
	b, err := fleet.EnsureBuckets(ctx, js, 1, testTTL)
	if err != nil {
		t.Fatal(err)
	}
	subs := map[string]*subWorker{}
	for _, id := range []string{"t1", "t2"} {
		subs[id] = spawnProcess(t, id, "DSFLEET_TIMERS="+c.URL())
	}
	holder := func() string {
		e, err := b.Leases.Get(ctx, fleet.LeaseTimers)
		if err != nil {
			return ""
		}
		return string(e.Value())
	}
	on := func(id string) bool { return strings.Contains(subs[id].out.String(), "timers on") }
	var first string
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		first = holder()
		return first != "" && on(first)
	}) {
		t.Fatalf("no worker took the timers lease: t1 %q, t2 %q", subs["t1"].out, subs["t2"].out)
	}
	other := map[string]string{"t1": "t2", "t2": "t1"}[first]

	_ = subs[first].cmd.Process.Kill()
	_ = subs[first].cmd.Wait()
	killed := time.Now()
	if on(other) {
		t.Fatalf("%s registered the timers while %s held the lease:\n%s", other, first, subs[other].out)
	}
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool { return holder() == other && on(other) }) {
		t.Fatalf("%s did not take the timers over from the killed %s: holder %q\n%s", other, first, holder(), subs[other].out)
	}
	took := time.Since(killed)
	t.Logf("the timers moved %s after the kill (lease TTL %s)", took.Round(10*time.Millisecond), testTTL)
	// The lease was the killed worker's until it expired: the takeover
	// cannot come sooner than the rest of its life (at least two thirds
	// of the TTL, as it was renewed every third).
	if took < testTTL/3 {
		t.Errorf("%s took the timers %s after the kill: before the killed holder's lease expired", other, took)
	}
}
