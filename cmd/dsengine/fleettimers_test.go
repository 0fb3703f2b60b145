package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/internal/testserver"
)

// TestFleetTimersRunOnce: of two fleet workers with the same EEM timer
// applet, only the holder of the timers lease runs it; when the holder
// stops, the other takes the lease over and runs it.
func TestFleetTimersRunOnce(t *testing.T) {
	c, _, b := startFleet(t)
	ctx := context.Background()
	const tick = "%HA_EM-6-LOG: TICK: tick"
	workers := map[string]*runningDaemon{}
	for _, id := range []string{"w1", "w2"} {
		dir := t.TempDir()
		conf := "hostname " + id + "\nevent manager applet TICK\n event timer watchdog time 1\n action 1.0 syslog msg \"tick\"\n"
		if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		workers[id] = startDaemon(t, dir, "--jetstream", c.URL(), "--role", "worker", "--worker-id", id)
	}
	ticks := func(id string) int { return strings.Count(workers[id].log.String(), tick) }
	holder := func() string {
		e, err := b.Leases.Get(ctx, fleet.LeaseTimers)
		if err != nil {
			return ""
		}
		return string(e.Value())
	}

	var first string
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		first = holder()
		return first != "" && ticks(first) >= 3
	}) {
		t.Fatalf("no worker ran the timer applet 3 times: lease holder %q, w1 %d runs, w2 %d runs", first, ticks("w1"), ticks("w2"))
	}
	other := map[string]string{"w1": "w2", "w2": "w1"}[first]
	if n := ticks(other); n != 0 {
		t.Fatalf("%s holds the timers lease and %s ran the timer applet too (%d times):\n%s", first, other, n, workers[other].log.String())
	}

	// The holder stops: the other takes the lease over and runs the timer.
	workers[first].stop()
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool { return holder() == other && ticks(other) >= 2 }) {
		t.Fatalf("%s did not take the timers over from %s: lease holder %q, %d runs\n%s", other, first, holder(), ticks(other), workers[other].log.String())
	}
}
