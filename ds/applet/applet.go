package applet

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

// Default limits of a run (see Limits).
const (
	DefaultMaxSteps  = 1_000_000
	DefaultMaxValue  = 16 << 20
	DefaultMaxOutput = 1 << 20
	// MaxDepth is how deeply if/while/foreach blocks may nest.
	MaxDepth = 64
	// MaxPolicyDepth is how deeply "action policy" may nest at run time
	// (a loop Check cannot see, through a variable, ends there).
	MaxPolicyDepth = 8
	// MaxOutcomes caps Result.Actions.
	MaxOutcomes = 256
	// DefaultPrompt is the prompt ending $_cli_result when Env.Prompt is
	// empty: IOS's default hostname.
	DefaultPrompt = "Router#"
)

// Env is what a run starts from.
type Env struct {
	// Vars are the "event manager environment" variables, by name without
	// "$".
	Vars map[string]string
	// Event holds the built-in variables of the event that triggered the
	// run, by name without "$": "_syslog_msg", "_event_type",
	// "_event_pub_sec", "_none_arg1", ...
	Event map[string]string
	// Clock times "action wait" and the applet's maxrun; nil means the
	// wall clock. With a virtual clock, a run in "wait" (or past maxrun)
	// moves on only when another goroutine advances the clock.
	Clock ds.Clock
	// Limits bound the run; zero fields take the defaults.
	Limits Limits
	// Terminal is the vty that ran the applet (`event manager run` of a
	// sync applet): "gets" reads from it and "puts" writes to it. Nil:
	// "gets" fails and "puts" writes to Result.Output.
	Terminal Terminal
	// Prompt ends $_cli_result, as IOS ends it with the exec prompt
	// ("HOSTNAME#"); empty means DefaultPrompt. Unused with a VTY.
	Prompt string
	// VTY, when set, is the session the run's `cli` actions type into, in
	// place of Host.CLI: `enable` and `configure terminal` carry over to
	// the next command, and $_cli_result ends with the session's prompt.
	VTY VTY
	// Applet returns the applet "action policy NAME" runs, nil when none
	// by that name is registered. A nil Applet makes every policy fail.
	Applet func(name string) *config.Applet
	// Trace, when set, is called after each action ran (the daemon's
	// debug log).
	Trace func(Outcome)
}

// VTY is the device's CLI as one session, as an IOS applet's `cli`
// actions share one vty.
type VTY interface {
	// CLI runs one command line and returns what it printed.
	CLI(ctx context.Context, command string) (string, error)
	// Prompt is the session's prompt now ("edge-1>", "edge-1(config)#").
	Prompt() string
}

// Terminal is the vty of a run started by hand: "action gets" reads a
// line from it, "action puts" writes to it.
type Terminal interface {
	// Gets returns the next line typed, without its newline.
	Gets(ctx context.Context) (string, error)
	// Puts writes text as given (puts adds the newline).
	Puts(ctx context.Context, text string) error
}

// Outcome is what one action did.
type Outcome struct {
	Applet string // the applet the action belongs to (a policy's own name)
	Label  string
	Verb   string
	// Err is the action's error; nil when it succeeded.
	Err error
	// Ignored: the error was ignored ("handle-error type ignore") and the
	// run went on, $_error holding ErrorCode(Err).
	Ignored bool
}

// String is "applet NAME action LABEL VERB: ok", or the error.
func (o Outcome) String() string {
	res := "ok"
	if o.Err != nil {
		res = o.Err.Error()
		if o.Ignored {
			res = "ignored " + ErrorCode(o.Err) + ": " + res
		}
	}
	return fmt.Sprintf("applet %s action %s %s: %s", o.Applet, o.Label, o.Verb, res)
}

// Limits bound what one run may consume besides time, so that a runaway
// applet ends with an error instead of taking the daemon down.
type Limits struct {
	// MaxSteps bounds the actions executed (each test of an if, elseif
	// or while and each loop turn counts); 0 means DefaultMaxSteps,
	// negative no bound. IOS needs more than maxrun to run a million
	// actions, so the default only matters on a virtual clock that does
	// not move.
	MaxSteps int
	// MaxValue bounds the bytes of one variable or expanded argument;
	// 0 means DefaultMaxValue.
	MaxValue int
	// MaxOutput bounds the bytes "action puts" writes; 0 means
	// DefaultMaxOutput.
	MaxOutput int
}

