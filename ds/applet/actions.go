package applet

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// unsupported are IOS applet verbs dsengine accepts in a configuration but
// does not run.
var unsupported = []string{"policy-maxrun", "publish-event", "snmp-object-value", "track"}

// refused are IOS applet verbs that act on what a Linux host has not: a
// CNS event gateway, a standby supervisor.
var refused = map[string]string{
	"cns-event":        "dsengine has no CNS event gateway; use action syslog or action mail",
	"force-switchover": "a Linux host has no standby supervisor to switch to; use action reload",
}

// compileSimple checks the arguments of an action that does not change the
// flow of the run and returns what runs it.
func compileSimple(verb string, args []string) (func(r *run) error, error) {
	switch verb {
	case "cli":
		return compileCLI(args)
	case "syslog":
		return compileSyslog(args)
	case "mail":
		return compileMail(args)
	case "regexp":
		return compileRegexp(args)
	case "set", "append":
		return compileSet(verb, args)
	case "add", "subtract", "multiply", "divide":
		return compileArith(verb, args)
	case "increment", "decrement":
		return compileIncrement(verb, args)
	case "string":
		return compileString(args)
	case "wait":
		return compileWait(args)
	case "puts":
		return compilePuts(args)
	case "gets":
		return compileGets(args)
	case "comment":
		return func(*run) error { return nil }, nil
	case "counter":
		return compileCounter(args)
	case "context":
		return compileContext(args)
	case "info":
		return compileInfo(args)
	case "snmp-trap":
		return compileSNMPTrap(args)
	case "handle-error":
		return compileHandleError(args)
	case "policy":
		return compilePolicy(args)
	case "reload":
		return compileReload(args)
	case "file":
		return compileFile(args)
	}
	if why, ok := refused[verb]; ok {
		return nil, fmt.Errorf("action verb `%s` is %w: %s", verb, ErrRefused, why)
	}
	if slices.Contains(unsupported, verb) {
		return nil, fmt.Errorf("action verb `%s` is %w by dsengine", verb, ErrUnsupported)
	}
	return nil, fmt.Errorf("action verb `%s` is not an EEM action", verb)
}

// keywords reads "KEY VALUE KEY VALUE ..." for the given keys (any order,
// keys case-insensitive). The word after a key is its value whatever it
// is; further words up to the next key are joined to the value with
// blanks, so an unquoted text reads as one.
func keywords(args []string, keys ...string) (map[string]string, error) {
	m := map[string]string{}
	cur := ""
	for i := 0; i < len(args); i++ {
		k := strings.ToLower(args[i])
		if !slices.Contains(keys, k) {
			if cur == "" {
				return nil, fmt.Errorf("unexpected %q; expected %s", args[i], strings.Join(keys, ", "))
			}
			m[cur] += " " + args[i]
			continue
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%s given twice", k)
		}
		if i+1 == len(args) {
			return nil, fmt.Errorf("%s needs a value", k)
		}
		i++
		m[k], cur = args[i], k
	}
	return m, nil
}

func require(m map[string]string, keys ...string) error {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return fmt.Errorf("missing %s", k)
		}
	}
	return nil
}

