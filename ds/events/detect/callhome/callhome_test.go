package callhome

import (
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

func TestAlertGroup(t *testing.T) {
	d, err := New(ds.Event{ID: "e1", Type: ds.EventCallHome, AlertGroup: "inventory"}, detector.Env{})
	if err != nil || d.AlertGroup() != "inventory" {
		t.Fatalf("%v %v", d, err)
	}
	for _, g := range []string{"weather", "diagnostic"} { // diagnostic never sends on Linux
		if _, err := New(ds.Event{ID: "e1", AlertGroup: g}, detector.Env{}); err == nil {
			t.Errorf("no error for alert group %q", g)
		}
	}
}
