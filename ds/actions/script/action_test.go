package script_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/parse"
)

// device records what the actions did; commands answer from outputs.
type device struct {
	outputs map[string]string
	did     []string
	homes   []*callhome.Message
	values  map[string]string
}

func (d *device) Command(_ context.Context, cmd string) (string, error) {
	d.did = append(d.did, "command "+cmd)
	return d.outputs[cmd], nil
}

func (d *device) Log(_ context.Context, _ ds.Severity, line string) (string, error) {
	d.did = append(d.did, "log "+line)
	return "logged", nil
}

func (d *device) Broadcast(context.Context, string) (string, error) { return "", nil }

func (d *device) Mail(_ context.Context, m action.Mail) (string, error) {
	d.did = append(d.did, "mail "+m.Subject)
	return "mailed", nil
}

func (d *device) CallHome(_ context.Context, m *callhome.Message) (string, error) {
	d.did = append(d.did, "call-home")
	d.homes = append(d.homes, m)
	return "queued", nil
}

func (d *device) Value(_ context.Context, k string) (string, bool, error) {
	v, ok := d.values[k]
	return v, ok, nil
}

func (d *device) SetValue(_ context.Context, k, v string) error { d.values[k] = v; return nil }

func (d *device) SaveContext(context.Context, string, map[string]string) error { return nil }

func (d *device) RetrieveContext(context.Context, string) (map[string]string, bool, error) {
	return nil, false, nil
}

var t0 = time.Date(2026, 11, 23, 14, 46, 17, 0, time.UTC)

// runDS parses a DS whose actions are acts, fires it once per neighbor
// on dev, and returns the records and the run statistics.
func runDS(t *testing.T, dev *device, acts string, neighbors ...string) ([]engine.Record, []engine.RunStats, *engine.Engine) {
	t.Helper()
	sig, err := parse.ParseSignature("6033.xml", []byte(`<DiagnosticSignature id="6033" revision="1.0">
  <Name>Flaps</Name>
  <Events><Event type="syslog" pattern="%BGP-5-ADJCHANGE: neighbor (\S+) Down"/></Events>
  <Actions>
`+acts+`
  </Actions>
</DiagnosticSignature>
`))
	if err != nil {
		t.Fatal(err)
	}
	if errs := actions.Lint(sig); len(errs) > 0 {
		t.Fatalf("lint: %v", errs)
	}
	var records []engine.Record
	var stats []engine.RunStats
	clk := clock.NewVirtual(t0)
	eng := engine.New(engine.Options{Clock: clk, Synchronous: true, Hostname: "edge-1",
		Actions:   actions.New(dev, action.Deps{Clock: clk}),
		Report:    func(r engine.Record) { records = append(records, r) },
		OnRunDone: func(_ string, s engine.RunStats) { stats = append(stats, s) }})
	eng.Add(context.Background(), sig, nil)
	for _, n := range neighbors {
		eng.Fire(context.Background(), "6033", engine.Trigger{Time: t0, Events: []engine.Event{{ID: "e1", Type: ds.EventSyslog, Time: t0,
			Text: "%BGP-5-ADJCHANGE: neighbor " + n + " Down", Vars: map[string]string{"ds_syslog_1": n}}}})
	}
	return records, stats, eng
}

// TestScriptStopsTheRun: a script that calls ds_stop for one neighbor
// ends that run (the call-home after it does not run; the run counts as
// suppressed, with the reason), and lets the run of another go on.
func TestScriptStopsTheRun(t *testing.T) {
	dev := &device{values: map[string]string{}}
	records, stats, eng := runDS(t, dev, `    <Action type="command">show ip bgp summary</Action>
    <Action type="script" lang="lua"><![CDATA[
if ds_syslog_1 == "10.0.0.1" then ds_stop("lab neighbor " .. ds_syslog_1) end
]]></Action>
    <Action type="call-home"/>`, "10.0.0.1", "10.0.0.2")

	want := "command show ip bgp summary|command show ip bgp summary|call-home"
	if got := strings.Join(dev.did, "|"); got != want {
		t.Errorf("did %s\nwant %s", got, want)
	}
	if len(stats) != 2 || stats[0].Outcome != engine.Suppressed || stats[0].Reason != "ds_stop: lab neighbor 10.0.0.1" ||
		stats[0].NotRun != 1 || stats[1].Outcome != engine.Completed {
		t.Errorf("stats %+v", stats)
	}
	var sup []string
	for _, r := range records {
		if r.Kind == "suppressed" {
			sup = append(sup, r.Detail)
		}
	}
	if len(sup) != 1 || sup[0] != "action 2 ended the run (ds_stop: lab neighbor 10.0.0.1); 1 later action not run" {
		t.Errorf("suppressed records %q", sup)
	}
	if c := eng.Counts()["6033"]; c.Triggers != 2 || c.Completed != 1 || c.Suppressed != 1 {
		t.Errorf("counts %+v", c)
	}
}

// TestScriptErrorNamesTheFileLine: a Lua error at the script's line 3 is
// reported at the DS file's line (the CDATA starts on line 5, so line 7).
func TestScriptErrorNamesTheFileLine(t *testing.T) {
	dev := &device{values: map[string]string{}}
	records, stats, _ := runDS(t, dev, `    <Action type="script" lang="lua"><![CDATA[
local n = 1
local t = nil
print(t.x)
]]></Action>`, "10.0.0.1")
	last := records[len(records)-1]
	if last.Kind != "error" || !strings.Contains(last.Detail, "6033.xml:8: ") {
		t.Errorf("the error record %q does not name 6033.xml:8", last.Detail)
	}
	if stats[0].Outcome != engine.Completed || stats[0].Failed != 1 {
		t.Errorf("stats %+v", stats[0])
	}
}

// TestCallHomeSendAttachesScriptOutputs: call_home_send{outputs = true}
// sends the commands the script ran, each with its output, then the
// message, with the description and severity the script gave.
func TestCallHomeSendAttachesScriptOutputs(t *testing.T) {
	dev := &device{values: map[string]string{}, outputs: map[string]string{
		"show ip bgp neighbors 10.0.0.1": "BGP neighbor is 10.0.0.1\n", "show clock": "14:46:17\n"}}
	_, stats, _ := runDS(t, dev, `    <Action type="command">show version</Action>
    <Action type="script" lang="lua"><![CDATA[
local s = cli_open()
cli_exec(s, "show ip bgp neighbors " .. ds_syslog_1)
cli_run{"show clock"}
call_home_send{description = "neighbor " .. ds_syslog_1 .. " flapping", severity = "major",
  message = "3 downs in 10 minutes", outputs = true}
]]></Action>`, "10.0.0.1")
	if len(dev.homes) != 1 || stats[0].Failed != 0 {
		t.Fatalf("sent %d messages; stats %+v", len(dev.homes), stats[0])
	}
	m := dev.homes[0]
	var got []string
	for _, a := range m.Attachments {
		got = append(got, a.Command+"="+a.Output)
	}
	want := []string{"show ip bgp neighbors 10.0.0.1=BGP neighbor is 10.0.0.1\n", "show clock=14:46:17\n", "script 6033=3 downs in 10 minutes"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("attachments %q\nwant %q (the command action before the script is not the script's)", got, want)
	}
	if m.Description != "neighbor 10.0.0.1 flapping" || m.Severity != config.SeverityMajor || m.SubType != "6033" {
		t.Errorf("message %+v", m)
	}
}
