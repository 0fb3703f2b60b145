package fleet_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/internal/golden"
)

// TestFleetView: two live workers' statistics add up per DS; a worker
// without a heartbeat is left out, and once the heartbeats are stale no
// worker is live.
func TestFleetView(t *testing.T) {
	c := fleettest.Start(t, 1)
	ctx := context.Background()
	_, js := c.Connect(t)
	b, err := fleet.EnsureBuckets(ctx, js, 1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	w1, w2 := fleet.NewStatsWriter(b.Stats, "w1"), fleet.NewStatsWriter(b.Stats, "w2")
	if err := w1.Write(ctx, now, []fleet.DSStats{
		{DS: "9001", Triggers: 5, Runs: 4, FailedRuns: 1, ActionsRun: 4, RunTime: 40 * time.Millisecond},
		{DS: "10", Triggers: 1, Runs: 1, ActionsRun: 2, RunTime: time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	if err := w2.Write(ctx, now, []fleet.DSStats{
		{DS: "9001", Triggers: 3, Runs: 2, Suppressed: 1, ActionsRun: 3, ActionsFailed: 1, RunTime: 20 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	// A worker that stopped: its keys are there until their TTL, its
	// heartbeat is not.
	if _, err := b.Stats.Put(ctx, "ds.w3.9001", []byte(`{"ds":"9001","triggers":100,"runs":100}`)); err != nil {
		t.Fatal(err)
	}
	v, err := fleet.ReadView(ctx, b.Stats, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	v.Write(&out)
	golden.Check(t, "testdata/view.golden", out.Bytes())
	out.Reset()
	v.WriteDS(&out, "9001")
	v.WriteDS(&out, "77")
	golden.Check(t, "testdata/view-ds.golden", out.Bytes())

	// A second write sends only what changed.
	rev := func(key string) uint64 {
		e, err := b.Stats.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return e.Revision()
	}
	before := rev("ds.w1.10")
	if err := w1.Write(ctx, now.Add(fleet.StatsInterval), []fleet.DSStats{
		{DS: "9001", Triggers: 6, Runs: 5, FailedRuns: 1, ActionsRun: 5, RunTime: 50 * time.Millisecond},
		{DS: "10", Triggers: 1, Runs: 1, ActionsRun: 2, RunTime: time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	if rev("ds.w1.10") != before {
		t.Errorf("an unchanged DS was written again before the refresh")
	}

	v, err = fleet.ReadView(ctx, b.Stats, time.Now().Add(fleet.StatsStale+time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	v.Write(&out)
	if len(v.Workers) != 0 || len(v.Stats) != 0 {
		t.Errorf("stale heartbeats still counted:\n%s", out.String())
	}
}
