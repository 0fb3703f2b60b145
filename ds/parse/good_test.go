package parse

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

func parseFile(t *testing.T, name string) *ds.Signature {
	t.Helper()
	path := filepath.Join("testdata", "good", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ParseSignature(name, data)
	if err != nil {
		t.Fatalf("ParseSignature(%s):\n%v", name, err)
	}
	if err := CheckFileName(path, sig); err != nil {
		t.Errorf("CheckFileName(%s): %v", path, err)
	}
	return sig
}

func at(file string, line, col int) ds.Pos { return ds.Pos{File: file, Line: line, Col: col} }

// check compares a parsed signature with the expected one field by field,
// so a failure names what differs.
func check(t *testing.T, got, want *ds.Signature) {
	t.Helper()
	gv, wv := reflect.ValueOf(*got), reflect.ValueOf(*want)
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
	if got.Correlate != nil && want.Correlate != nil && !reflect.DeepEqual(*got.Correlate, *want.Correlate) {
		t.Errorf("Correlate:\n got %+v\nwant %+v", *got.Correlate, *want.Correlate)
	}
}

func TestParseSpecExample(t *testing.T) {
	const f = "6030.xml"
	got := parseFile(t, f)
	want := &ds.Signature{
		ID: "6030", Revision: "1.1", Name: "ActCH",
		Description:  "Collects interface state when a link flaps",
		Prerequisite: ds.Prerequisite{Platforms: []string{"linux"}, MinEngineVersion: "0.1", Pos: at(f, 5, 3)},
		Variables: []ds.Variable{
			{Name: "ds_env1", Source: ds.SourceEnvironment, Pos: at(f, 10, 5)},
			{Name: "ds_intf", Source: ds.SourcePrompt, Prompt: "Interface to watch", Default: "Gi0/0/1", Pos: at(f, 11, 5)},
			{Name: "ds_uptime", Source: ds.SourceRegex, Command: "show version", Pattern: "uptime is (.*)", Pos: at(f, 12, 5)},
		},
		Events: []ds.Event{
			{ID: "e1", Type: ds.EventSyslog, Pos: at(f, 15, 5),
				Pattern: "%LINK-3-UPDOWN: Interface ${ds_intf}, changed state to down",
				Occurs:  3, Period: time.Minute, Severity: 3},
			{ID: "e2", Type: ds.EventOIR, Pos: at(f, 17, 5), Severity: ds.SeverityAny, Slot: ds.SlotAny, OIRAction: "remove"},
		},
		Correlate: &ds.Correlate{Expr: "e1 and e2", Window: 2 * time.Minute, Occurs: 1, Pos: at(f, 18, 5)},
		Actions: []ds.Action{
			{Type: ds.ActionCommand, Text: "show interfaces ${ds_intf}", Pos: at(f, 21, 5)},
			{Type: ds.ActionCallHome, Pos: at(f, 22, 5)},
			{Type: ds.ActionEmailTo, To: "noc@example.com", Subject: "${ds_hostname}: DS ${ds_signature_id}", Pos: at(f, 23, 5)},
			{Type: ds.ActionScript, Lang: "lua", Pos: at(f, 24, 5), TextPos: at(f, 24, 47), Text: "\nlocal h = cli_open()\n" +
				"local out = cli_exec(h, \"show version\")\n" +
				"if #out > 0 and out ~= \"<none>\" then action_syslog{priority=\"info\", msg=\"ok\"} end\n"},
			{Type: ds.ActionMessage, To: "syslog", Severity: 5, Text: "DS ${ds_signature_id} ran", Pos: at(f, 29, 5)},
		},
		Pos: at(f, 2, 1),
	}
	check(t, got, want)
}

func TestParsePeriodic(t *testing.T) {
	const f = "6015.xml"
	got := parseFile(t, f)
	want := &ds.Signature{
		ID: "6015", Revision: "1.0", Name: "CronInterval",
		Events: []ds.Event{
			{ID: "e1", Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "0 */6 * * *", Severity: ds.SeverityAny, Pos: at(f, 6, 5)},
		},
		Actions: []ds.Action{
			{Type: ds.ActionCommand, Text: "show processes cpu sorted", Timeout: "30s", Pos: at(f, 9, 5)},
			{Type: ds.ActionCallHome, Pos: at(f, 10, 5)},
		},
		Pos: at(f, 3, 1),
	}
	check(t, got, want)
}

func TestParseEEMAndCorrelate(t *testing.T) {
	const f = "7001.xml"
	got := parseFile(t, f)
	want := &ds.Signature{
		ID: "7001", Revision: "2.0.1", Name: "OSPF flap with EEM lines",
		Description:  "Three adjacency changes and a link down, in order, within ten minutes",
		Prerequisite: ds.Prerequisite{Platforms: []string{"linux", "C9300"}, Pos: at(f, 5, 3)},
		Variables:    []ds.Variable{{Name: "ds_env_mail", Source: ds.SourceEnvironment, Pos: at(f, 29, 5)}},
		Events: []ds.Event{
			{ID: "adj", Type: ds.EventSyslog, Pos: at(f, 10, 5), Pattern: "OSPF-5-ADJCHG: .* from FULL",
				Occurs: 2, Period: 30 * time.Second, Severity: 5,
				EEMLine: `event syslog pattern "OSPF-5-ADJCHG: .* from FULL" occurs 2 period 30 priority notifications`},
			{ID: "down", Type: ds.EventSyslog, Pos: at(f, 11, 5),
				Pattern: `%LINK-3-UPDOWN: Interface (\S+), changed state to down`, Occurs: 1, Severity: ds.SeverityAny,
				RateLimit: 10 * time.Second, MaxRun: time.Minute,
				EEMLine: `event tag down syslog pattern "%LINK-3-UPDOWN: Interface (\S+), changed state to down" ratelimit 10 maxrun 60`},
			{ID: "t", Type: ds.EventPeriodic, Pos: at(f, 14, 5), Timer: ds.TimerWatchdog, Interval: 10 * time.Minute,
				Name: "tick", Severity: ds.SeverityAny, EEMLine: "event timer watchdog time 600 name tick"},
			{ID: "tr", Type: ds.EventTrack, Pos: at(f, 15, 5), TrackObject: 20, TrackState: "down", Severity: ds.SeverityAny},
		},
		Correlate: &ds.Correlate{
			Expr:   "(count(adj) >= 3 and seq(adj, down)) or (tr and not t)",
			Window: 10 * time.Minute, Occurs: 2, Period: time.Hour, Delay: 5 * time.Second,
			PeriodStart: "0 * * * *", GroupBy: "host", Pos: at(f, 16, 5),
		},
		Actions: []ds.Action{
			{Type: ds.ActionCommand, Text: "show ip ospf neighbor", Pos: at(f, 21, 5)},
			{Type: ds.ActionCommand, Text: "show interfaces ${ds_syslog_1}", Pos: at(f, 22, 5)},
			{Type: ds.ActionEmailTo, To: "noc@example.com, On Call <oncall@example.com>, ${ds_env_mail}",
				Subject: "${ds_hostname}: OSPF flap", Text: "Host ${ds_hostname} saw: ${ds_syslog_msg}", Pos: at(f, 23, 5)},
			{Type: ds.ActionMessage, To: "terminals", Severity: 4, Text: "OSPF is flapping on ${ds_syslog_host}", Pos: at(f, 26, 5)},
		},
		Pos: at(f, 2, 1),
	}
	check(t, got, want)
}

func TestParseEveryEventType(t *testing.T) {
	const f = "7002.xml"
	got := parseFile(t, f)
	anySev := ds.SeverityAny
	want := []ds.Event{
		{ID: "cfg", Type: ds.EventConfig, Pattern: "^interface ", Severity: anySev, Pos: at(f, 4, 5)},
		{ID: "ch", Type: ds.EventCallHome, AlertGroup: "inventory", Severity: anySev, Pos: at(f, 5, 5)},
		{ID: "boot", Type: ds.EventImmediate, Severity: anySev, Pos: at(f, 6, 5)},
		{ID: "card", Type: ds.EventOIR, Slot: 3, OIRAction: "insert", Severity: anySev, Pos: at(f, 7, 5)},
		{ID: "tick", Type: ds.EventPeriodic, Timer: ds.TimerInterval, Interval: 90 * time.Second, Severity: anySev, Pos: at(f, 8, 5)},
		{ID: "cfgline", Type: ds.EventConfig, Pattern: "hostname", Severity: anySev, Pos: at(f, 9, 5),
			EEMLine: `event config pattern "hostname"`},
		{ID: "manual", Type: ds.EventNone, Severity: anySev, Pos: at(f, 10, 5), EEMLine: "event none"},
		{ID: "sl", Type: ds.EventSyslog, Pattern: "SYS-5-CONFIG_I", Occurs: 1, Severity: 5, Pos: at(f, 11, 5)},
	}
	if !reflect.DeepEqual(got.Events, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got.Events, want)
	}
	wantAct := []ds.Action{{Type: ds.ActionScript, Lang: "lua", Timeout: "1m", Text: `print("x")`, Pos: at(f, 15, 5), TextPos: at(f, 15, 51)}}
	if !reflect.DeepEqual(got.Actions, wantAct) {
		t.Errorf("actions:\n got %+v\nwant %+v", got.Actions, wantAct)
	}
}

