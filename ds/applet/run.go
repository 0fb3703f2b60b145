package applet

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

// run is one execution of an applet (or of a policy it runs).
type run struct {
	ctx    context.Context
	applet *config.Applet
	prog   *program
	env    Env
	host   Host
	clock  ds.Clock
	lim    Limits
	sh     *shared
	chain  []string          // the applets of the policy chain, this one last
	vars   map[string]string // set by actions
	loops  map[int]*loopState
	exit   int
	ignore bool                      // handle-error type ignore
	res    map[string]*regexp.Regexp // compiled patterns, by text
	files  map[string]*openFile      // by descriptor
	nextFD int
}

// shared is what a run and the policies it runs share.
type shared struct {
	lim      Limits
	out      strings.Builder
	steps    int
	outcomes []Outcome
}

// loopState is a foreach in progress, keyed by the foreach's index.
type loopState struct {
	items []string
	pos   int
}

// exec runs the program from its first action.
func (r *run) exec(ctx context.Context) error {
	r.ctx = ctx
	ops := r.prog.ops
	for pc := 0; pc < len(ops); {
		o := &ops[pc]
		if err := r.step(); err != nil {
			return r.fail(o, err)
		}
		next, done, err := r.do(pc)
		if err != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			}
			failed := &ops[next]
			// handle-error type ignore: a failed simple action leaves
			// its code in $_error and the run goes on.
			if r.ignore && failed.kind == kSimple && !fatal(err) {
				r.trace(failed, err, true)
				r.vars["_error"] = ErrorCode(err)
				pc = next + 1
				continue
			}
			r.trace(failed, err, false)
			return r.fail(failed, err)
		}
		r.trace(o, nil, false)
		if done {
			return nil
		}
		pc = next
	}
	return nil
}

// trace records what an action did and hands it to Env.Trace.
func (r *run) trace(o *op, err error, ignored bool) {
	out := Outcome{Applet: r.applet.Name, Label: o.act.Label, Verb: o.act.Verb, Err: err, Ignored: ignored}
	if len(r.sh.outcomes) < MaxOutcomes {
		r.sh.outcomes = append(r.sh.outcomes, out)
	}
	if r.env.Trace != nil {
		r.env.Trace(out)
	}
}

// step counts an action and checks that the run may go on.
func (r *run) step() error {
	if r.ctx.Err() != nil {
		return context.Cause(r.ctx)
	}
	r.sh.steps++
	if r.lim.MaxSteps > 0 && r.sh.steps > r.lim.MaxSteps {
		return fmt.Errorf("%w (%d)", ErrMaxSteps, r.lim.MaxSteps)
	}
	return nil
}

func (r *run) fail(o *op, err error) error {
	return &Error{Applet: r.applet.Name, Label: o.act.Label, Verb: o.act.Verb, Line: o.act.Line, Err: err}
}

// do runs the action at pc and returns where to go on. On error, next is
// the index of the action that failed (an elseif may fail after its if).
func (r *run) do(pc int) (next int, done bool, err error) {
	ops := r.prog.ops
	o := &ops[pc]
	switch o.kind {
	case kSimple:
		if err := o.do(r); err != nil {
			return pc, false, err
		}
		return pc + 1, false, nil
	case kIf:
		ok, err := r.test(o.cond)
		if err != nil {
			return pc, false, err
		}
		if o.target >= 0 {
			if ok {
				return o.target, false, nil
			}
			return pc + 1, false, nil
		}
		if ok {
			return pc + 1, false, nil
		}
		// Try the elseifs in turn, then the else.
		for j := o.next; ; j = ops[j].next {
			switch ops[j].kind {
			case kElseif:
				if err := r.step(); err != nil {
					return j, false, err
				}
				ok, err := r.test(ops[j].cond)
				if err != nil {
					return j, false, err
				}
				if ok {
					return j + 1, false, nil
				}
			default: // else, end
				return j + 1, false, nil
			}
		}
	case kElseif, kElse:
		// Reached by finishing the branch before it: leave the if.
		return o.end + 1, false, nil
	case kWhile:
		ok, err := r.test(o.cond)
		if err != nil {
			return pc, false, err
		}
		if ok {
			return pc + 1, false, nil
		}
		return o.end + 1, false, nil
	case kForeach:
		return r.foreach(pc)
	case kEnd:
		switch ops[o.open].kind {
		case kWhile:
			return o.open, false, nil
		case kForeach:
			return r.nextItem(o.open), false, nil
		}
		return pc + 1, false, nil
	case kBreak:
		delete(r.loops, o.open)
		return ops[o.open].end + 1, false, nil
	case kContinue:
		if ops[o.open].kind == kWhile {
			return o.open, false, nil
		}
		return r.nextItem(o.open), false, nil
	case kExit:
		code := 0
		if o.code != "" {
			s, err := r.expand(o.code)
			if err != nil {
				return pc, false, err
			}
			if code, err = strconv.Atoi(strings.TrimSpace(s)); err != nil {
				return pc, false, fmt.Errorf("exit code %q is not an integer", s)
			}
		}
		r.exit = code
		return pc, true, r.set("_exit_status", strconv.Itoa(code))
	}
	return pc, false, fmt.Errorf("internal error: action kind %d", o.kind)
}

