package cli

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

func TestOccursAndGroups(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var fired []detector.Fired
	d, err := New(ds.Event{ID: "e1", Type: ds.EventCLI, Pattern: `^clear counters (\S+)`, Occurs: 2, Period: 10 * time.Second},
		detector.Env{Fire: func(f detector.Fired) { fired = append(fired, f) }})
	if err != nil {
		t.Fatal(err)
	}
	d.CLI(t0, "clear counters Gi1/0/1")
	d.CLI(t0.Add(time.Second), "show version")
	d.CLI(t0.Add(11*time.Second), "clear counters Gi1/0/2")
	d.CLI(t0.Add(15*time.Second), "clear counters Gi1/0/3")
	if len(fired) != 1 || fired[0].Payload.(Fire).Command != "clear counters Gi1/0/3" || fired[0].Vars()["ds_syslog_1"] != "Gi1/0/3" || fired[0].Count != 2 {
		t.Fatalf("fired %+v", fired)
	}
}
