package applet

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
)

var epoch = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

type runCase struct {
	name   string
	lines  []string
	event  map[string]string
	envVar map[string]string
	cli    map[string]string
	out    string            // want Result.Output
	vars   map[string]string // want these in Result.Vars ("<unset>": absent)
	calls  []string          // want exactly these host calls (nil: not checked)
	err    string            // want an error containing this
}

func (c runCase) run(t *testing.T) {
	t.Helper()
	a := parseApplet(t, c.lines...)
	h := newHost()
	for k, v := range c.cli {
		h.output[k] = v
	}
	env := Env{Vars: c.envVar, Event: c.event, Clock: clock.NewVirtual(epoch)}
	res, err := Run(context.Background(), a, env, h)
	switch {
	case c.err == "" && err != nil:
		t.Fatalf("Run: %v", err)
	case c.err != "" && err == nil:
		t.Fatalf("Run succeeded, want error %q", c.err)
	case c.err != "" && !strings.Contains(err.Error(), c.err):
		t.Fatalf("Run error %q, want it to contain %q", err, c.err)
	}
	if res.Output != c.out {
		t.Errorf("output:\n%q\nwant\n%q", res.Output, c.out)
	}
	for k, want := range c.vars {
		got, ok := res.Vars[k]
		if want == "<unset>" {
			if ok {
				t.Errorf("$%s = %q, want it unset", k, got)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("$%s = %q (set %v), want %q", k, got, ok, want)
		}
	}
	if c.calls != nil && !slices.Equal(h.Calls(), c.calls) {
		t.Errorf("host calls:\n%q\nwant\n%q", h.Calls(), c.calls)
	}
}

func runAll(t *testing.T, cases []runCase) {
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestOrderIsTheGivenOrder(t *testing.T) {
	// The configuration sorts labels as strings: 1.0 < 10.0 < 2.0.
	a := parseApplet(t,
		`action 2.0 puts "two"`,
		`action 10.0 puts "ten"`,
		`action 1.0 puts "one"`)
	res, err := Run(context.Background(), a, Env{}, newHost())
	if err != nil {
		t.Fatal(err)
	}
	if want := "one\nten\ntwo\n"; res.Output != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
	// Run does not sort again: it follows a.Actions as given.
	h := hand(act("puts", "b"), act("puts", "a"), act("puts", "c"))
	h.Actions[0].Label, h.Actions[1].Label, h.Actions[2].Label = "2", "1", "3"
	res, err = Run(context.Background(), h, Env{}, newHost())
	if err != nil {
		t.Fatal(err)
	}
	if want := "b\na\nc\n"; res.Output != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
}

func TestVerbs(t *testing.T) {
	runAll(t, []runCase{
		{name: "cli sets _cli_result",
			lines: []string{`cli command "enable"`, `cli command "show version"`},
			cli:   map[string]string{"show version": "IOS XE 17.9\n"},
			vars:  map[string]string{"_cli_result": "IOS XE 17.9\nRouter#"},
			calls: []string{"cli enable", "cli show version"}},
		{name: "cli unquoted command and substitution",
			lines: []string{`set intf Gi1/0/1`, `cli command show interfaces $intf`},
			calls: []string{"cli show interfaces Gi1/0/1"}},
		{name: "cli pattern matches",
			lines: []string{`cli command "clear counters" pattern "confirm"`},
			cli:   map[string]string{"clear counters": "Clear counters [confirm]"},
			calls: []string{"cli clear counters"}},
		{name: "cli pattern does not match",
			lines: []string{`cli command "clear counters" pattern "confirm"`, `puts "after"`},
			cli:   map[string]string{"clear counters": "done"},
			err:   `action 0001 cli (line 3): cli "clear counters": pattern "confirm" is not in the output`},
		{name: "syslog default priority is informational",
			lines: []string{`syslog msg "link flapped"`},
			calls: []string{"syslog 6 %HA_EM-6-LOG: T: link flapped"}},
		{name: "syslog priority names, numbers and facility",
			lines: []string{`syslog priority critical msg "x"`, `syslog priority 4 msg "y z" facility DSE`,
				`syslog msg unquoted words here`},
			calls: []string{"syslog 2 %HA_EM-2-LOG: T: x", "syslog 4 %DSE-4-LOG: T: y z",
				"syslog 6 %HA_EM-6-LOG: T: unquoted words here"}},
		{name: "syslog substitutes event built-ins",
			lines: []string{`syslog priority errors msg "saw: $_syslog_msg"`},
			event: map[string]string{"_syslog_msg": "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"},
			calls: []string{"syslog 3 %HA_EM-3-LOG: T: saw: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"}},
		{name: "mail",
			lines:  []string{`mail server "$smtp" to "noc@example.com" from "r1@example.com" cc "a@example.com" subject "down" body "$_cli_result"`},
			envVar: map[string]string{"smtp": "192.0.2.25"},
			calls:  []string{"mail noc@example.com"}},
		{name: "set append puts",
			lines: []string{`set a "hello"`, `append a " world"`, `append b "x"`, `puts "$a/${b}/$nope/${nope}/$/\$a"`,
				`puts nonewline "no"`, `puts "line"`},
			out:  "hello world/x/$nope/${nope}/$/\\$a\nnoline\n",
			vars: map[string]string{"a": "hello world", "b": "x"}},
		{name: "set accepts $name",
			lines: []string{`set $v 3`, `puts "$v"`}, out: "3\n"},
		{name: "action vars shadow event and environment",
			lines:  []string{`puts "$x $_event_type"`, `set x mine`, `puts "$x"`},
			event:  map[string]string{"_event_type": "none"},
			envVar: map[string]string{"x": "env"},
			out:    "env none\nmine\n"},
		{name: "values are not expanded twice",
			lines: []string{`set a "$"`, `append a "b"`, `set b "X"`, `puts "$a"`}, out: "$b\n"},
		{name: "comment does nothing",
			lines: []string{`comment this is a note`}, calls: []string{}},
		{name: "exit stops with a code",
			lines: []string{`puts "a"`, `exit 3`, `puts "b"`},
			out:   "a\n", vars: map[string]string{"_exit_status": "3"}},
		{name: "exit without code",
			lines: []string{`exit`, `puts "b"`}, vars: map[string]string{"_exit_status": "0"}},
		{name: "exit code from a variable",
			lines: []string{`set c 7`, `exit $c`}, vars: map[string]string{"_exit_status": "7"}},
	})
}

func TestExitCodeInResult(t *testing.T) {
	res, err := Run(context.Background(), parseApplet(t, `exit 5`), Env{}, newHost())
	if err != nil || res.Exit != 5 {
		t.Fatalf("Exit %d, err %v; want 5, nil", res.Exit, err)
	}
}

func TestRegexp(t *testing.T) {
	runAll(t, []runCase{
		{name: "match and submatches",
			lines: []string{`regexp "Interface ([^,]+), changed state to (up|down)" "$_syslog_msg" line intf state`},
			event: map[string]string{"_syslog_msg": "%LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down"},
			vars: map[string]string{"_regexp_result": "1", "line": "Interface Gi1/0/5, changed state to down",
				"intf": "Gi1/0/5", "state": "down"}},
		{name: "three submatches, unmatched group is empty",
			lines: []string{`regexp "(a)(x)?(b)(c)" "abc" m s1 s2 s3`},
			vars:  map[string]string{"_regexp_result": "1", "m": "abc", "s1": "a", "s2": "", "s3": "b"}},
		{name: "more names than groups",
			lines: []string{`regexp "a(b)" "ab" m s1 s2`},
			vars:  map[string]string{"m": "ab", "s1": "b", "s2": ""}},
		{name: "no match leaves the variables",
			lines: []string{`set m old`, `regexp "zzz" "abc" m`},
			vars:  map[string]string{"_regexp_result": "0", "m": "old"}},
		{name: "dollar anchor is not a variable",
			lines: []string{`regexp "down$" "went down" m`},
			vars:  map[string]string{"_regexp_result": "1", "m": "down"}},
		{name: "cli result flows into regexp and if",
			lines: []string{
				`cli command "show interfaces Gi1/0/1 | include CRC"`,
				`regexp "([0-9]+) CRC" "$_cli_result" all crc`,
				`if $_regexp_result eq 1`,
				`if $crc gt 100`,
				`syslog priority warnings msg "CRC errors: $crc"`,
				`end`,
				`end`},
			cli: map[string]string{"show interfaces Gi1/0/1 | include CRC": "     0 runts, 0 giants\n     1234 input errors, 250 CRC, 0 frame\n"},
			calls: []string{"cli show interfaces Gi1/0/1 | include CRC",
				"syslog 4 %HA_EM-4-LOG: T: CRC errors: 250"}},
		{name: "pattern from a variable",
			lines: []string{`set re "^(\d+)$"`, `regexp "$re" "42" m n`},
			vars:  map[string]string{"n": "42"}},
		{name: "bad pattern from a variable fails at run",
			lines: []string{`set re "("`, `regexp "$re" "x"`},
			err:   "bad regular expression"},
	})
}

func TestArithmetic(t *testing.T) {
	runAll(t, []runCase{
		{name: "add subtract multiply divide",
			lines: []string{`set a 17`, `set b 5`,
				`add $a $b`, `set s $_result`,
				`subtract $a $b`, `set d $_result`,
				`multiply $a -3`, `set m $_result`,
				`divide $a $b`},
			vars: map[string]string{"s": "22", "d": "12", "m": "-51", "_result": "3", "_remainder": "2"}},
		{name: "operands may be variable names",
			lines: []string{`set a 4`, `add a 6`}, vars: map[string]string{"_result": "10"}},
		{name: "divide truncates toward zero",
			lines: []string{`divide -7 2`}, vars: map[string]string{"_result": "-3", "_remainder": "-1"}},
		{name: "divide by zero",
			lines: []string{`divide 1 0`}, err: "division by zero"},
		{name: "not an integer",
			lines: []string{`add 1 x1`}, err: `"x1" is not a long integer`},
		{name: "overflow",
			lines: []string{`add 9223372036854775807 1`}, err: "overflows"},
		{name: "increment and decrement",
			lines: []string{`set i 5`, `increment i`, `increment i 10`, `decrement i 3`, `increment fresh`, `decrement neg 2`},
			vars:  map[string]string{"i": "13", "fresh": "1", "neg": "-2", "_result": "<unset>"}},
		{name: "increment a non-integer",
			lines: []string{`set i abc`, `increment i`}, err: `i is "abc", not a long integer`},
	})
}

func TestStringOps(t *testing.T) {
	type sc struct{ args, want string }
	cases := []sc{
		{`length "héllo"`, "5"},
		{`toupper "abc"`, "ABC"},
		{`tolower "ABC"`, "abc"},
		{`toupper "abcdef" 1 2`, "aBCdef"},
		{`toupper "abcdef" end`, "abcdeF"},
		{`trim "  x y  "`, "x y"},
		{`trim "xxhixx" "x"`, "hi"},
		{`trimleft "  a "`, "a "},
		{`trimright "  a "`, "  a"},
		{`first "b" "abcabc"`, "1"},
		{`first "b" "abcabc" 2`, "4"},
		{`first "z" "abc"`, "-1"},
		{`last "b" "abcabc"`, "4"},
		{`last "b" "abcabc" 3`, "1"},
		{`index "abc" 1`, "b"},
		{`index "abc" end`, "c"},
		{`index "abc" end-2`, "a"},
		{`index "abc" 5`, ""},
		{`range "Gi1/0/5" 2 end`, "1/0/5"},
		{`range "abcdef" 1 1+2`, "bcd"},
		{`range "abc" 2 1`, ""},
		{`range "abc" -5 100`, "abc"},
		{`replace "abcdef" 1 2 "XY"`, "aXYdef"},
		{`replace "abcdef" 1 2`, "adef"},
		{`replace "abc" 2 1 "X"`, "abc"},
		{`match "Gi*/0/?" "Gi1/0/5"`, "1"},
		{`match "Gi[0-9]/*" "Te1/0"`, "0"},
		{`match nocase "GI*" "gi1"`, "1"},
		{`match "Gi[0-9]/*" "Gi1/0"`, "1"},
		{`match "[abc]x" "bx"`, "1"},
		{`match "[abc]x" "dx"`, "0"},
		{`match "?i" "Gi"`, "1"},
		{`match "a[" "a["`, "1"},
		{`match "a\*b" "a*b"`, "1"},
		{`match "*a*a*a*b" "aaaaaaaaaaaaaaaaaaaa"`, "0"},
		{`equal "a" "a"`, "1"},
		{`equal nocase "ABC" "abc"`, "1"},
		{`equal length 2 "abX" "abY"`, "1"},
		{`equal "a" "b"`, "0"},
		{`compare "a" "b"`, "-1"},
		{`compare "b" "a"`, "1"},
		{`compare nocase "A" "a"`, "0"},
		{`compare length 1 "ax" "ay"`, "0"},
		{`equal nocase "nocase"`, "1"}, // two words: both operands
		{`equal "length" "length"`, "1"},
	}
	for _, c := range cases {
		t.Run(c.args, func(t *testing.T) {
			runCase{lines: []string{"string " + c.args}, vars: map[string]string{"_string_result": c.want}}.run(t)
		})
	}
	runAll(t, []runCase{
		{name: "bad index", lines: []string{`string index "abc" x`}, err: `bad index "x"`},
		{name: "operands substituted", lines: []string{`set s "GigabitEthernet1"`, `string length "$s"`},
			vars: map[string]string{"_string_result": "16"}},
	})
}

func TestCounterAndContext(t *testing.T) {
	h := newHost()
	a := parseApplet(t,
		`counter name flaps value 1 op inc`,
		`counter name flaps value 5 op inc`,
		`set keep "$_counter_value_remain"`,
		`set other x`,
		`context save key ctx1 variable "kee*"`)
	res, err := Run(context.Background(), a, Env{}, h)
	if err != nil {
		t.Fatal(err)
	}
	if res.Vars["_counter_value_remain"] != "6" || h.Counter("flaps") != 6 {
		t.Errorf("counter: var %q, state %d; want 6", res.Vars["_counter_value_remain"], h.Counter("flaps"))
	}
	b := parseApplet(t,
		`counter name flaps value 2 op dec`,
		`context retrieve key ctx1`,
		`puts "$keep $other"`,
		`counter name flaps value 0 op set`,
		`counter name flaps op nop`)
	res, err = Run(context.Background(), b, Env{}, h)
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != "6 $other\n" || h.Counter("flaps") != 0 || res.Vars["_counter_value_remain"] != "0" {
		t.Errorf("output %q counter %d vars %v", res.Output, h.Counter("flaps"), res.Vars)
	}
	// A context is retrieved once.
	_, err = Run(context.Background(), parseApplet(t, `context retrieve key ctx1`), Env{}, h)
	if err == nil || !strings.Contains(err.Error(), "no context saved") {
		t.Errorf("second retrieve: %v", err)
	}
}

func TestCounterOpString(t *testing.T) {
	for op, want := range map[CounterOp]string{CounterInc: "inc", CounterDec: "dec", CounterSet: "set",
		CounterNop: "nop", CounterOp(9): "CounterOp(9)"} {
		if op.String() != want {
			t.Errorf("%d: %q, want %q", int(op), op.String(), want)
		}
	}
	if _, err := CounterInc.Apply(math.MaxInt64, 1); err == nil {
		t.Error("no overflow error")
	}
}

func TestUnsupportedRefusedAndUnknownVerbs(t *testing.T) {
	h := newHost()
	a := parseApplet(t, `cli command "show clock"`, `publish-event sub-system 798 type 1 arg1 x`)
	_, err := Run(context.Background(), a, Env{}, h)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "action 0002 publish-event (line 4): action verb `publish-event` is not supported") {
		t.Errorf("publish-event: %v", err)
	}
	if len(h.Calls()) != 0 {
		t.Errorf("ran %q before reporting the error", h.Calls())
	}
	for _, verb := range []string{"cns-event", "force-switchover"} {
		err := Check(parseApplet(t, verb+` msg "x"`))
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "action 0001 "+verb+" (line 3): action verb `"+verb+"` is refused: ") {
			t.Errorf("%s: %v", verb, err)
		}
	}
	b := hand(act("puts", "x"), act("launch-rockets", "now"))
	b.Actions[1].Label = "7.5"
	_, err = Run(context.Background(), b, Env{}, newHost())
	var e *Error
	if !errors.As(err, &e) || e.Label != "7.5" || e.Verb != "launch-rockets" || e.Line != 4 {
		t.Fatalf("launch-rockets: %#v", err)
	}
	if want := "applet H: action 7.5 launch-rockets (line 4): action verb `launch-rockets` is not an EEM action"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestBadArguments(t *testing.T) {
	for _, c := range []struct {
		a    config.AppletAction
		want string
	}{
		{act("cli", "show", "clock"), "usage: cli command"},
		{act("syslog", "priority", "loud", "msg", "x"), `unknown priority "loud"`},
		{act("syslog", "priority", "3"), "missing msg"},
		{act("mail", "server", "h", "to", "a"), "missing from"},
		{act("regexp", "("), "usage: regexp"},
		{act("regexp", "(", "x"), "bad regular expression"},
		{act("set"), "usage: set"},
		{act("set", "a b", "1"), "is not a variable name"},
		{act("add", "1"), "usage: add"},
		{act("increment"), "usage: increment"},
		{act("string", "reverse", "x"), `unknown string operation "reverse"`},
		{act("string", "range", "x", "1"), "string range takes 3 arguments"},
		{act("wait"), "usage: wait"},
		{act("puts"), "usage: puts"},
		{act("counter", "name", "c", "op", "inc"), "missing value"},
		{act("counter", "name", "c", "value", "1", "op", "mul"), `unknown op "mul"`},
		{act("context", "save", "key", "k"), "missing variable"},
		{act("context", "drop"), `unknown "drop"`},
		{act("if", "1", "eq"), "usage: A eq|ne|lt|gt|le|ge B"},
		{act("if", "1", "is", "1", "goto", "9"), `unknown operator "is"`},
		{act("if", "1", "eq", "1", "goto", "nowhere"), "goto nowhere: no action has that label"},
		{act("foreach", "x"), "usage: foreach"},
		{act("exit", "soon"), `exit code "soon" is not an integer`},
		{act("syslog", "msg", "a", "msg", "b"), "msg given twice"},
	} {
		err := Check(hand(c.a))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: %v, want %q", c.a.Verb, c.a.Args, err, c.want)
		}
	}
}

func TestCheckCollectsEveryProblem(t *testing.T) {
	err := Check(hand(act("shout"), act("end"), act("while", "1", "eq", "1")))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Errorf("got %d errors, want 3:\n%v", len(lines), err)
	}
}