func (l Limits) withDefaults() Limits {
	if l.MaxSteps == 0 {
		l.MaxSteps = DefaultMaxSteps
	}
	if l.MaxValue <= 0 {
		l.MaxValue = DefaultMaxValue
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = DefaultMaxOutput
	}
	return l
}

// Result is what a run produced, complete or not.
type Result struct {
	// Output is what "action puts" wrote.
	Output string
	// Exit is the code of "action exit", 0 when the run ended otherwise.
	Exit int
	// Vars are the variables the actions set (by name without "$"),
	// including $_cli_result, $_regexp_result, $_result,
	// $_string_result, $_error and $_exit_status.
	Vars map[string]string
	// Steps counts the actions executed, those of policies included.
	Steps int
	// Actions are the outcomes of the first MaxOutcomes actions executed.
	Actions []Outcome
}

// Check reports what would stop the applet's actions from running: an
// unknown or unsupported verb, wrong arguments, an if/while/foreach without
// its end (or an end, else, elseif, break or continue out of place), nesting
// deeper than MaxDepth, a goto to a missing label. It returns nil or an
// error joining one *Error per problem.
func Check(a *config.Applet) error {
	_, err := compile(a)
	return err
}

// Run executes the applet's actions in the order of a.Actions (the
// configuration sorts them by label as strings, as IOS does) and returns what
// they produced. Nothing runs when Check fails. The run ends at the first
// failing action, at "action exit", or when a.MaxRun (config.DefaultMaxRun
// when unset) has passed on env.Clock, whichever comes first; the Result
// holds what was produced until then, and the error is an *Error naming the
// action (errors.Is(err, ErrMaxRun) for maxrun).
//
// Every argument has its variables substituted before the action runs:
// $name or ${name} is the value set by an earlier action, else the event's
// built-in, else the environment variable; a name none of them defines is
// left as written, as IOS does, and so is a "$" after a backslash. See
// README.md for each verb.
func Run(ctx context.Context, a *config.Applet, env Env, host Host) (Result, error) {
	if a == nil {
		return Result{}, errors.New("applet: nil applet")
	}
	if host == nil {
		return Result{}, fmt.Errorf("applet %s: nil host", a.Name)
	}
	p, err := compile(a)
	if err != nil {
		return Result{}, err
	}
	if env.Clock == nil {
		env.Clock = ds.RealClock{}
	}
	if env.Prompt == "" {
		env.Prompt = DefaultPrompt
	}
	sh := &shared{lim: env.Limits.withDefaults()}
	r := newRun(a, p, env, host, sh, []string{a.Name})
	err = r.start(ctx)
	return Result{Output: sh.out.String(), Exit: r.exit, Vars: maps.Clone(r.vars), Steps: sh.steps,
		Actions: sh.outcomes}, err
}

// newRun prepares a run of a (compiled as p); chain names the applets
// that led to it through "action policy", a itself last.
func newRun(a *config.Applet, p *program, env Env, host Host, sh *shared, chain []string) *run {
	return &run{
		applet: a,
		prog:   p,
		env:    env,
		host:   host,
		clock:  env.Clock,
		lim:    sh.lim,
		sh:     sh,
		chain:  chain,
		vars:   map[string]string{},
		loops:  map[int]*loopState{},
	}
}

// start runs the actions within the applet's maxrun, and closes the
// files they left open.
func (r *run) start(ctx context.Context) error {
	maxrun := r.applet.MaxRun
	if maxrun <= 0 {
		maxrun = config.DefaultMaxRun
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := r.clock.AfterFunc(maxrun, func() {
		cancel(fmt.Errorf("%w: the applet ran for %s", ErrMaxRun, maxrun))
	})
	defer t.Stop()
	defer r.closeFiles()
	return r.exec(ctx)
}
