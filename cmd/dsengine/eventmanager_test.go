package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/daemon"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
	"github.com/dsengine/dsengine/internal/golden"
)

// TestShowEventManagerInputs: the inputs' tables of `show event manager
// statistics`, with the connections of the TCP inputs (issue 13: rejected
// connections showed nowhere).
func TestShowEventManagerInputs(t *testing.T) {
	var b bytes.Buffer
	printInputStats(&b, []input.Stats{
		{Input: "udp:127.0.0.1:5514", Received: 10, Delivered: 8, Dropped: 1, KernelDrops: 1, Oversize: 1},
		{Input: "tcp:127.0.0.1:5514", Received: 5, Delivered: 5, FramingErrors: 2, Connections: 16,
			Accepted: 3017, Rejected: 12, IdleClosed: 3001},
		{Input: "tcp:[::1]:5514"},
		{Input: "engine messages", Received: 3, Delivered: 3},
	})
	golden.Check(t, "testdata/show-event-manager-inputs.golden", b.Bytes())
}

// TestShowEventManagerSources: the "Event sources:" table of `show event
// manager statistics`: the Source column as wide as the longest name
// (a namespace's name overflowed 15 characters), a source with no event
// yet; times in the configuration's timezone, and in UTC when it has no
// `clock timezone` line (its nil Location once crashed the daemon).
func TestShowEventManagerSources(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 10, 45, 24, 0, time.UTC)
	stats := []source.Stats{
		{Source: "netlink namespace dse-8f3c2a91", Events: 8, Dropped: 1, LastEvent: t0},
		{Source: "kmsg", Events: 1234567, Errors: 2, LastEvent: t0.Add(-time.Hour)},
		{Source: "hwmon"},
	}
	var b bytes.Buffer
	for _, conf := range []string{"hostname edge-1\n", "hostname edge-1\nclock timezone CET 1 0\n"} {
		cfg, err := iosconfig.Parse("t.conf", []byte(conf))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("--- " + strings.ReplaceAll(strings.TrimSpace(conf), "\n", "; ") + "\n")
		printSourceStats(&b, stats, cfg.Clock)
	}
	b.WriteString("--- short names\n")
	printSourceStats(&b, stats[1:], config.Clock{})
	b.WriteString("--- no source\n")
	printSourceStats(&b, nil, config.Clock{})
	golden.Check(t, "testdata/show-event-manager-sources.golden", b.Bytes())
}

// TestShowEventManagerHistory: IOS's table of recent applet runs, and the
// detailed view with each run's exit status and error.
func TestShowEventManagerHistory(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 21, 58, 57, 0, time.UTC)
	runs := []daemon.AppletRun{
		{Job: 7, Time: t0, Applet: "BACKUP", EventType: "none", Status: "success", Exit: 0},
		{Job: 8, Time: t0.Add(90 * time.Second), Applet: "LINKDOWN", EventType: "syslog", Status: "error", Exit: 0,
			Err: "applet LINKDOWN: action 2.0 file (line 9): file \"flash:../x\" refused: \"..\" would leave the bootflash directory"},
		{Job: 9, Time: t0.Add(24 * time.Hour), Applet: "SLOW", EventType: "timer", Status: "abort", Exit: 0,
			Err: "applet SLOW: action 1.0 wait (line 3): maxrun exceeded: the applet ran for 20s"},
		{Job: 10, Time: t0.Add(25 * time.Hour), Applet: "ASK", EventType: "none", Status: "success", Exit: 3},
	}
	var b bytes.Buffer
	printAppletHistory(&b, runs, false)
	b.WriteString("--- detailed\n")
	printAppletHistory(&b, runs, true)
	b.WriteString("--- empty\n")
	printAppletHistory(&b, nil, false)
	golden.Check(t, "testdata/show-event-manager-history.golden", b.Bytes())
}

// TestConfigCheckRefusesAppletsAsRunDoes: the words refused and the policy
// loops, each on its line.
func TestConfigCheckRefusesAppletsAsRunDoes(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, `event manager applet A
 event none
 action 1 policy B
event manager applet B
 event none
 action 1 policy A
event manager applet SWITCH
 event none
 action 1 force-switchover
 action 2 cns-event msg "x"
 action 3 file open fh flash:x rw
`)
	r := dsengine(t, dir, "config", "check")
	if r.code != exitFail {
		t.Errorf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	golden.Check(t, "testdata/config-check-applet-policies.golden", []byte(r.stdout))
}
