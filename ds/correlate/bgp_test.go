package correlate_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/replay"
)

// TestBGPNeighborExample replays testdata/bgp/bgp.log, written for this
// test, against the declarative BGP signature of docs/ds-format.md: one
// neighbor down 3 times in 10 minutes (others 2 times, or 3 times over
// more than 10 minutes), or a notification and an interface down within 2
// minutes (pairs inside and outside), and a flap that must not use up a
// waiting notification.
func TestBGPNeighborExample(t *testing.T) {
	xml, err := os.ReadFile("testdata/bgp/6060.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/ds-format.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```xml\n"+string(xml)+"```") {
		t.Errorf("docs/ds-format.md does not show testdata/bgp/6060.xml as it is; copy the file into the BGP example")
	}
	sig, err := parse.ParseSignature("6060.xml", xml)
	if err != nil {
		t.Fatal(err)
	}
	log, err := os.Open("testdata/bgp/bgp.log")
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	var commands []string
	sum, err := replay.Run(context.Background(), []*ds.Signature{sig}, log, replay.Options{
		Hostname:  "pe-1",
		Reference: time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC),
		Report: func(r engine.Record) {
			if r.Kind == "action" && r.Type == string(ds.ActionCommand) {
				commands = append(commands, r.Time.Format("15:04:05")+" "+r.Detail)
			}
			if r.Failed {
				t.Errorf("%s %s: %s", r.Kind, r.Type, r.Detail)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Triggers["6060"] != 6 {
		t.Errorf("%d triggers, want 6", sum.Triggers["6060"])
	}
	want := []string{
		"10:09:00 10.0.0.1", // its third down in 9 minutes
		"10:40:00 10.0.0.3", // three downs exactly 10 minutes apart, in a VRF
		"11:01:30 10.0.0.4", // notification, interface down 90 s later
		"11:21:59 10.0.0.6", // interface down first, notification 119 s later
		"12:00:30 10.0.0.8", // a flap while 10.0.0.7's notification waits
		"12:01:00 10.0.0.7", // ... which the flap did not consume
	}
	if len(commands) != len(want) {
		t.Fatalf("commands run:\n%s\nwant the neighbors %q", strings.Join(commands, "\n"), want)
	}
	for i, c := range commands {
		at, nbr, _ := strings.Cut(want[i], " ")
		if !strings.HasPrefix(c, at+" ") || !strings.Contains(c, "show ip bgp neighbors "+nbr) || strings.Contains(c, "show ip bgp neighbors "+nbr+"0") {
			t.Errorf("command %d: %q, want show ip bgp neighbors %s at %s", i+1, c, nbr, at)
		}
	}
}
