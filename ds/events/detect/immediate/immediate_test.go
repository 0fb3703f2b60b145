package immediate

import (
	"context"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFiresOnceThroughTheClock(t *testing.T) {
	v := clock.NewVirtual(t0)
	var fired []detector.Fired
	d, _ := New(ds.Event{ID: "e1", Type: ds.EventImmediate}, detector.Env{Owner: "6030", Clock: v, Fire: func(f detector.Fired) { fired = append(fired, f) }})
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.Start(context.Background()) // a second Start does not fire twice
	if len(fired) != 0 {
		t.Fatal("fired inside Start, not through the clock")
	}
	v.Set(t0) // the clock runs what is due now
	v.Advance(time.Hour)
	if len(fired) != 1 || !fired[0].Time.Equal(t0) || fired[0].Owner != "6030" || fired[0].Type != ds.EventImmediate {
		t.Fatalf("fired %+v, want once at t0", fired)
	}
}

func TestStopBeforeFiring(t *testing.T) {
	v := clock.NewVirtual(t0)
	fired := 0
	d, _ := New(ds.Event{ID: "e1"}, detector.Env{Clock: v, Fire: func(detector.Fired) { fired++ }})
	d.Start(context.Background())
	d.Stop()
	v.Advance(time.Second)
	if fired != 0 || v.Pending() != 0 {
		t.Fatalf("fired %d, pending %d", fired, v.Pending())
	}
}
