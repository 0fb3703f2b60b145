package applet

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// parseConfig parses a whole configuration.
func parseConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := iosconfig.Parse("t.conf", []byte(text))
	if err != nil {
		t.Fatalf("parse:\n%s\n%v", text, err)
	}
	return cfg
}

func TestHandleErrorAndErrorCode(t *testing.T) {
	runAll(t, []runCase{
		{name: "an error ends the run by default",
			lines: []string{`add $nope 1`, `puts "after"`},
			err:   "action 0001 add (line 3): could not find variable $nope"},
		{name: "type exit is the default",
			lines: []string{`handle-error type exit`, `add $nope 1`, `puts "after"`},
			err:   "could not find variable $nope"},
		{name: "type ignore sets _error and goes on",
			lines: []string{`handle-error type ignore`, `add $nope 1`, `puts "after $_error"`,
				`context retrieve key none`, `puts "then $_error"`},
			out:  "after FH_EMEMORY\nthen FH_ENOSUCHKEY\n",
			vars: map[string]string{"_result": "<unset>"}},
		{name: "ignore then exit again",
			lines: []string{`handle-error type ignore`, `add $nope 1`, `handle-error type exit`, `add 1 $nope`, `puts "never"`},
			err:   "action 0004 add"},
		{name: "exit sets _exit_status",
			lines: []string{`set code 3`, `exit $code`, `puts "never"`},
			vars:  map[string]string{"_exit_status": "3"}},
	})
	if err := Check(hand(act("handle-error", "type", "retry"))); err == nil || !strings.Contains(err.Error(), `handle-error type "retry": expected ignore or exit`) {
		t.Errorf("bad type: %v", err)
	}
}

func TestHandleErrorDoesNotIgnoreMaxSteps(t *testing.T) {
	a := parseApplet(t, `handle-error type ignore`, `while 1 eq 1`, `add $nope 1`, `end`)
	_, err := Run(context.Background(), a, Env{Limits: Limits{MaxSteps: 50}}, newHost())
	if !errors.Is(err, ErrMaxSteps) {
		t.Fatalf("err %v, want ErrMaxSteps", err)
	}
}

func TestCLIPromptErrorsAndEmptyLine(t *testing.T) {
	h := newHost()
	h.output["show clock"] = "10:00:00 UTC"
	h.output["delete flash:x"] = "Delete filename [x]? \nDelete flash:/x? [confirm]"
	h.fail["show bogus"] = errors.New(`executor local: "show bogus": refused`)
	a := parseApplet(t,
		`cli command "show clock"`, `set a "$_cli_result"`,
		`cli command "show bogus"`, `set b "$_cli_result"`,
		`cli command "delete flash:x" pattern "\[confirm\]"`, `set c "$_cli_result"`,
		`cli command ""`, `set d "$_cli_result"`)
	res, err := Run(context.Background(), a, Env{Prompt: "r1#"}, h)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": "10:00:00 UTC\nr1#",
		"b": "% executor local: \"show bogus\": refused\nr1#",
		"c": "Delete filename [x]? \nDelete flash:/x? [confirm]",
		"d": "r1#",
	}
	for k, v := range want {
		if res.Vars[k] != v {
			t.Errorf("$%s = %q, want %q", k, res.Vars[k], v)
		}
	}
	if calls := h.Calls(); !slices.Equal(calls, []string{"cli show clock", "cli show bogus", "cli delete flash:x"}) {
		t.Errorf("calls %q (an empty line reaches no executor)", calls)
	}
}

type fakeTerm struct {
	in  []string
	out strings.Builder
}

func (f *fakeTerm) Gets(context.Context) (string, error) {
	if len(f.in) == 0 {
		return "", io.EOF
	}
	l := f.in[0]
	f.in = f.in[1:]
	return l, nil
}

func (f *fakeTerm) Puts(_ context.Context, s string) error {
	f.out.WriteString(s)
	return nil
}

func TestGetsAndPutsOnTheTerminal(t *testing.T) {
	a := parseApplet(t, `puts nonewline "Interface? "`, `gets intf`, `puts "shutting $intf"`)
	term := &fakeTerm{in: []string{"Gi1/0/1\r\n"}}
	res, err := Run(context.Background(), a, Env{Terminal: term}, newHost())
	if err != nil {
		t.Fatal(err)
	}
	if got := term.out.String(); got != "Interface? shutting Gi1/0/1\n" || res.Output != "" {
		t.Errorf("terminal %q, output %q", got, res.Output)
	}
	// No terminal: gets fails and says how to run the applet.
	_, err = Run(context.Background(), a, Env{}, newHost())
	if !errors.Is(err, ErrNoTerminal) || !strings.Contains(err.Error(), "action 0002 gets (line 4): gets: no terminal; run the applet with `event manager run` from `dsengine cli`") {
		t.Errorf("no terminal: %v", err)
	}
	// The terminal closing ends gets with an error.
	_, err = Run(context.Background(), a, Env{Terminal: &fakeTerm{}}, newHost())
	if err == nil || !strings.Contains(err.Error(), "gets: the terminal: EOF") {
		t.Errorf("closed terminal: %v", err)
	}
}