func TestCorrelateWithOneEvent(t *testing.T) {
	sig, err := ParseSignature("t.xml", []byte(ev(`<Event type="immediate"/><Correlate delay="1s">e1</Correlate>`)))
	if err != nil {
		t.Fatal(err)
	}
	if sig.Correlate == nil || sig.Correlate.Expr != "e1" || sig.Correlate.Delay != time.Second {
		t.Errorf("Correlate = %+v", sig.Correlate)
	}
}

func TestEEMTagNamesTheEvent(t *testing.T) {
	sig, err := ParseSignature("t.xml", []byte(ev(
		`<Event type="eem">event tag a oir</Event><Event type="eem">event tag b none</Event><Correlate>a or b</Correlate>`)))
	if err != nil {
		t.Fatal(err)
	}
	if sig.Events[0].ID != "a" || sig.Events[1].ID != "b" {
		t.Errorf("ids = %q, %q; want a, b", sig.Events[0].ID, sig.Events[1].ID)
	}
}

func TestErrorFormat(t *testing.T) {
	_, err := ParseSignature("dir/6030.xml", []byte(act(`<Action type="command"/><Action type="x"/>`)))
	want := "dir/6030.xml:5:11: <Action type=\"command\"> needs the command as its text, such as show version\n" +
		"dir/6030.xml:5:43: unknown action type \"x\"; expected command, call-home, emailto, script, message"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Pos.Line != 5 || e.Pos.Col != 11 {
		t.Errorf("errors.As found %+v, want the first error", e)
	}
}

