package applet

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

// fuzzMaxRun is the maxrun of random programs: longer than any wait.
const fuzzMaxRun = 1_000_000 * time.Hour

// instantClock fires the timers of waits at once and never fires maxrun's,
// so random programs neither block nor depend on time.
type instantClock struct{}

func (instantClock) Now() time.Time { return epoch }

func (instantClock) AfterFunc(d time.Duration, f func()) ds.Timer {
	if d < fuzzMaxRun {
		go f()
	}
	return stopped{}
}

type stopped struct{}

func (stopped) Stop() bool { return false }

var (
	fuzzVerbs = []string{"cli", "syslog", "mail", "regexp", "set", "append", "add", "subtract", "multiply",
		"divide", "increment", "decrement", "string", "if", "elseif", "else", "end", "while", "foreach",
		"break", "continue", "wait", "puts", "exit", "comment", "counter", "context", "gets", "bogus"}
	fuzzWords = []string{"command", "pattern", "msg", "priority", "facility", "server", "to", "from", "cc",
		"subject", "body", "name", "value", "op", "inc", "dec", "set", "nop", "save", "retrieve", "key",
		"variable", "*", "eq", "ne", "lt", "gt", "le", "ge", "goto", "1", "0", "-1", "3", "end", "end-1",
		"9223372036854775807", "-9223372036854775808", "x", "i", "$x", "${x}", "$i", "$_cli_result",
		"$_regexp_result", "$", "${", "\\$x", "(a)(b)?", "(", "a*b", "[a-", "\\n", ",", "", " ", "é",
		"length", "range", "index", "first", "last", "match", "equal", "compare", "nocase", "tolower",
		"trim", "replace", "nonewline", "show clock", "x$x$x$x", "critical", "0001", "0003"}
)

// genProgram builds an applet from a stream of choices.
func genProgram(pick func(n int) int) *config.Applet {
	n := 1 + pick(30)
	acts := make([]config.AppletAction, n)
	for i := range acts {
		args := make([]string, pick(7))
		for j := range args {
			args[j] = fuzzWords[pick(len(fuzzWords))]
		}
		acts[i] = act(fuzzVerbs[pick(len(fuzzVerbs))], args...)
	}
	return hand(acts...)
}