func TestReload(t *testing.T) {
	h := newHost()
	if _, err := Run(context.Background(), parseApplet(t, `reload`), Env{}, h); err != nil || !slices.Equal(h.Calls(), []string{"reload"}) {
		t.Errorf("reload: %v %q", err, h.Calls())
	}
	h.reload = errors.New("reload refused: not mapped")
	_, err := Run(context.Background(), parseApplet(t, `reload`), Env{}, h)
	if err == nil || !strings.Contains(err.Error(), "action 0001 reload (line 3): reload refused: not mapped") {
		t.Errorf("refused reload: %v", err)
	}
	if err := Check(hand(act("reload", "now"))); err == nil {
		t.Error("reload with an argument accepted")
	}
}

const policies = `event manager applet MAIN
 event none
 action 1.0 regexp "(x+)" "axxb" m
 action 2.0 policy HELPER
 action 3.0 puts "main: helper exited $_exit_status, $seen"
event manager applet HELPER
 event none
 action 1.0 puts "helper sees $_regexp_result and $m and $_none_arg1"
 action 2.0 set seen yes
 action 3.0 exit 7
event manager applet TIMED
 event timer countdown time 10
 action 1.0 puts "never as a policy"
event manager applet CALLS_TIMED
 event none
 action 1.0 policy TIMED
event manager applet VIA
 event none
 action 1.0 policy $next
`

func lookupIn(cfg *config.Config) func(string) *config.Applet { return cfg.Applet }

func TestPolicy(t *testing.T) {
	cfg := parseConfig(t, policies)
	env := Env{Applet: lookupIn(cfg), Event: map[string]string{"_none_arg1": "arg"}}
	res, err := Run(context.Background(), cfg.Applet("MAIN"), env, newHost())
	if err != nil {
		t.Fatal(err)
	}
	// $_ variables reach the policy, its own do not come back, its exit
	// code does.
	if want := "helper sees 1 and $m and arg\nmain: helper exited 7, $seen\n"; res.Output != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
	if res.Exit != 0 || res.Steps != 6 || len(res.Actions) != 6 || res.Actions[2].Applet != "HELPER" {
		t.Errorf("exit %d steps %d actions %v", res.Exit, res.Steps, res.Actions)
	}
	// An applet without event none is no policy.
	_, err = Run(context.Background(), cfg.Applet("CALLS_TIMED"), env, newHost())
	if ErrorCode(err) != CodeNoSuchEID || !strings.Contains(err.Error(), "policy TIMED: no applet TIMED is registered with event none") {
		t.Errorf("policy TIMED: %v (%s)", err, ErrorCode(err))
	}
	// A loop through a variable stops at the depth cap.
	loop := env
	loop.Vars = map[string]string{"next": "VIA"}
	_, err = Run(context.Background(), cfg.Applet("VIA"), loop, newHost())
	if !errors.Is(err, ErrPolicyDepth) || !strings.Contains(err.Error(), "VIA → VIA → VIA") {
		t.Errorf("loop: %v", err)
	}
}

func TestCheckConfigPolicies(t *testing.T) {
	cfg := parseConfig(t, policies+`event manager applet A
 event none
 action 1 policy B
event manager applet B
 event none
 action 1 policy A
event manager applet C
 event none
 action 1 policy A
 action 2 policy MISSING
`)
	errs := CheckConfig(cfg.EventManager.Applets)
	want := map[string]string{
		"A":           "applet A: action 1 policy (line 22): policy loop A → B → A: an applet may not run itself through policies",
		"B":           "applet B: action 1 policy (line 25): policy loop B → A → B",
		"C":           "policy MISSING: no applet MISSING is configured",
		"CALLS_TIMED": "policy TIMED: applet TIMED has no `event none`",
	}
	for name, w := range want {
		if err := errs[name]; err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %v, want %q", name, err, w)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("errors for %d applets, want %d: %v", len(errs), len(want), errs)
	}
}