// foreach starts the loop at pc: the list split at the delimiter (a
// regular expression; runs of blanks by default), empty items dropped.
func (r *run) foreach(pc int) (int, bool, error) {
	o := &r.prog.ops[pc]
	list, err := r.expand(o.list)
	if err != nil {
		return pc, false, err
	}
	var items []string
	if o.delim == "" {
		items = strings.Fields(list)
	} else {
		d, err := r.expand(o.delim)
		if err != nil {
			return pc, false, err
		}
		re, err := r.regexp(d)
		if err != nil {
			return pc, false, fmt.Errorf("delimiter: %w", err)
		}
		for _, it := range re.Split(list, -1) {
			if it != "" {
				items = append(items, it)
			}
		}
	}
	if len(items) == 0 {
		delete(r.loops, pc)
		return o.end + 1, false, nil
	}
	r.loops[pc] = &loopState{items: items}
	return pc + 1, false, r.set(o.iter, items[0])
}

// nextItem moves the foreach at open to its next item and returns where
// the run goes on.
func (r *run) nextItem(open int) int {
	o := &r.prog.ops[open]
	l := r.loops[open]
	if l == nil { // entered by a goto, not through the foreach
		return o.end + 1
	}
	l.pos++
	if l.pos >= len(l.items) {
		delete(r.loops, open)
		return o.end + 1
	}
	r.vars[o.iter] = l.items[l.pos]
	return open + 1
}

// test evaluates a condition: numerically when both sides are long
// integers, else comparing the strings byte by byte.
func (r *run) test(c cond) (bool, error) {
	a, err := r.expand(c.a)
	if err != nil {
		return false, err
	}
	b, err := r.expand(c.b)
	if err != nil {
		return false, err
	}
	var cmp int
	x, errA := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	y, errB := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	switch {
	case errA == nil && errB == nil && x < y:
		cmp = -1
	case errA == nil && errB == nil && x > y:
		cmp = 1
	case errA == nil && errB == nil:
		cmp = 0
	default:
		cmp = strings.Compare(a, b)
	}
	switch c.op {
	case "eq":
		return cmp == 0, nil
	case "ne":
		return cmp != 0, nil
	case "lt":
		return cmp < 0, nil
	case "gt":
		return cmp > 0, nil
	case "le":
		return cmp <= 0, nil
	case "ge":
		return cmp >= 0, nil
	}
	return false, fmt.Errorf("unknown operator %q", c.op)
}

// wait pauses for d on the run's clock, or until the run's context ends.
func (r *run) wait(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	done := make(chan struct{})
	t := r.clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-r.ctx.Done():
		t.Stop()
		return context.Cause(r.ctx)
	}
}

// lookup returns a variable: set by an action, else the event's built-in,
// else the environment's.
func (r *run) lookup(name string) (string, bool) {
	if v, ok := r.vars[name]; ok {
		return v, true
	}
	if v, ok := r.env.Event[name]; ok {
		return v, true
	}
	v, ok := r.env.Vars[name]
	return v, ok
}

// set sets a variable, within the size limit.
func (r *run) set(name, value string) error {
	if len(value) > r.lim.MaxValue {
		return fmt.Errorf("%s would be longer than %d bytes", name, r.lim.MaxValue)
	}
	r.vars[name] = value
	return nil
}

// integer reads an arithmetic operand: a long integer after substitution,
// or the name of a variable holding one.
func (r *run) integer(arg string) (int64, error) {
	s, err := r.expand(arg)
	if err != nil {
		return 0, err
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return n, nil
	}
	if validName(s) {
		if v, ok := r.lookup(s); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n, nil
			}
			return 0, fmt.Errorf("%s is %q, not a long integer", s, v)
		}
	}
	if name := unsetRef(s); name != "" {
		return 0, unsetError(name)
	}
	return 0, fmt.Errorf("%q is not a long integer", s)
}

// unsetRef returns the first variable s still refers to after
// substitution (one nothing set), "" when none.
func unsetRef(s string) string {
	for j := strings.IndexByte(s, '$'); j >= 0; {
		if name, _ := refAt(s, j); name != "" {
			return name
		}
		k := strings.IndexByte(s[j+1:], '$')
		if k < 0 {
			return ""
		}
		j += 1 + k
	}
	return ""
}

// unsetError is the error of an action that needs a variable nothing set
// (IOS: FMPD_UNKNOWN_ENV, $_error FH_EMEMORY).
func unsetError(name string) error {
	return withCode(CodeMemory, fmt.Errorf("could not find variable $%s: set it before this action", name))
}

// maxPattern bounds the length of a regular expression, after
// substitution.
const maxPattern = 64 << 10

// maxCached bounds the patterns a run keeps compiled.
const maxCached = 64

// regexp compiles a pattern (RE2 syntax, which covers the Tcl regular
// expressions applets use), caching it for loops.
func (r *run) regexp(pattern string) (*regexp.Regexp, error) {
	if re, ok := r.res[pattern]; ok {
		return re, nil
	}
	if len(pattern) > maxPattern {
		return nil, fmt.Errorf("regular expression longer than %d bytes", maxPattern)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression %q: %w", pattern, err)
	}
	if r.res == nil || len(r.res) >= maxCached {
		r.res = map[string]*regexp.Regexp{}
	}
	r.res[pattern] = re
	return re, nil
}

// checkRegexp compiles a pattern that has no variables, to report a bad
// one before the run.
func checkRegexp(pattern string) error {
	if hasVarRef(pattern) {
		return nil
	}
	if _, err := regexp.Compile(pattern); err != nil {
		return fmt.Errorf("bad regular expression %q: %w", pattern, err)
	}
	return nil
}
