package daemon

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
)

// TestAddRunStats: every run is a trigger; completed, suppressed and
// failed runs are counted apart, and only completed ones make the
// average run time.
func TestAddRunStats(t *testing.T) {
	var en bootflash.Entry
	at := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	for _, st := range []engine.RunStats{
		{Trigger: at, Duration: 10 * time.Millisecond, Outcome: engine.Completed, ByType: engine.ActionCounts{{Type: ds.ActionCommand, N: 2}}},
		{Trigger: at, Duration: time.Second, Outcome: engine.Suppressed, Reason: "ds_stop: lab", ByType: engine.ActionCounts{{Type: ds.ActionScript, N: 1}}},
		{Trigger: at, Duration: time.Minute, Outcome: engine.Failed, Reason: "maxrun", Failed: 1, LastFail: true},
	} {
		addRunStats(&en.Stats, st)
	}
	s := en.Stats
	if s.Triggers != 3 || s.Runs != 1 || s.Suppressed != 1 || s.FailedRuns != 1 || s.LastSuppressed != "ds_stop: lab" ||
		s.AvgRunTime() != 10*time.Millisecond || s.ActionsRun != 3 || s.ActionsFailed != 1 {
		t.Errorf("stats %+v", s)
	}
}