// genValid builds an applet whose blocks match and whose verbs get
// plausible arguments, so that most of them run.
func genValid(pick func(n int) int) *config.Applet {
	w := func() string { return fuzzWords[pick(len(fuzzWords))] }
	vars := []string{"x", "i", "_cli_result", "n"}
	v := func() string { return vars[pick(len(vars))] }
	nums := []string{"0", "1", "2", "-3", "$i", "$n", "x", "9223372036854775807"}
	num := func() string { return nums[pick(len(nums))] }
	ops := []string{"eq", "ne", "lt", "gt", "le", "ge"}
	cmp := func() []string { return []string{w(), ops[pick(len(ops))], num()} }
	type open struct {
		verb    string
		sawElse bool
	}
	var stack []open
	inLoop := func() bool {
		for _, o := range stack {
			if o.verb != "if" {
				return true
			}
		}
		return false
	}
	var acts []config.AppletAction
	for n := 1 + pick(40); len(acts) < n; {
		switch pick(22) {
		case 0:
			acts = append(acts, act("cli", "command", []string{"show clock", w()}[pick(2)]))
		case 1:
			acts = append(acts, act("syslog", "priority", []string{"0", "critical", "$i"}[pick(3)], "msg", w()))
		case 2:
			acts = append(acts, act("regexp", []string{"(\\S+) (\\S+)", "(a)(b)?", "^(.*)$", "$x"}[pick(4)], w(), v(), v()))
		case 3:
			acts = append(acts, act([]string{"set", "append"}[pick(2)], v(), w()))
		case 4:
			acts = append(acts, act([]string{"add", "subtract", "multiply", "divide"}[pick(4)], num(), num()))
		case 5:
			acts = append(acts, act([]string{"increment", "decrement"}[pick(2)], v(), num()))
		case 6:
			sub := []string{"length", "toupper", "trim", "range", "index", "first", "match", "equal", "replace"}[pick(9)]
			args := []string{sub, w()}
			switch sub {
			case "range", "replace":
				args = append(args, num(), []string{"end", "end-1", num()}[pick(3)])
			case "index", "first", "match", "equal":
				args = append(args, w())
			}
			acts = append(acts, act("string", args...))
		case 7, 8:
			acts = append(acts, act("if", cmp()...))
			stack = append(stack, open{verb: "if"})
		case 9:
			if len(stack) > 0 && stack[len(stack)-1].verb == "if" && !stack[len(stack)-1].sawElse {
				if pick(2) == 0 {
					acts = append(acts, act("elseif", cmp()...))
				} else {
					acts = append(acts, act("else"))
					stack[len(stack)-1].sawElse = true
				}
			}
		case 10, 11:
			if len(stack) > 0 {
				acts = append(acts, act("end"))
				stack = stack[:len(stack)-1]
			}
		case 12:
			acts = append(acts, act("while", cmp()...))
			stack = append(stack, open{verb: "while"})
		case 13:
			args := []string{v(), []string{"a b c", "$_cli_result", "1,2,,3", ""}[pick(4)]}
			if pick(2) == 0 {
				args = append(args, []string{",", "\\n", "\\s+", "("}[pick(4)])
			}
			acts = append(acts, act("foreach", args...))
			stack = append(stack, open{verb: "foreach"})
		case 14:
			if inLoop() {
				acts = append(acts, act([]string{"break", "continue"}[pick(2)]))
			}
		case 15:
			acts = append(acts, act("wait", []string{"0", "1", "$i"}[pick(3)]))
		case 16:
			acts = append(acts, act("puts", w()))
		case 17:
			if pick(4) == 0 {
				acts = append(acts, act("exit", num()))
			}
		case 18:
			acts = append(acts, act("counter", "name", "c", "value", num(), "op", []string{"inc", "dec", "set", "nop"}[pick(4)]))
		case 19:
			if pick(2) == 0 {
				acts = append(acts, act("context", "save", "key", "k", "variable", "*"))
			} else {
				acts = append(acts, act("context", "retrieve", "key", "k"))
			}
		case 20:
			acts = append(acts, act("increment", "i"))
		case 21:
			acts = append(acts, act("mail", "server", "h", "to", w(), "from", "f", "subject", w(), "body", "$_cli_result"))
		}
	}
	for range stack {
		acts = append(acts, act("end"))
	}
	return hand(acts...)
}

func checkNoPanic(t *testing.T, a *config.Applet) {
	t.Helper()
	h := newHost()
	h.output["show clock"] = "12:00:00.000 UTC Wed May 1 2024\nx y z\n"
	env := Env{
		Event:  map[string]string{"_syslog_msg": "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"},
		Clock:  instantClock{},
		Limits: Limits{MaxSteps: 2000, MaxValue: 64 << 10, MaxOutput: 64 << 10},
	}
	a.MaxRun = fuzzMaxRun
	checkErr := Check(a)
	_, err := Run(context.Background(), a, env, h)
	if checkErr != nil {
		if err == nil || err.Error() != checkErr.Error() {
			t.Fatalf("Check: %v\nRun: %v", checkErr, err)
		}
		if len(h.Calls()) != 0 {
			t.Fatalf("ran %q though Check failed", h.Calls())
		}
		return
	}
	var e *Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("Run error %T %v is not an *Error", err, err)
	}
}

func TestRandomProgramsNeverPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	runs, ok := 3000, 0
	if testing.Short() {
		runs = 300
	}
	for k := range runs {
		a := genProgram(rng.IntN)
		if k%2 == 1 {
			a = genValid(rng.IntN)
		}
		checkNoPanic(t, a)
		if Check(a) == nil {
			ok++
		}
	}
	t.Logf("%d of %d random programs passed Check", ok, runs)
}

func FuzzRun(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03"))
	f.Add([]byte("\x05\x12\x07\x2a\x10\x00\x13\x02\x1e\x1f\x20"))
	f.Add([]byte("some longer seed that walks through many verbs and words at random"))
	f.Fuzz(func(t *testing.T, data []byte) {
		i := 0
		pick := func(n int) int {
			if i >= len(data) {
				return 0
			}
			i++
			return int(data[i-1]) % n
		}
		if len(data) > 0 && data[0]&1 == 1 {
			checkNoPanic(t, genValid(pick))
			return
		}
		checkNoPanic(t, genProgram(pick))
	})
}
