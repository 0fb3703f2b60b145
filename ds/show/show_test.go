package show

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/internal/golden"
)

func sampleEntries(t *testing.T) []bootflash.Entry {
	t.Helper()
	data, err := os.ReadFile("testdata/6099.xml")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := parse.ParseSignature("6099.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2013, 1, 16, 4, 49, 52, 0, time.UTC)
	return []bootflash.Entry{
		{ID: "6015", Name: "CronInterval", Revision: "1.0", Status: ds.StatusRegistered, LastUpdate: at},
		{ID: "6030", Name: "ActCH", Revision: "1.0", Status: ds.StatusPending, LastUpdate: at.Add(time.Hour)},
		{ID: "6099", Name: sig.Name, Revision: sig.Revision, Status: ds.StatusRegistered, LastUpdate: at.Add(2 * time.Hour),
			Signature: sig, PromptAnswers: map[string]string{"ds_intf": "Gi1/0/5"},
			Stats: bootflash.Stats{Triggers: 5, LastTrigger: at.Add(3 * time.Hour), Runs: 3, TotalRunTime: 360 * time.Millisecond,
				Suppressed: 1, LastSuppressed: "ds_stop: 2 flaps, below 3", FailedRuns: 1,
				ActionsRun: 14, ActionsFailed: 1, ByAction: map[ds.ActionType]int64{ds.ActionCommand: 3, ds.ActionCallHome: 3, ds.ActionEmailTo: 3, ds.ActionScript: 3, ds.ActionMessage: 2},
				LastAction: at.Add(3 * time.Hour), LastActionFailed: true, LastActionResult: "emailto noc@example.com: 554 rejected",
				Keys: []bootflash.KeyGroup{{What: "event flap", GroupBy: "ds_syslog_nbr", Held: 3, Max: 1000, Evicted: 1, Top: []bootflash.KeyCount{
					{Key: "10.0.0.1", Triggers: 2, Last: at.Add(3 * time.Hour)}, {Key: "10.0.0.3", Triggers: 1, Last: at.Add(time.Hour)}, {Key: "10.0.0.2"}}}}},
			Download: bootflash.Download{LastAttempt: at.Add(2 * time.Hour), Result: "ok", Bytes: 1873, Duration: 85 * time.Millisecond}},
		{ID: "7001", Name: "ABrokenOneWithAVeryLongNameIndeed", Revision: "2.10", Status: ds.StatusFailed,
			FailureReason: "7001.xml: bad signature: the file changed after it was signed", CheckFailed: true, LastUpdate: at},
	}
}

func sampleConfig() *config.Config {
	cfg := config.Default()
	p := config.NewProfile("user1", 3)
	cfg.CallHome.Profiles = append(cfg.CallHome.Profiles, p)
	cfg.DiagnosticSignature.Profile = "user1"
	cfg.DiagnosticSignature.Environment = config.Environment{{Name: "ds_env1", Value: "abc"}}
	return cfg
}

func TestSettingsGolden(t *testing.T) {
	var b bytes.Buffer
	Settings(&b, sampleConfig(), sampleEntries(t))
	golden.Check(t, "testdata/settings.golden", b.Bytes())

	b.Reset()
	Settings(&b, config.Default(), nil)
	golden.Check(t, "testdata/settings-empty.golden", b.Bytes())
}

func TestDetailGolden(t *testing.T) {
	entries := sampleEntries(t)
	c := Context{Hostname: "edge-1", Platform: "linux", EngineVersion: "0.1", DSProfile: "user1",
		Environment: map[string]string{}, Now: time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)}
	for _, view := range Views {
		var b bytes.Buffer
		for _, e := range []bootflash.Entry{entries[2], entries[3]} {
			if err := Detail(&b, view, e, c); err != nil {
				t.Fatal(err)
			}
		}
		golden.Check(t, "testdata/"+view+".golden", b.Bytes())
	}
	if err := Detail(&bytes.Buffer{}, "bogus", entries[2], c); err == nil {
		t.Error("an unknown view must be an error")
	}
}
