package script

import (
	"context"
	"encoding/xml"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
)

func runWith(t *testing.T, src string, env Env, h Host) (Result, error) {
	t.Helper()
	return NewRunner(Options{}).Run(context.Background(), Script{Name: "6033", Text: src}, env, h)
}

func TestEventReqinfo(t *testing.T) {
	ev := EventInfo{ID: 7, Tag: "e1", Type: ds.EventSyslog, Time: time.Unix(1700000000, 250e6),
		Msg: "%SYS-2-MALLOCFAIL: Memory allocation of 100 bytes failed", Fields: map[string]string{"priority": "2", "msg": "not this"}}
	res, err := runWith(t, `local e = event_reqinfo()
		print(e.event_id, e.event_tag, e.event_type, e.event_type_string, e.event_pub_sec, e.event_pub_msec, e.priority, e.msg)`,
		Env{Event: ev}, newFakeHost())
	if err != nil {
		t.Fatal(err)
	}
	want := "7\te1\tsyslog\tsyslog\t1700000000\t250\t2\t%SYS-2-MALLOCFAIL: Memory allocation of 100 bytes failed\n"
	if res.Output != want {
		t.Errorf("got %q\nwant %q", res.Output, want)
	}
}

func TestEventReqinfoMulti(t *testing.T) {
	evs := []EventInfo{{ID: 1, Tag: "e1", Type: ds.EventSyslog, Msg: "a"}, {ID: 2, Tag: "e2", Type: ds.EventOIR, Msg: "b", Fields: map[string]string{"slot": "3"}}}
	src := `local t = event_reqinfo_multi() print(#t) for _, e in ipairs(t) do print(e.event_tag, e.event_type, e.msg, e.slot) end`
	res, err := runWith(t, src, Env{Event: evs[1], Events: evs}, newFakeHost())
	if err != nil {
		t.Fatal(err)
	}
	if want := "2\ne1\tsyslog\ta\tnil\ne2\toir\tb\t3\n"; res.Output != want {
		t.Errorf("got %q, want %q", res.Output, want)
	}
	res, err = runWith(t, src, Env{Event: evs[0]}, newFakeHost())
	if err != nil || res.Output != "1\ne1\tsyslog\ta\tnil\n" {
		t.Errorf("single event: %q %v", res.Output, err)
	}
}

func TestCLI(t *testing.T) {
	h := newFakeHost()
	h.outputs["show version"] = "uptime is 1 day\n"
	h.outputs["show clock"] = "12:00\n"
	res, err := runWith(t, `
		local c = cli_open()
		print(tostring(c))
		local out = cli_exec(c, "show version")
		cli_close(c)
		print(out:match("uptime is (.*)\n"))
		print(cli_run{"show version", "show clock"})
		print(cli_run("show clock"))
		local ok, e = pcall(cli_exec, c, "show clock") print(ok, e)
		local ok, e = pcall(cli_exec, {}, "show clock") print(ok, e)
		cli_open() -- left open: closed by the runner
	`, Env{}, h)
	if err != nil {
		t.Fatal(err)
	}
	want := "cli_handle 1\n1 day\nuptime is 1 day\n12:00\n\n12:00\n\n" +
		"false\t6033:9: CLI_ERR: cli_exec: the CLI session is closed\n" +
		"false\t6033:10: CLI_ERR: cli_exec: argument 1 is not a handle from cli_open\n"
	if res.Output != want {
		t.Errorf("got %q\nwant %q", res.Output, want)
	}
	if h.opened != 4 || h.closed != 4 {
		t.Errorf("opened %d, closed %d sessions; want 4 and 4", h.opened, h.closed)
	}
	if want := []string{"show version", "show version", "show clock", "show clock"}; !reflect.DeepEqual(h.cmds, want) {
		t.Errorf("commands %q", h.cmds)
	}
}

func TestCLISessionLimit(t *testing.T) {
	r := NewRunner(Options{MaxCLISessions: 2})
	h := newFakeHost()
	_, err := r.Run(context.Background(), Script{Text: `local a, b = cli_open(), cli_open() cli_close(a) local c = cli_open() local d = cli_open()`}, Env{}, h)
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "CLI_ERR: cli_open: too many open CLI sessions (at most 2)") {
		t.Fatalf("err = %v", err)
	}
	if h.opened != 3 || h.closed != 3 {
		t.Errorf("opened %d, closed %d", h.opened, h.closed)
	}
}

