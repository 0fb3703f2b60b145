package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/internal/testserver"
)

// TestShowFleetView: `show call-home diagnostic-signature` on a fleet
// worker adds the statistics of the live workers, summed per DS; a worker
// whose heartbeat stopped is not counted.
func TestShowFleetView(t *testing.T) {
	c := fleettest.Start(t, 1)
	ctx := context.Background()
	_, js := c.Connect(t)
	if err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: 2}); err != nil {
		t.Fatal(err)
	}
	b, err := fleet.EnsureBuckets(ctx, js, 1, fleet.DefaultLeaseTTL)
	if err != nil {
		t.Fatal(err)
	}
	// Two other workers: w8 live, w9 gone (no heartbeat).
	if err := fleet.NewStatsWriter(b.Stats, "w8").Write(ctx, time.Now(), []fleet.DSStats{
		{DS: "6030", Triggers: 4, Runs: 3, FailedRuns: 1, ActionsRun: 9, RunTime: 3 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stats.Put(ctx, "ds.w9.6030", []byte(`{"ds":"6030","triggers":50,"runs":50}`)); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	conf := "dsengine\n syslog listen udp " + testserver.Addr(testserver.FreeUDPPort(t)) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, dir, "--jetstream", c.URL(), "--worker-id", "w1")
	show := func() string {
		r := dsengineNow(t, dir, "--config", filepath.Join(dir, "dsengine.conf"), "--bootflash", filepath.Join(dir, "bootflash"),
			"show", "call-home", "diagnostic-signature")
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		return r.stdout
	}
	var out string
	// w1's first heartbeat is written as its fleet stage starts.
	testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		out = show()
		return strings.Contains(out, "w1, w8")
	})
	want := `
Fleet statistics (2 live workers: w1, w8):
DS ID      Triggered  Completed  Suppressed Failed     Actions    Failed act Avg run
---------- ---------- ---------- ---------- ---------- ---------- ---------- ----------
6030       4          3          0          1          9          0          1s
`
	if !strings.HasSuffix(out, want) {
		t.Errorf("show call-home diagnostic-signature on a fleet worker:\n%s\nwant it to end with:%s", out, want)
	}
}
