package none

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

func TestRun(t *testing.T) {
	var fired []detector.Fired
	d, _ := New(ds.Event{ID: "e1", Type: ds.EventNone}, detector.Env{Owner: "APPLET", Fire: func(f detector.Fired) { fired = append(fired, f) }})
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	args := []string{"Gi1/0/1", "x"}
	d.Run(at, args)
	args[0] = "changed"
	if len(fired) != 1 || len(fired[0].Payload.(Fire).Args) != 2 || fired[0].Payload.(Fire).Args[0] != "Gi1/0/1" || !fired[0].Time.Equal(at) {
		t.Fatalf("fired %+v", fired)
	}
	d.Stop()
	d.Run(at, nil)
	if len(fired) != 1 {
		t.Fatal("ran after Stop")
	}
}
