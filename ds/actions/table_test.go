package actions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/dsengine/dsengine/internal/testserver"
)

const sample = `<DiagnosticSignature id="6030" revision="1.1">
  <Name>ActCH</Name>
  <Variables>
    <Variable name="ds_intf" source="prompt" prompt="Interface"/>
    <Variable name="ds_env1" source="environment"/>
    <Variable name="ds_uptime" source="regex" command="show version" pattern="uptime is ([^\n]+)"/>
  </Variables>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/></Events>
  <Actions>
    <Action type="command">show interfaces ${ds_syslog_1}</Action>
    <Action type="command">show bogus</Action>
    <Action type="call-home"/>
    <Action type="emailto" to="noc@example.com" subject="${ds_hostname}: ${ds_intf}">up ${ds_uptime} env ${ds_env1}</Action>
    <Action type="script" lang="lua">print(ds_uptime)</Action>
    <Action type="message">DS ${ds_signature_id} on ${ds_syslog_1}</Action>
    <Action type="message" to="terminals">check ${ds_syslog_1}</Action>
  </Actions>
</DiagnosticSignature>`

func mustSig(t *testing.T, xml string) *ds.Signature {
	t.Helper()
	sig, err := parse.ParseSignature("test.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// dryEngine runs DS on the dry device, commands answered from files in
// a directory, as `ds test --device DIR` does.
func dryEngine(t *testing.T, outputs map[string]string) (*engine.Engine, *[]engine.Record) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range outputs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clk := clock.NewVirtual(t0)
	exec, err := executor.New(config.Executor{Kind: config.ExecutorSim, Dir: dir}, nil, executor.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Close() })
	n, err := notify.New(notify.Options{Device: TestDevice, Hostname: "edge-1", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	var records []engine.Record
	eng := engine.New(engine.Options{Clock: clk, Synchronous: true, Hostname: "edge-1",
		Actions: New(&Dry{Exec: exec, Notify: n}, action.Deps{Clock: clk}),
		Known:   func() vars.Known { return vars.Known{Environment: map[string]string{"ds_env1": "abc"}} },
		Report:  func(r engine.Record) { records = append(records, r) }})
	return eng, &records
}

func linkDown(intf string) engine.Trigger {
	return engine.Trigger{Time: t0, Events: []engine.Event{{ID: "e1", Type: ds.EventSyslog, Time: t0,
		Text: "%LINK-3-UPDOWN: Interface " + intf + ", changed state to down",
		Vars: map[string]string{"ds_syslog_1": intf, "ds_syslog_msg": "Interface " + intf + ", changed state to down"}}}}
}

// TestActionsRenderAndRunInOrder: every action type renders its
// variables (the regex one resolved by running its command once) and acts
// on the device; a failed command is recorded and the run goes on.
func TestActionsRenderAndRunInOrder(t *testing.T) {
	eng, records := dryEngine(t, map[string]string{
		"show_interfaces_Gi1_0_5.txt": "Gi1/0/5 is down\n",
		"show_version.txt":            "Linux edge-1\nedge-1 uptime is 3 days, 4 hours\n",
	})
	eng.Add(context.Background(), mustSig(t, sample), map[string]string{"ds_intf": "Gi1/0/5"})
	eng.Fire(context.Background(), "6030", linkDown("Gi1/0/5"))
	var got []string
	for _, r := range *records {
		got = append(got, r.Kind+" "+r.Type+": "+r.Detail)
	}
	want := []string{
		"trigger syslog: e1: %LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down",
		"action command: show interfaces Gi1/0/5 (1 line)",
		"error command: ",
		"action call-home: would send diagnostic-signature/6030 (xml, ",
		`action emailto: would mail noc@example.com: "edge-1: Gi1/0/5" (27 bytes)`,
		`action script: lua: printed "3 days, 4 hours"`,
		"action message: would log %DS-5-MSG: DS 6030 on Gi1/0/5",
		"action message: would broadcast to terminals: check Gi1/0/5",
	}
	if len(got) != len(want) {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("record %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
	if !strings.Contains(got[2], `"show bogus"`) || !strings.Contains(got[3], "2 attachments") {
		t.Errorf("the failed command and the call-home attachments:\n%s\n%s", got[2], got[3])
	}
}

// TestRegexVariableThatDoesNotMatchFailsTheAction: the action that needs
// it fails, naming the variable; the others still run.
func TestRegexVariableThatDoesNotMatchFailsTheAction(t *testing.T) {
	eng, records := dryEngine(t, map[string]string{"show_version.txt": "no uptime here\n"})
	eng.Add(context.Background(), mustSig(t, sample), map[string]string{"ds_intf": "Gi0/1"})
	eng.Fire(context.Background(), "6030", linkDown("Gi0/1"))
	var errs []string
	for _, r := range *records {
		if r.Failed {
			errs = append(errs, r.Type+": "+r.Detail)
		}
	}
	if len(errs) != 4 || !strings.HasPrefix(errs[2], "emailto: variable ds_uptime") || !strings.Contains(errs[2], "does not match") ||
		!strings.HasPrefix(errs[3], "script: variable ds_uptime") {
		t.Errorf("errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestUnknownMessageDestination: a message to neither syslog nor
// terminals fails and says which are valid.
func TestUnknownMessageDestination(t *testing.T) {
	tbl := New(&Dry{}, action.Deps{Clock: clock.NewVirtual(t0)})
	run := engine.NewRun(&ds.Signature{ID: "6030"}, engine.Trigger{}, nil)
	_, err := tbl.Perform(context.Background(), run, ds.Action{Type: ds.ActionMessage, To: "pager", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "expected syslog or terminals") {
		t.Errorf("err = %v", err)
	}
	if _, err := tbl.Perform(context.Background(), run, ds.Action{Type: "fax"}); err == nil {
		t.Error("an unknown action type must fail")
	}
}

// TestLiveMailUsesItsOwnServer: a mail that names its server and sender
// (an applet's `action mail server S … from F`, a script's
// Mailservername:) goes through that server with that sender, even with
// no call-home mail server configured; a real exim receives it.
func TestLiveMailUsesItsOwnServer(t *testing.T) {
	mta := testserver.StartExim(t)
	cfg := config.Default()
	cfg.CallHome.ContactEmail = "noc@example.com"
	l := &Live{Config: func() *config.Config { return cfg }, Clock: clock.NewVirtual(t0)}
	l.Transport.DialTimeout, l.Transport.CommandTimeout, l.Transport.DataTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	res, err := l.Mail(context.Background(), action.Mail{Servers: []string{mta.Addr()}, From: "eem-applet@example.com",
		To: []string{"oncall@example.com"}, Subject: "link flap on edge-1", Body: "Gi1/0/1 went down twice\n"})
	if err != nil {
		t.Fatal(err)
	}
	if res != `mailed oncall@example.com: "link flap on edge-1"` {
		t.Errorf("result %q", res)
	}
	m := mta.WaitMessages(t, 1)[0]
	if from := m.Header.Get("From"); !strings.Contains(from, "eem-applet@example.com") {
		t.Errorf("From = %q, want the applet's sender", from)
	}
	if subj := m.Header.Get("Subject"); subj != "link flap on edge-1" {
		t.Errorf("Subject = %q", subj)
	}
	if !strings.Contains(m.Body, "Gi1/0/1 went down twice") {
		t.Errorf("body = %q", m.Body)
	}
	// Without a server of its own and without call-home mail servers, the
	// error says what to configure.
	_, err = l.Mail(context.Background(), action.Mail{To: []string{"oncall@example.com"}, Subject: "s", Body: "b"})
	if err == nil || !strings.Contains(err.Error(), "mail-server") {
		t.Errorf("err = %v, want one naming mail-server", err)
	}
}

// TestActionTimeout: a command's timeout attribute bounds it on the real
// executor; a command within its time runs as usual.
func TestActionTimeout(t *testing.T) {
	exec, err := executor.New(config.Executor{Kind: config.ExecutorLocal},
		[]config.CommandMapping{{IOS: "show slow", Linux: "sleep 30"}, {IOS: "show quick", Linux: "echo quick"}}, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Close()
	tbl := New(&Live{Exec: exec, Clock: ds.RealClock{}}, action.Deps{Clock: ds.RealClock{}})
	run := engine.NewRun(&ds.Signature{ID: "6030"}, engine.Trigger{}, nil)
	_, err = tbl.Perform(context.Background(), run, ds.Action{Type: ds.ActionCommand, Text: "show slow", Timeout: "200ms"})
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("err = %v, want the action's timeout", err)
	}
	res, err := tbl.Perform(context.Background(), run, ds.Action{Type: ds.ActionCommand, Text: "show quick", Timeout: "20s"})
	if err != nil || res != "show quick (1 line)" {
		t.Errorf("quick command: %q, %v", res, err)
	}
}

// TestRunValuesBuiltWhenNamed: a run builds its variables (the
// environment and prompts read, the system values formatted) only when
// an action names one: a DS of plain messages does not pay for them, and
// one that names ${ds_hostname} gets it.
func TestRunValuesBuiltWhenNamed(t *testing.T) {
	for _, c := range []struct {
		text, want string
		builds     int
	}{
		{"link down", "action message: would log %DS-5-MSG: link down", 0},
		{"link down on ${ds_hostname} ${ds_env1}", "action message: would log %DS-5-MSG: link down on edge-1 abc", 1},
	} {
		clk := clock.NewVirtual(t0)
		builds := 0
		var got []string
		eng := engine.New(engine.Options{Clock: clk, Synchronous: true, Hostname: "edge-1",
			Actions: New(&Dry{}, action.Deps{Clock: clk}),
			Known: func() vars.Known {
				builds++
				return vars.Known{Environment: map[string]string{"ds_env1": "abc"}}
			},
			Report: func(r engine.Record) { got = append(got, r.Kind+" "+r.Type+": "+r.Detail) }})
		eng.Add(context.Background(), mustSig(t, `<DiagnosticSignature id="6031" revision="1"><Name>m</Name>
  <Variables><Variable name="ds_env1" source="environment"/></Variables>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/></Events>
  <Actions><Action type="message">`+c.text+`</Action><Action type="message">again</Action></Actions>
</DiagnosticSignature>`), nil)
		eng.Fire(context.Background(), "6031", linkDown("Gi1/0/5"))
		if len(got) != 3 || got[1] != c.want {
			t.Errorf("%q: records %q, want the action %q", c.text, got, c.want)
		}
		if builds != c.builds {
			t.Errorf("%q: the run's variables were built %d times, want %d", c.text, builds, c.builds)
		}
	}
}