// cli command "CMD" [pattern "RE"]: runs CMD; $_cli_result is its output
// followed by the prompt, as IOS returns it. With a pattern (IOS waits for
// it instead of the prompt: a question such as "[confirm]"),
// $_cli_result is the output up to the end of the pattern; the executor
// runs each command to its end, so a pattern not in the output is an
// error. `cli command ""` sends an empty line, which accepts a question's
// default answer: $_cli_result is the prompt. A command that fails puts
// its error in $_cli_result and the run goes on, as on IOS.
func compileCLI(args []string) (func(r *run) error, error) {
	usage := errors.New(`usage: cli command "COMMAND" [pattern "REGEXP"]`)
	if len(args) < 2 || !strings.EqualFold(args[0], "command") {
		return nil, usage
	}
	m, err := keywords(args, "command", "pattern")
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, usage)
	}
	pattern, hasPattern := m["pattern"]
	if hasPattern {
		if err := checkRegexp(pattern); err != nil {
			return nil, err
		}
	}
	return func(r *run) error {
		cmd, err := r.expand(m["command"])
		if err != nil {
			return err
		}
		prompt, run := func() string { return r.env.Prompt }, r.host.CLI
		if r.env.VTY != nil {
			prompt, run = r.env.VTY.Prompt, r.env.VTY.CLI
		}
		if strings.TrimSpace(cmd) == "" {
			return r.set("_cli_result", prompt())
		}
		out, cliErr := run(r.ctx, cmd)
		if r.ctx.Err() != nil {
			return context.Cause(r.ctx)
		}
		if cliErr != nil {
			if out != "" && !strings.HasSuffix(out, "\n") {
				out += "\n"
			}
			return r.set("_cli_result", out+"% "+cliErr.Error()+"\n"+prompt())
		}
		if !hasPattern {
			if out != "" && !strings.HasSuffix(out, "\n") {
				out += "\n"
			}
			return r.set("_cli_result", out+prompt())
		}
		pat, err := r.expand(pattern)
		if err != nil {
			return err
		}
		re, err := r.regexp(pat)
		if err != nil {
			return err
		}
		// The prompt is part of what the pattern may wait for, as on IOS
		// (`pattern "#"`).
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		out += prompt()
		loc := re.FindStringIndex(out)
		if loc == nil {
			r.set("_cli_result", out)
			return fmt.Errorf("cli %q: pattern %q is not in the output (the command ran to its end without asking)", cmd, re.String())
		}
		return r.set("_cli_result", out[:loc[1]])
	}, nil
}

// severities are the IOS logging level names, by number.
var severities = []string{"emergencies", "alerts", "critical", "errors", "warnings", "notifications",
	"informational", "debugging"}

// severityAliases are the syslog(3) names, accepted too.
var severityAliases = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

func parseSeverity(s string) (int, error) {
	k := strings.ToLower(s)
	if i := slices.Index(severities, k); i >= 0 {
		return i, nil
	}
	if i := slices.Index(severityAliases, k); i >= 0 {
		return i, nil
	}
	if n, err := strconv.Atoi(k); err == nil && n >= 0 && n <= 7 {
		return n, nil
	}
	return 0, fmt.Errorf("unknown priority %q; expected 0-7 or %s", s, strings.Join(severities, ", "))
}

// syslog [priority P] msg "TEXT" [facility F]: logs
// %F-<sev>-LOG: <applet>: TEXT, F being HA_EM and the priority
// informational (6) unless given, as IOS does.
func compileSyslog(args []string) (func(r *run) error, error) {
	m, err := keywords(args, "priority", "msg", "facility")
	if err != nil {
		return nil, err
	}
	if err := require(m, "msg"); err != nil {
		return nil, fmt.Errorf(`%w: usage: syslog [priority LEVEL] msg "TEXT" [facility NAME]`, err)
	}
	prio, hasPrio := m["priority"]
	if hasPrio && !strings.Contains(prio, "$") {
		if _, err := parseSeverity(prio); err != nil {
			return nil, err
		}
	}
	return func(r *run) error {
		sev := 6
		if hasPrio {
			p, err := r.expand(prio)
			if err != nil {
				return err
			}
			if sev, err = parseSeverity(p); err != nil {
				return err
			}
		}
		facility := "HA_EM"
		if f, ok := m["facility"]; ok {
			var err error
			if facility, err = r.expand(f); err != nil {
				return err
			}
		}
		msg, err := r.expand(m["msg"])
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%%%s-%d-LOG: %s: %s", facility, sev, r.applet.Name, msg)
		if err := r.host.Syslog(r.ctx, sev, line); err != nil {
			return fmt.Errorf("syslog: %w", err)
		}
		return nil
	}, nil
}

