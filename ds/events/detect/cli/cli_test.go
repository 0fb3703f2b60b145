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

// TestSyncAndSkip: sync yes hands the event back instead of firing it,
// skip yes blocks the command, and neither fires for a command the
// pattern does not match.
func TestSyncAndSkip(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		line       string
		sync, skip bool
	}{
		{`event cli pattern "^reload" sync yes`, true, false},
		{`event cli pattern "^reload" sync no skip yes`, false, true},
		{`event cli pattern "sync yes" skip no`, false, false},
	} {
		fired := 0
		d, err := New(ds.Event{ID: "e1", Type: ds.EventCLI, Pattern: `^reload|sync yes`, EEMLine: c.line},
			detector.Env{Fire: func(detector.Fired) { fired++ }})
		if err != nil {
			t.Fatal(err)
		}
		if v := d.CLI(t0, "show version"); v.Skip || v.Sync != nil || fired != 0 {
			t.Errorf("%s: an unmatched command: %+v, fired %d", c.line, v, fired)
		}
		v := d.CLI(t0, "reload")
		if v.Skip != c.skip || (v.Sync != nil) != c.sync || fired != map[bool]int{true: 0, false: 1}[c.sync] {
			t.Errorf("%s: verdict %+v, fired %d", c.line, v, fired)
		}
		if c.sync && detector.Builtins(*v.Sync)["_cli_msg"] != "reload" {
			t.Errorf("%s: $_cli_msg %q", c.line, detector.Builtins(*v.Sync)["_cli_msg"])
		}
	}
}