func TestCheckFileName(t *testing.T) {
	sig := &ds.Signature{ID: "6030", Revision: "1.1", Pos: at("x/6031.xml", 2, 1)}
	for _, ok := range []string{"6030.xml", "/bootflash/call_home/6030.xml", "ds/6030-1.1.xml"} {
		if err := CheckFileName(ok, sig); err != nil {
			t.Errorf("CheckFileName(%q): %v", ok, err)
		}
	}
	err := CheckFileName("x/6031.xml", sig)
	want := "x/6031.xml:2:1: file name 6031.xml does not match the DS it holds (id 6030, revision 1.1); " +
		"name it 6030.xml (or 6030-1.1.xml in a repository)"
	if err == nil || err.Error() != want {
		t.Errorf("CheckFileName(6031.xml) = %v\nwant %s", err, want)
	}
	for _, bad := range []string{"6030-1.0.xml", "6030.XML", "linkflap.xml", "6030"} {
		if CheckFileName(bad, sig) == nil {
			t.Errorf("CheckFileName(%q) accepted a wrong name", bad)
		}
	}
}

func TestSizeLimitIsExact(t *testing.T) {
	base := ev("")
	pad := strings.Repeat(" ", MaxFileSize-len(base))
	if _, err := ParseSignature("t.xml", []byte(base+pad)); err != nil {
		t.Errorf("a file of exactly %d bytes: %v", MaxFileSize, err)
	}
}

func TestDepthLimitIsExact(t *testing.T) {
	// 64 levels are well-formed for the reader; only the element names are
	// wrong, which the checker reports once at the outermost unknown one.
	data := `<DiagnosticSignature id="1" revision="1">` + strings.Repeat("<a>", 63) + strings.Repeat("</a>", 63) + "</DiagnosticSignature>"
	_, err := ParseSignature("t.xml", []byte(data))
	if err == nil || strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("64 levels: %v", err)
	}
}

func TestByteOrderMark(t *testing.T) {
	_, err := ParseSignature("t.xml", []byte("\xef\xbb\xbf"+act(`<Action type="command"/>`)))
	want := "t.xml:5:11: <Action type=\"command\"> needs the command as its text, such as show version"
	if err == nil || err.Error() != want {
		t.Errorf("with a BOM: %v\nwant %s", err, want)
	}
	_, err = ParseSignature("t.xml", []byte("\xef\xbb\xbf<DiagnosticSignature/>"))
	want = `t.xml:1:4: missing required attribute "id" on <DiagnosticSignature>`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("BOM columns: %v\nwant %s...", err, want)
	}
}