// mail server "H" to "A" from "A" [cc "A"] subject "S" body "B".
func compileMail(args []string) (func(r *run) error, error) {
	m, err := keywords(args, "server", "to", "from", "cc", "subject", "body")
	if err != nil {
		return nil, err
	}
	if err := require(m, "server", "to", "from", "subject", "body"); err != nil {
		return nil, fmt.Errorf(`%w: usage: mail server HOST to ADDR from ADDR [cc ADDR] subject "TEXT" body "TEXT"`, err)
	}
	return func(r *run) error {
		var mail Mail
		for _, f := range []struct {
			key string
			dst *string
		}{{"server", &mail.Server}, {"to", &mail.To}, {"from", &mail.From}, {"cc", &mail.Cc},
			{"subject", &mail.Subject}, {"body", &mail.Body}} {
			v, err := r.expand(m[f.key])
			if err != nil {
				return err
			}
			*f.dst = v
		}
		if err := r.host.Mail(r.ctx, mail); err != nil {
			return fmt.Errorf("mail to %s: %w", mail.To, err)
		}
		return nil
	}, nil
}

// regexp "RE" "INPUT" [MATCH [SUB1 [SUB2 [SUB3]]]]: $_regexp_result is 1
// when RE matches INPUT, else 0. On a match the named variables get the
// match and the first three parenthesised submatches ("" for a group that
// did not take part); on no match they are left as they were, as in Tcl.
func compileRegexp(args []string) (func(r *run) error, error) {
	if len(args) < 2 || len(args) > 6 {
		return nil, errors.New(`usage: regexp "PATTERN" "INPUT" [MATCH-VAR [SUBMATCH-VAR ...up to 3]]`)
	}
	if err := checkRegexp(args[0]); err != nil {
		return nil, err
	}
	var names []string
	for _, a := range args[2:] {
		n, err := varName(a)
		if err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return func(r *run) error {
		pat, err := r.expand(args[0])
		if err != nil {
			return err
		}
		re, err := r.regexp(pat)
		if err != nil {
			return err
		}
		in, err := r.expand(args[1])
		if err != nil {
			return err
		}
		m := re.FindStringSubmatch(in)
		if m == nil {
			return r.set("_regexp_result", "0")
		}
		for i, n := range names {
			v := ""
			if i < len(m) {
				v = m[i]
			}
			if err := r.set(n, v); err != nil {
				return err
			}
		}
		return r.set("_regexp_result", "1")
	}, nil
}

// set VAR VALUE sets a variable; append VAR [VALUE] adds VALUE to its end
// (an unset variable counts as empty).
func compileSet(verb string, args []string) (func(r *run) error, error) {
	if len(args) < 2 && !(verb == "append" && len(args) == 1) {
		return nil, fmt.Errorf("usage: %s VARIABLE VALUE", verb)
	}
	name, err := varName(args[0])
	if err != nil {
		return nil, err
	}
	value := strings.Join(args[1:], " ")
	return func(r *run) error {
		v, err := r.expand(value)
		if err != nil {
			return err
		}
		if verb == "append" {
			old, _ := r.vars[name]
			if len(old)+len(v) > r.lim.MaxValue {
				return fmt.Errorf("%s would be longer than %d bytes", name, r.lim.MaxValue)
			}
			v = old + v
		}
		return r.set(name, v)
	}, nil
}

// add|subtract|multiply|divide A B: $_result is A op B in long integers;
// divide truncates toward zero and puts the remainder in $_remainder. A
// and B are integers, after substitution, or names of variables holding
// integers.
func compileArith(verb string, args []string) (func(r *run) error, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("usage: %s A B (long integers or variables)", verb)
	}
	return func(r *run) error {
		a, err := r.integer(args[0])
		if err != nil {
			return err
		}
		b, err := r.integer(args[1])
		if err != nil {
			return err
		}
		var res int64
		switch verb {
		case "add":
			res, err = addInt(a, b)
		case "subtract":
			res, err = subInt(a, b)
		case "multiply":
			res, err = mulInt(a, b)
		case "divide":
			var rem int64
			res, rem, err = divInt(a, b)
			if err == nil {
				err = r.set("_remainder", strconv.FormatInt(rem, 10))
			}
		}
		if err != nil {
			return err
		}
		return r.set("_result", strconv.FormatInt(res, 10))
	}, nil
}