func TestCLIOutputOverStringLimit(t *testing.T) {
	r := NewRunner(Options{MaxString: 1 << 20})
	_, err := r.Run(context.Background(), Script{Text: `local c = cli_open() local s = cli_exec(c, "big 2000000")`}, Env{}, newFakeHost())
	if !errors.Is(err, ErrMemoryLimit) {
		t.Fatalf("err = %v", err)
	}
}

// TestHostErrors: a Host error is a Lua error named after the API that a
// script can catch; uncaught, it ends the run with a ScriptError wrapping
// the Host's error.
func TestHostErrors(t *testing.T) {
	boom := errors.New("device unreachable")
	for _, tt := range []struct{ fail, call, name string }{
		{"CLIOpen", `cli_open()`, "CLI_ERR: cli_open"},
		{"show x", `cli_exec(cli_open(), "show x")`, "CLI_ERR: cli_exec"},
		{"show x", `cli_run{"show x"}`, "CLI_ERR: cli_run"},
		{"Syslog", `action_syslog{msg = "x"}`, "SYSLOG_ERR: action_syslog"},
		{"SendMail", `smtp_send_email("To: a@b\n\nbody")`, "SMTP_ERR: smtp_send_email"},
		{"CallHome", `call_home_send{message = "x"}`, "CALLHOME_ERR: call_home_send"},
		{"ApplGet", `appl_reqinfo("k")`, "APPL_ERR: appl_reqinfo"},
		{"ApplSet", `appl_setinfo("k", "v")`, "APPL_ERR: appl_setinfo"},
	} {
		h := newFakeHost()
		h.fail[tt.fail] = boom
		res, err := runWith(t, `local ok, e = pcall(function() `+tt.call+` end) print(ok, e)`, Env{}, h)
		if err != nil || !strings.Contains(res.Output, "false\t6033:1: "+tt.name+": device unreachable") {
			t.Errorf("%s caught: %q %v", tt.call, res.Output, err)
		}
		_, err = runWith(t, tt.call, Env{}, h)
		var se *ScriptError
		if !errors.As(err, &se) || !errors.Is(err, boom) || !strings.Contains(se.Message, tt.name+": device unreachable") {
			t.Errorf("%s uncaught: err = %v", tt.call, err)
		}
	}
}

func TestScriptErrors(t *testing.T) {
	_, err := runWith(t, "local x = nil\nlocal y = x.field", Env{}, newFakeHost())
	var se *ScriptError
	if !errors.As(err, &se) || !strings.HasPrefix(se.Message, "6033:2: ") || se.Err != nil || se.Script != "6033" {
		t.Fatalf("err = %#v", err)
	}
	_, err = runWith(t, `error("CUSTOM: failed")`, Env{}, newFakeHost())
	if !errors.As(err, &se) || se.Message != "6033:1: CUSTOM: failed" || !strings.Contains(se.Traceback, "stack traceback") {
		t.Fatalf("err = %#v", err)
	}
}

func TestActionSyslog(t *testing.T) {
	h := newFakeHost()
	_, err := runWith(t, `
		action_syslog{priority = "warning", msg = "one"}
		action_syslog{msg = "two", facility = "DS"}
		action_syslog("three")
		action_syslog{priority = "2", msg = "four"}
		local ok, e = pcall(action_syslog, {priority = "loud", msg = "x"}) print(e)`, Env{}, h)
	if err != nil {
		t.Fatal(err)
	}
	want := []SyslogMessage{{Severity: 4, Msg: "one"}, {Severity: 6, Facility: "DS", Msg: "two"}, {Severity: 6, Msg: "three"}, {Severity: 2, Msg: "four"}}
	if !reflect.DeepEqual(h.syslogs, want) {
		t.Errorf("syslogs %+v", h.syslogs)
	}
}

func TestSMTPSendEmail(t *testing.T) {
	h := newFakeHost()
	res, err := runWith(t, `
		smtp_send_email("Mailservername: mail1 mail2\nFrom: ds@edge-1\nTo: noc@example.com, ops@example.com\nCc: boss@example.com\nSubject: " .. ds_hostname .. ": down\nX-Tag: 1\n\nLine 1\n\nLine 2\n")
		local ok, e = pcall(smtp_send_email, "Subject: x\n\nbody") print(e)
		local ok, e = pcall(smtp_send_email, "To: a@b\nnot a header\n\nbody") print(e)`,
		Env{Vars: map[string]string{"ds_hostname": "edge-1"}}, h)
	if err != nil {
		t.Fatal(err)
	}
	want := Mail{Servers: []string{"mail1", "mail2"}, From: "ds@edge-1", To: []string{"noc@example.com", "ops@example.com"},
		Cc: []string{"boss@example.com"}, Subject: "edge-1: down", Headers: map[string]string{"X-Tag": "1"}, Body: "Line 1\n\nLine 2\n"}
	if len(h.mails) != 1 || !reflect.DeepEqual(h.mails[0], want) {
		t.Errorf("mail %+v", h.mails)
	}
	if !strings.Contains(res.Output, "SMTP_ERR: smtp_send_email: no To: address\n") ||
		!strings.Contains(res.Output, `SMTP_ERR: smtp_send_email: header line 2 "not a header" is not "Name: value"`) {
		t.Errorf("errors: %q", res.Output)
	}
}

