package bootflash

import (
	"reflect"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// TestStatsAddCoversEveryField: Add carries every field of Stats but the
// Keys snapshot, so a field added to Stats without a line in Add fails
// here instead of being lost at the next batched save.
func TestStatsAddCoversEveryField(t *testing.T) {
	d := Stats{Triggers: 3, LastTrigger: time.Unix(1, 0), Runs: 2, TotalRunTime: time.Second, Suppressed: 1,
		LastSuppressed: "quiet", FailedRuns: 1, ActionsRun: 4, ActionsFailed: 1,
		ByAction: map[ds.ActionType]int64{ds.ActionCommand: 4}, LastAction: time.Unix(2, 0),
		LastActionResult: "ok", LastActionFailed: true}
	var s Stats
	s.Add(d)
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if name != "Keys" && v.Field(i).IsZero() {
			t.Errorf("Stats.Add does not carry %s", name)
		}
	}
	s.Add(d)
	if s.Triggers != 6 || s.ByAction[ds.ActionCommand] != 8 || s.TotalRunTime != 2*time.Second {
		t.Errorf("counters do not add up: %+v", s)
	}
}