// increment|decrement VAR [N]: changes the variable itself by N (1 by
// default); an unset variable counts as 0, as Tcl's incr does.
func compileIncrement(verb string, args []string) (func(r *run) error, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("usage: %s VARIABLE [N]", verb)
	}
	name, err := varName(args[0])
	if err != nil {
		return nil, err
	}
	return func(r *run) error {
		by := int64(1)
		if len(args) == 2 {
			var err error
			if by, err = r.integer(args[1]); err != nil {
				return err
			}
		}
		var old int64
		if v, ok := r.lookup(name); ok {
			var err error
			if old, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
				return fmt.Errorf("%s is %q, not a long integer", name, v)
			}
		}
		var n int64
		if verb == "increment" {
			n, err = addInt(old, by)
		} else {
			n, err = subInt(old, by)
		}
		if err != nil {
			return err
		}
		return r.set(name, strconv.FormatInt(n, 10))
	}, nil
}

// maxWait bounds "action wait" (IOS takes up to 2^31-1 seconds).
const maxWait = 1<<31 - 1

// wait SECONDS: pauses the run on the clock.
func compileWait(args []string) (func(r *run) error, error) {
	if len(args) != 1 {
		return nil, errors.New("usage: wait SECONDS")
	}
	return func(r *run) error {
		s, err := r.expand(args[0])
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 || n > maxWait {
			return fmt.Errorf("wait %q: expected 0 to %d seconds", s, maxWait)
		}
		return r.wait(time.Duration(n) * time.Second)
	}, nil
}

// puts [nonewline] TEXT: writes TEXT and a newline to the terminal that
// ran the applet, or else to the output.
func compilePuts(args []string) (func(r *run) error, error) {
	nl := "\n"
	if len(args) > 1 && strings.EqualFold(args[0], "nonewline") {
		nl, args = "", args[1:]
	}
	if len(args) == 0 {
		return nil, errors.New(`usage: puts [nonewline] "TEXT"`)
	}
	text := strings.Join(args, " ")
	return func(r *run) error {
		s, err := r.expand(text)
		if err != nil {
			return err
		}
		if t := r.env.Terminal; t != nil {
			if err := t.Puts(r.ctx, s+nl); err != nil {
				return fmt.Errorf("puts: the terminal: %w", err)
			}
			return nil
		}
		out := &r.sh.out
		if out.Len()+len(s)+len(nl) > r.lim.MaxOutput {
			return fmt.Errorf("output would exceed %d bytes", r.lim.MaxOutput)
		}
		out.WriteString(s)
		out.WriteString(nl)
		return nil
	}, nil
}

// gets VAR: reads a line from the terminal that ran the applet into VAR.
func compileGets(args []string) (func(r *run) error, error) {
	if len(args) != 1 {
		return nil, errors.New("usage: gets VARIABLE")
	}
	name, err := varName(args[0])
	if err != nil {
		return nil, err
	}
	return func(r *run) error {
		t := r.env.Terminal
		if t == nil {
			return ErrNoTerminal
		}
		line, err := t.Gets(r.ctx)
		if err != nil {
			if r.ctx.Err() != nil {
				return context.Cause(r.ctx)
			}
			return fmt.Errorf("gets: the terminal: %w", err)
		}
		return r.set(name, strings.TrimRight(line, "\r\n"))
	}, nil
}

// handle-error type ignore|exit: what a failing action does from here on:
// end the run (exit, the default), or set $_error to its IOS code and go
// on (ignore).
func compileHandleError(args []string) (func(r *run) error, error) {
	if len(args) != 2 || !strings.EqualFold(args[0], "type") {
		return nil, errors.New("usage: handle-error type ignore|exit")
	}
	var ignore bool
	switch strings.ToLower(args[1]) {
	case "ignore":
		ignore = true
	case "exit":
	default:
		return nil, fmt.Errorf("handle-error type %q: expected ignore or exit", args[1])
	}
	return func(r *run) error {
		r.ignore = ignore
		return nil
	}, nil
}

