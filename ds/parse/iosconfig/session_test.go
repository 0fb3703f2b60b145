package iosconfig

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

// vty applies lines in turn as a session would, failing the test on a
// refused line.
type vty struct {
	t    *testing.T
	cfg  *config.Config
	path Path
}

func (v *vty) do(line string) {
	v.t.Helper()
	before := v.cfg.Clone()
	cfg, path, err := Apply(v.cfg, v.path, line)
	if err != nil {
		v.t.Fatalf("%v %q: %v", v.path, line, err)
	}
	if !reflect.DeepEqual(before, v.cfg) {
		v.t.Fatalf("%q changed the configuration it was given", line)
	}
	v.cfg, v.path = cfg, path
}

func (v *vty) refused(line, wantMsg string, wantCol int) {
	v.t.Helper()
	cfg, path, err := Apply(v.cfg, v.path, line)
	e, ok := err.(*Error)
	if !ok {
		v.t.Fatalf("%q: error %v (%T), want a refusal", line, err, err)
	}
	if !strings.Contains(e.Msg, wantMsg) || e.Col != wantCol {
		v.t.Errorf("%q: refused with %q at column %d; want %q at %d", line, e.Msg, e.Col, wantMsg, wantCol)
	}
	if cfg != v.cfg || !slices.Equal(path, v.path) {
		v.t.Errorf("%q: a refused line changed the configuration or the path", line)
	}
}

func TestApply(t *testing.T) {
	v := &vty{t: t, cfg: config.Default()}
	v.do("call-home")
	v.do(" profile user1")
	if !slices.Equal(v.path, Path{"call-home", "profile user1"}) || v.cfg.Profile("user1") == nil {
		t.Fatalf("path %q, profile %+v", v.path, v.cfg.Profile("user1"))
	}
	v.do("destination transport-method http")
	v.do("exit")
	v.refused("rate-limit 61", "rate-limit 61 out of range 1-60", 11)
	v.refused("  rate-limt 5", `unknown command "rate-limt"`, 2)
	v.do("rate-limit 5")
	v.do("end")
	if v.path != nil || v.cfg.CallHome.RateLimit != 5 || !v.cfg.Profile("user1").TransportHTTP {
		t.Fatalf("after end: path %q, %+v", v.path, v.cfg.CallHome)
	}
	v.refused("interface GigabitEthernet1/0/1", "dsengine does not model other IOS commands", 0)
	v.refused("do show running-config", `"do" runs an exec command`, 0)

	// An applet built line by line: it is checked when its mode ends.
	v.do("event manager applet A")
	v.do("event tag a syslog pattern \"x\"")
	v.do("event tag b oir")
	// A typo flush-left in a sub-mode is refused with what the mode takes.
	v.refused("actoin 1 puts x", `unknown command "actoin" in applet "A"; expected description, event, trigger, action`, 0)
	v.refused("exit", `applet "A" has several events but no trigger`, -1)
	v.do("trigger")
	if Prompt(v.path) != "config-applet-trigger" {
		t.Errorf("prompt %q", Prompt(v.path))
	}
	v.refused("correlate event a nand event b", `correlate: expected and, or or andnot, not "nand"`, 18)
	v.do("correlate event a and event b")
	v.do("end")
	if a := v.cfg.Applet("A"); a == nil || a.Trigger == nil || a.Trigger.Expr != "a and b" {
		t.Fatalf("applet %+v", a)
	}

	// A second session's half-built applet does not refuse the lines of
	// the first; each sees the other's lines.
	other := &vty{t: t, cfg: v.cfg}
	other.do("event manager applet B")
	other.do("event tag x none")
	other.do("event tag y none")
	v.cfg = other.cfg
	v.do("hostname sw1")
	other.cfg = v.cfg
	other.do("action 1.0 puts hi")
	if other.cfg.Hostname != "sw1" || len(other.cfg.Applet("B").Actions) != 1 {
		t.Errorf("hostname %q, applet B %+v", other.cfg.Hostname, other.cfg.Applet("B"))
	}

	// The mode of a path whose object is gone is entered afresh; an
	// applet without events is a warning.
	v.path = Path{"event manager applet C"}
	v.do("description new")
	if c := v.cfg.Applet("C"); c == nil || len(v.cfg.Warnings) != 1 || !strings.Contains(v.cfg.Warnings[0].Msg, `"C" has no event line`) {
		t.Errorf("applet C %+v, warnings %v", c, v.cfg.Warnings)
	}
	v.do("no event manager applet C")
	if v.path != nil || v.cfg.Applet("C") != nil {
		t.Errorf("after no event manager applet C: path %q", v.path)
	}
	if _, _, err := Apply(v.cfg, Path{"hostname r1"}, "active"); err == nil {
		t.Errorf("a path entry that enters no mode is accepted")
	}
}

