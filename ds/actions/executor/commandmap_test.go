package executor

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

func TestRewritePlaceholders(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		args     bool
	}{
		{"uname -a; uptime", "uname -a; uptime", false},
		{"ip -s link show {args}", `ip -s link show "$@"`, true},
		{"echo {arg}", `echo "$*"`, true},
		{"echo {1} {2}", `echo "${1}" "${2}"`, true},
		{`echo "if={1} all={args}"`, `echo "if=${1} all=$@"`, true},
		{"echo '{1}' {x} {10}", "echo '{1}' {x} {10}", false},
		{`ip link show "$1"`, `ip link show "$1"`, true},
		{`ip link show "${1}"`, `ip link show "${1}"`, true},
		{"ps aux | awk '{print $1}'", "ps aux | awk '{print $1}'", false},
		{`echo \$1 \{1}`, `echo \$1 \{1}`, false},
		{"{ echo a; echo b; }", "{ echo a; echo b; }", false},
	} {
		got, args := rewritePlaceholders(tc.in)
		if got != tc.want || args != tc.args {
			t.Errorf("rewritePlaceholders(%q) = %q, %v; want %q, %v", tc.in, got, args, tc.want, tc.args)
		}
	}
}

func TestLookup(t *testing.T) {
	m, err := newCommandMap([]config.CommandMapping{
		{IOS: "show version", Linux: "echo custom", Line: 3},
		{IOS: "show  IP", Linux: "echo ip {args}", Line: 4},
		{IOS: "show platform", Linux: "echo no args", Line: 5},
		{IOS: "show version", Linux: "echo second", Line: 6},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cmd, script, source string
		args                []string
	}{
		// Configuration lines replace built-ins; the first line wins.
		{"show version", "echo custom", "command-map line 3", nil},
		{"SHOW   Version", "echo custom", "command-map line 3", nil},
		// Exact built-in beats a shorter configured prefix.
		{"show ip route", `ip -4 route show "$@"`, "built-in", nil},
		{"show ip interface brief", "ip -br addr", "built-in", nil},
		// Longest prefix taking arguments.
		{"show ip route 10.0.0.0", `ip -4 route show "$@"`, "built-in", []string{"10.0.0.0"}},
		{"show ip bgp summary", `echo ip "$@"`, "command-map line 4", []string{"bgp", "summary"}},
		{"show interfaces Gi0/1", `ip -s link show "$@"`, "built-in", []string{"Gi0/1"}},
		{"show interfaces", `ip -s link show "$@"`, "built-in", nil},
		{`show interfaces "Gi0/1; touch /tmp/x"`, `ip -s link show "$@"`, "built-in", []string{`"Gi0/1;`, "touch", `/tmp/x"`}},
	} {
		e, args, ok := m.lookup(tc.cmd)
		if !ok || e.script != tc.script || e.source != tc.source || !reflect.DeepEqual(args, tc.args) {
			t.Errorf("lookup(%q) = %q %q %q %v; want %q %q %q", tc.cmd, e.script, e.source, args, ok, tc.script, tc.source, tc.args)
		}
	}
	// A mapping without placeholders matches only exactly.
	for _, cmd := range []string{"show platform software", "show versions", "show", "show version detail", "clear counters"} {
		if e, _, ok := m.lookup(cmd); ok {
			t.Errorf("lookup(%q) matched %q (%s); want no match", cmd, e.script, e.source)
		}
	}
}

func TestCommandMapErrors(t *testing.T) {
	for _, tc := range []struct {
		line config.CommandMapping
		want string
	}{
		{config.CommandMapping{IOS: " ", Linux: "true", Line: 7}, "command-map line 7: empty IOS command"},
		{config.CommandMapping{IOS: "show x", Linux: "  ", Line: 8}, `command-map line 8: "show x" maps to an empty Linux command`},
	} {
		_, err := New(config.Executor{Kind: config.ExecutorLocal}, []config.CommandMapping{tc.line}, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) error %v; want %q", tc.line, err, tc.want)
		}
	}
}

func TestUnknownKind(t *testing.T) {
	_, err := New(config.Executor{Kind: "telnet"}, nil, Options{})
	if err == nil || !strings.Contains(err.Error(), `executor "telnet": unknown kind`) {
		t.Errorf("error %v", err)
	}
}