// reload: reloads the device through the Host.
func compileReload(args []string) (func(r *run) error, error) {
	if len(args) != 0 {
		return nil, fmt.Errorf("reload takes no arguments, not %q", strings.Join(args, " "))
	}
	return func(r *run) error { return r.host.Reload(r.ctx) }, nil
}

// counter name NAME value N op inc|dec|set|nop: changes a counter kept by
// the Host across runs; $_counter_value_remain is its new value.
func compileCounter(args []string) (func(r *run) error, error) {
	m, err := keywords(args, "name", "value", "op")
	if err != nil {
		return nil, err
	}
	usage := "usage: counter name NAME value N op inc|dec|set|nop"
	if err := require(m, "name", "op"); err != nil {
		return nil, fmt.Errorf("%w: %s", err, usage)
	}
	var op CounterOp
	switch strings.ToLower(m["op"]) {
	case "inc", "increment":
		op = CounterInc
	case "dec", "decrement":
		op = CounterDec
	case "set":
		op = CounterSet
	case "nop":
		op = CounterNop
	default:
		return nil, fmt.Errorf("unknown op %q; %s", m["op"], usage)
	}
	value, hasValue := m["value"]
	if !hasValue && op != CounterNop {
		return nil, fmt.Errorf("missing value: %s", usage)
	}
	return func(r *run) error {
		name, err := r.expand(m["name"])
		if err != nil {
			return err
		}
		var v int64
		if hasValue {
			if v, err = r.integer(value); err != nil {
				return err
			}
		}
		n, err := r.host.UpdateCounter(r.ctx, name, op, v)
		if err != nil {
			return fmt.Errorf("counter %s: %w", name, err)
		}
		return r.set("_counter_value_remain", strconv.FormatInt(n, 10))
	}, nil
}

// context save key KEY variable PATTERN saves the variables whose names
// match the glob PATTERN (those the actions set and the event's built-ins);
// context retrieve key KEY [variable PATTERN] sets them again (those
// matching PATTERN, all by default) and forgets the saved context. Retrieving
// a context that is not saved is an error.
func compileContext(args []string) (func(r *run) error, error) {
	usage := "usage: context save key KEY variable PATTERN | context retrieve key KEY [variable PATTERN]"
	if len(args) == 0 {
		return nil, errors.New(usage)
	}
	sub := strings.ToLower(args[0])
	if sub != "save" && sub != "retrieve" {
		return nil, fmt.Errorf("unknown %q; %s", args[0], usage)
	}
	m, err := keywords(args[1:], "key", "variable")
	if err != nil {
		return nil, err
	}
	need := []string{"key"}
	if sub == "save" {
		need = append(need, "variable")
	}
	if err := require(m, need...); err != nil {
		return nil, fmt.Errorf("%w: %s", err, usage)
	}
	return func(r *run) error {
		key, err := r.expand(m["key"])
		if err != nil {
			return err
		}
		pattern := "*"
		if p, ok := m["variable"]; ok {
			if pattern, err = r.expand(p); err != nil {
				return err
			}
		}
		if sub == "save" {
			vars := map[string]string{}
			for _, src := range []map[string]string{r.env.Event, r.vars} {
				for k, v := range src {
					ok, err := globMatch(r.ctx, pattern, k, false)
					if err != nil {
						return err
					}
					if ok {
						vars[k] = v
					}
				}
			}
			if err := r.host.ContextSave(r.ctx, key, vars); err != nil {
				return fmt.Errorf("context save %s: %w", key, err)
			}
			return nil
		}
		vars, ok, err := r.host.ContextRetrieve(r.ctx, key)
		if err != nil {
			return fmt.Errorf("context retrieve %s: %w", key, err)
		}
		if !ok {
			return withCode(CodeNoSuchKey, fmt.Errorf("context retrieve %s: no context saved under that key", key))
		}
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			ok, err := globMatch(r.ctx, pattern, k, false)
			if err != nil {
				return err
			}
			if ok && validName(k) {
				if err := r.set(k, vars[k]); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}