func TestSMTPSubst(t *testing.T) {
	res, err := runWith(t, `local n = 3 count = 3 name = "edge"
		print(smtp_subst("Host $ds_hostname (${ds_signature_id}) saw $count events on ${name}x; $undefined ${unclosed $ $1 $$"))`,
		Env{Vars: map[string]string{"ds_hostname": "edge-1", "ds_signature_id": "6033"}}, newFakeHost())
	if err != nil {
		t.Fatal(err)
	}
	if want := "Host edge-1 (6033) saw 3 events on edgex; $undefined ${unclosed $ $1 $$\n"; res.Output != want {
		t.Errorf("got %q\nwant %q", res.Output, want)
	}
}

func TestAppl(t *testing.T) {
	h := newFakeHost()
	src := `local n = tonumber(appl_reqinfo("runs") or "0") + 1 appl_setinfo("runs", tostring(n)) print(n)`
	for i, want := range []string{"1\n", "2\n", "3\n"} {
		res, err := runWith(t, src, Env{}, h)
		if err != nil || res.Output != want {
			t.Errorf("run %d: %q %v", i+1, res.Output, err)
		}
	}
	res, err := runWith(t, `print(appl_reqinfo{key = "runs"}) appl_setinfo{key = "k", data = "v"}
		print(pcall(appl_setinfo, string.rep("k", 65), "v"))`, Env{}, h)
	if err != nil || !strings.HasPrefix(res.Output, "3\nfalse\t6033:2: APPL_ERR: appl_setinfo: the key must be 1 to 64 bytes") || h.appl["k"] != "v" {
		t.Errorf("%q %v %v", res.Output, err, h.appl)
	}
}

// TestCallHomeSend: every key call_home_send takes does what it says;
// outputs = true attaches the commands the script ran (a failed one with
// its error), then the message.
func TestCallHomeSend(t *testing.T) {
	h := newFakeHost()
	h.outputs["show version"] = "uptime is 1 day\n"
	h.fail["show bogus"] = errors.New("% Invalid input")
	_, err := runWith(t, `local s = cli_open()
		cli_exec(s, "show version")
		pcall(cli_exec, s, "show bogus")
		cli_run{"show clock"}
		call_home_send{description = "d", message = "m", severity = "major", outputs = true}
		call_home_send{msg = "m2", severity = 9, outputs = false}`, Env{}, h)
	if err != nil {
		t.Fatal(err)
	}
	want := []CallHomeMessage{
		{Description: "d", Severity: config.SeverityMajor, Message: "m", Outputs: []engine.CommandOutput{
			{Command: "show version", Output: "uptime is 1 day\n"},
			{Command: "show bogus", Err: "% Invalid input"},
			{Command: "show clock"},
		}},
		{Severity: config.SeverityCatastrophic, Message: "m2"},
	}
	if !reflect.DeepEqual(h.homes, want) {
		t.Errorf("got  %+v\nwant %+v", h.homes, want)
	}
}

// TestCallHomeSendRefusesUnknownKeys: a key the function does not take, a
// value of the wrong type or an unnamed entry is a CALLHOME_ERR naming
// it, and nothing is sent; the script's line is in the message.
func TestCallHomeSendRefusesUnknownKeys(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`call_home_send{message = "m", subject = "s"}`, `6033:1: CALLHOME_ERR: call_home_send: unknown key "subject": the mail subject is Call Home's own`},
		{`local t = {message = "m"}
		  t["colour"] = "red"
		  call_home_send(t)`, `6033:3: CALLHOME_ERR: call_home_send: unknown key "colour"; the keys are message, msg, description, severity, outputs`},
		{`call_home_send{alert_group = "syslog"}`, `unknown key "alert_group": a DS's messages are of type diagnostic-signature`},
		{`call_home_send{"m"}`, `entry [1] has no name; write name = value`},
		{`call_home_send{outputs = "yes"}`, `outputs must be true or false, not a string`},
		{`call_home_send{message = {}}`, `message must be a string, not a table`},
		{`call_home_send{severity = "err"}`, `unknown severity "err"; the Call Home levels are debugging, normal, notification`},
		{`call_home_send("m")`, `takes one table`},
	} {
		h := newFakeHost()
		_, err := runWith(t, c.src, Env{}, h)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n=> %v\nwant …%s…", c.src, err, c.want)
		}
		if len(h.homes) != 0 {
			t.Errorf("%s: sent %+v", c.src, h.homes)
		}
	}
}