// bootflash makes a bootflash directory with a file outside it and
// returns both.
func bootflash(t *testing.T) (dir, outside string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "bootflash")
	outside = filepath.Join(base, "secret")
	if err := os.MkdirAll(filepath.Join(dir, "call_home"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte("root:x:0:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, outside
}

func TestFileActions(t *testing.T) {
	dir, _ := bootflash(t)
	h := newHost()
	h.files = &DirFiles{Root: dir, Reserved: []string{"call_home"}}
	a := parseApplet(t,
		`file open fh flash:notes.txt w`,
		`file puts fh "first line"`,
		`file write fh "second" 3`,
		`file puts fh nonewline "ond"`,
		`file close fh`,
		`file open in bootflash:/notes.txt r`,
		`file gets in one`,
		`file gets in two`,
		`file gets in three`,
		`set eof $_result`,
		`file close $in`,
		`file open fh flash:notes.txt a+`,
		`file puts fh "third"`,
		`file close fh`,
		`file open fh flash:notes.txt r`,
		`file read fh all`,
		`file close fh`,
		`file delete flash:notes.txt`)
	res, err := Run(context.Background(), a, Env{}, h)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"one": "first line", "two": "second", "three": "", "eof": "-1",
		"all": "first line\nsecondthird\n"} {
		if res.Vars[k] != v {
			t.Errorf("$%s = %q, want %q", k, res.Vars[k], v)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("notes.txt not deleted: %v", err)
	}
}

func TestFileActionsStayInBootflash(t *testing.T) {
	dir, outside := bootflash(t)
	if err := os.Symlink(outside, filepath.Join(dir, "planted")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	files := &DirFiles{Root: dir, Reserved: []string{"call_home"}, MaxFileSize: 10}
	for _, c := range []struct{ line, want string }{
		{`file open fh flash:../../etc/passwd r`, `"flash:../../etc/passwd" refused: ".." would leave the bootflash directory`},
		{`file open fh flash:../secret w`, `refused: ".." would leave`},
		{`file open fh flash:planted r`, "refused: planted is a symbolic link"},
		{`file open fh flash:planted w`, "refused: planted is a symbolic link"},
		{`file open fh flash:up/secret r`, "refused: up is a symbolic link"},
		{`file delete flash:planted`, "refused: planted is a symbolic link"},
		{`file open fh flash:fifo r`, "refused: not a regular file"},
		{`file open fh flash:call_home/state.json r`, "refused: call_home belongs to dsengine"},
		{`file open fh flash:.lock w`, "refused: .lock belongs to dsengine"},
		{`file open fh /etc/passwd r`, "refused: name a file as flash:NAME"},
		{`file open fh disk0:x r`, "refused: name a file as flash:NAME"},
		{`file open fh flash: w`, "refused: no file name"},
		{`file read fh x`, "could not find variable $fh"},
	} {
		h := newHost()
		h.files = files
		_, err := Run(context.Background(), parseApplet(t, c.line), Env{}, h)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.line, err, c.want)
		}
	}
	if data, err := os.ReadFile(outside); err != nil || string(data) != "root:x:0:0\n" {
		t.Errorf("the file outside changed: %q %v", data, err)
	}
	// Size cap and handle cap.
	h := newHost()
	h.files = files
	_, err := Run(context.Background(), parseApplet(t, `file open fh flash:big w`, `file puts fh "0123456789"`), Env{}, h)
	if err == nil || !strings.Contains(err.Error(), "would grow past 10 bytes") {
		t.Errorf("size cap: %v", err)
	}
	lines := []string{`set i 0`, `while $i le 8`, `file open fh flash:big r`, `increment i`, `end`}
	_, err = Run(context.Background(), parseApplet(t, lines...), Env{}, h)
	if err == nil || !strings.Contains(err.Error(), "8 files are open already") {
		t.Errorf("handle cap: %v", err)
	}
	if err := Check(hand(act("file", "open", "fh", "flash:x", "rw"))); err == nil || !strings.Contains(err.Error(), `unknown mode "rw"`) {
		t.Errorf("bad mode: %v", err)
	}
	if err := Check(hand(act("file", "chmod", "fh"))); err == nil || !strings.Contains(err.Error(), `file "chmod": unknown operation`) {
		t.Errorf("bad operation: %v", err)
	}
}

func TestTraceAndOutcomes(t *testing.T) {
	var traced []string
	a := parseApplet(t, `handle-error type ignore`, `add x 1`, `puts "ok"`)
	res, err := Run(context.Background(), a, Env{Trace: func(o Outcome) { traced = append(traced, o.String()) }, Clock: clock.NewVirtual(epoch)}, newHost())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"applet T action 0001 handle-error: ok",
		`applet T action 0002 add: ignored FH_ESYSERR: "x" is not a long integer`,
		"applet T action 0003 puts: ok",
	}
	if !slices.Equal(traced, want) || len(res.Actions) != 3 || !res.Actions[1].Ignored {
		t.Errorf("traced %q\nwant %q\nactions %v", traced, want, res.Actions)
	}
}

func TestAppletLineOptions(t *testing.T) {
	cfg := parseConfig(t, "event manager applet X class b trap authorization bypass\n event none\n action 1 puts x\n")
	a := cfg.Applet("X")
	if a.Class != "B" || !a.Trap || !a.AuthorizationBypass {
		t.Errorf("options %+v", a)
	}
	for _, bad := range []string{"class 9", "authorization never", "trap now"} {
		_, err := iosconfig.Parse("t.conf", []byte("event manager applet X "+bad+"\n event none\n"))
		if err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
