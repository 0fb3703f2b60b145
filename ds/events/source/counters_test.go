package source

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

type testEvent struct{}

func (testEvent) EventType() ds.EventType { return ds.EventNeighbor }

// TestPublishCountsFirst: an event is counted before the detectors get it,
// so whatever they do with it (an applet writing a file) never shows
// before the count does.
func TestPublishCountsFirst(t *testing.T) {
	var c Counters
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	var seen uint64
	env := Env{Publish: func(detector.HostEvent) { seen = c.Snapshot("lldp").Events }}
	c.Publish(env, at, testEvent{})
	if st := c.Snapshot("lldp"); seen != 1 || st.Events != 1 || !st.LastEvent.Equal(at) {
		t.Fatalf("counted %d when published, stats %+v", seen, st)
	}
}