func TestContext(t *testing.T) {
	h := newFakeHost()
	_, err := runWith(t, `context_save("ctx1", {a = "1", b = 2, c = {}})`, Env{}, h)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runWith(t, `local c = context_retrieve("ctx1") print(c.a, c.b, c.c) print(context_retrieve("ctx1"))`, Env{}, h)
	if err != nil || res.Output != "1\t2\tnil\nnil\n" {
		t.Errorf("%q %v", res.Output, err)
	}
}

func TestUnimplementedHost(t *testing.T) {
	_, err := runWith(t, `cli_open()`, Env{}, UnimplementedHost{})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "CLI_ERR: cli_open: not supported by this host") {
		t.Errorf("err = %v", err)
	}
}

// TestVars: ds_ variables are globals; the ones the script creates or
// changes come back in Result.Vars.
func TestVars(t *testing.T) {
	vars := map[string]string{"ds_hostname": "edge-1", "ds_intf": "Gi0/1", "not_ds": "x"}
	res, err := runWith(t, `print(ds_hostname, ds_intf, not_ds)
		ds_intf = "Gi0/2" ds_new = 42 ds_table = {} ds_same = nil ds_hostname = "edge-1" other = "x"`, Env{Vars: vars}, newFakeHost())
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != "edge-1\tGi0/1\tnil\n" {
		t.Errorf("output %q", res.Output)
	}
	if want := map[string]string{"ds_intf": "Gi0/2", "ds_new": "42"}; !reflect.DeepEqual(res.Vars, want) {
		t.Errorf("vars %v, want %v", res.Vars, want)
	}
	if vars["ds_intf"] != "Gi0/1" {
		t.Error("the caller's map was changed")
	}
}

// TestSignature6033 runs the script of the example signature: a syslog
// MALLOCFAIL logs the largest memory holder and mails the NOC at most once
// an hour.
func TestSignature6033(t *testing.T) {
	src := scriptOf(t, "../../../signatures/6033.xml")
	h := newFakeHost()
	h.outputs["show processes memory sorted"] = `Processor Pool Total:  100000 Used:  90000 Free:  10000
 PID TTY  Allocated      Freed    Holding    Getbufs    Retbufs Process
   0   0   1000000     500000     400000          0          0 *Init*
  85   0    900000     100000     300000          0          0 IP Input
`
	env := func(sec int64) Env {
		return Env{
			Vars:  map[string]string{"ds_noc_email": "noc@example.com", "ds_hostname": "edge-1", "ds_signature_id": "6033"},
			Event: EventInfo{ID: 1, Type: ds.EventSyslog, Time: time.Unix(sec, 0), Msg: "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed"},
		}
	}
	r := NewRunner(Options{})
	for i, sec := range []int64{1700000000, 1700000100, 1700003700} {
		if _, err := r.Run(context.Background(), Script{Name: "6033", Text: src}, env(sec), h); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	if len(h.syslogs) != 3 || h.syslogs[0].Severity != 4 || h.syslogs[0].Msg != "malloc failure; largest holder: *Init*" {
		t.Errorf("syslogs %+v", h.syslogs)
	}
	if len(h.mails) != 2 {
		t.Fatalf("%d mails, want 2 (the second failure came within the hour)", len(h.mails))
	}
	m := h.mails[0]
	if !reflect.DeepEqual(m.To, []string{"noc@example.com"}) || m.Subject != "edge-1: memory allocation failure" ||
		!strings.HasPrefix(m.Body, "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed\n\nProcessor Pool") {
		t.Errorf("mail %+v", m)
	}
	if h.appl["last_mail"] != "1700003700" {
		t.Errorf("appl %v", h.appl)
	}
}

// scriptOf returns the first Lua script action of a DS file.
func scriptOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Actions []struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"Actions>Action"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, a := range doc.Actions {
		if a.Type == "script" {
			return a.Text
		}
	}
	t.Fatalf("%s has no script action", path)
	return ""
}