func TestPrompt(t *testing.T) {
	for _, c := range []struct {
		path Path
		want string
	}{
		{nil, "config"},
		{Path{"call-home"}, "config-call-home"},
		{Path{"call-home", "profile p"}, "cfg-call-home-profile"},
		{Path{"call-home", "diagnostic-signature"}, "config-call-home-diag-sign"},
		{Path{"event manager applet X"}, "config-applet"},
		{Path{"event manager applet X", "trigger occurs 2"}, "config-applet-trigger"},
		{Path{"ip sla 5"}, "config-ip-sla"},
		{Path{"track 3 interface Gi1 line-protocol"}, "config-track"},
		{Path{"dsengine"}, "config-dsengine"},
	} {
		if got := Prompt(c.path); got != c.want {
			t.Errorf("Prompt(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

func TestHelp(t *testing.T) {
	words := func(c []Candidate) string {
		s := make([]string, len(c))
		for i, x := range c {
			s[i] = x.Word
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		path        Path
		typed, want string
	}{
		{nil, "", "call-home clock dsengine end event exit hostname ip no service snmp-server track"},
		{nil, "snmp-server ", "enable engineID group host user"},
		{nil, "snmp-server enable traps ", "event-manager"},
		{nil, "snmp-server host 192.0.2.1 ", "WORD informs traps version"},
		{nil, "snmp-server host 192.0.2.1 traps ", "WORD version"},
		{nil, "snmp-server host 192.0.2.1 traps version ", "3 2c"},
		{nil, "snmp-server host 192.0.2.1 traps version 2c public ", "event-manager udp-port <cr>"},
		{nil, "snmp-server host 192.0.2.1 public udp-port 1162 ", "event-manager <cr>"},
		{nil, "no snmp-server h", "host"},
		{nil, "ho", "hostname"},
		{nil, "no ser", "service"},
		{nil, "ip sla ", "<1-2147483647> schedule"},
		{nil, "ip sla 5 ", "<cr>"},
		{nil, "event manager applet X ", "authorization class trap <cr>"},
		{Path{"call-home"}, "rate-limit ", "<1-60>"},
		{Path{"call-home"}, "rate-limit 5 ", "<cr>"},
		{Path{"call-home"}, "pro", "profile"},
		{Path{"call-home"}, "data-privacy ", "hostname level"},
		{Path{"call-home", "profile p"}, "destination tr", "transport-method"},
		{Path{"call-home", "profile p"}, "dest transport-method ", "email http"},
		{Path{"call-home", "profile p"}, "subscribe-to-alert-group syslog ", "pattern severity <cr>"},
		{Path{"event manager applet X"}, "action 1.0 sys", "syslog"},
		{Path{"event manager applet X"}, "action 1.0 syslog msg \"hi there\" ", "LINE <cr>"},
		{Path{"event manager applet X", "trigger"}, "correlate event a and ", "event track"},
		{Path{"event manager applet X", "trigger"}, "correlate event a ", "and andnot or <cr>"},
		{Path{"ip sla 1"}, "tcp-connect h 80 ", "control <cr>"},
		{nil, "bogus ", ""},
		{nil, "e", "end event exit"},
	} {
		got := Help(c.path, c.typed)
		if words(got) != c.want {
			t.Errorf("Help(%q, %q) = %q, want %q", c.path, c.typed, words(got), c.want)
		}
		for _, x := range got {
			if x.Help == "" && x.Word != "<cr>" {
				t.Errorf("Help(%q, %q): %q has no help text", c.path, c.typed, x.Word)
			}
		}
	}
}

// TestTableCoversParser checks that each mode's commands in the command
// table are the ones its handler reads, so Help lists what the parser
// takes.
func TestTableCoversParser(t *testing.T) {
	for _, kind := range modeOrder()[1:] { // top level: topModels reads the arguments too
		for _, w := range modeWords(kind) {
			if !knows(kind, []string{w}) {
				t.Errorf("mode %s: %s is in the table but not known", kind, w)
			}
		}
	}
}
