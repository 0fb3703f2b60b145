package applet

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

// policy NAME: runs the applet NAME (one registered with "event none")
// to its end, inside this run: it starts with this run's built-ins and
// the $_ variables set so far as its own built-ins, writes to the same
// output, and its exit code becomes $_exit_status here. Its error is
// this action's.
func compilePolicy(args []string) (func(r *run) error, error) {
	if len(args) != 1 {
		return nil, errors.New("usage: policy APPLET-NAME")
	}
	return func(r *run) error {
		name, err := r.expand(args[0])
		if err != nil {
			return err
		}
		return r.policy(name)
	}, nil
}

func (r *run) policy(name string) error {
	chain := append(slices.Clone(r.chain), name)
	if len(chain) > MaxPolicyDepth+1 {
		return fmt.Errorf("%w: %s (at most %d)", ErrPolicyDepth, strings.Join(chain, " → "), MaxPolicyDepth)
	}
	var target *config.Applet
	if r.env.Applet != nil {
		target = r.env.Applet(name)
	}
	if target == nil || !hasEventNone(target) {
		return withCode(CodeNoSuchEID, fmt.Errorf("policy %s: no applet %s is registered with event none", name, name))
	}
	p, err := compile(target)
	if err != nil {
		return fmt.Errorf("policy %s: %w", name, err)
	}
	env := r.env
	env.Event = maps.Clone(r.env.Event)
	if env.Event == nil {
		env.Event = map[string]string{}
	}
	for k, v := range r.vars {
		if strings.HasPrefix(k, "_") {
			env.Event[k] = v
		}
	}
	child := newRun(target, p, env, r.host, r.sh, chain)
	err = child.start(r.ctx)
	if serr := r.set("_exit_status", strconv.Itoa(child.exit)); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("policy %s: %w", name, err)
	}
	return nil
}

func hasEventNone(a *config.Applet) bool {
	return slices.ContainsFunc(a.Events, func(e ds.Event) bool { return e.Type == ds.EventNone })
}

// CheckConfig checks every applet as Check does, and the "action policy"
// lines between them: a policy named as written (without a variable) must
// be an applet of aps with "event none", and no chain of policies may lead
// back to an applet on it (A → B → A). It returns the errors by applet
// name, each joining one *Error per problem; applets without problems are
// absent. An applet refused here must not run, so that `config check` and
// the daemon agree.
func CheckConfig(aps []*config.Applet) map[string]error {
	errs := map[string][]error{}
	byName := map[string]*config.Applet{}
	for _, a := range aps {
		byName[a.Name] = a
		if err := Check(a); err != nil {
			// flat, one *Error each, as callers unjoin one level
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs[a.Name] = append(errs[a.Name], j.Unwrap()...)
			} else {
				errs[a.Name] = append(errs[a.Name], err)
			}
		}
	}
	// edges: each applet's literal policies, in action order.
	type edge struct {
		to  string
		act config.AppletAction
	}
	edges := map[string][]edge{}
	for _, a := range aps {
		for _, act := range a.Actions {
			if !strings.EqualFold(act.Verb, "policy") || len(act.Args) != 1 || hasVarRef(act.Args[0]) {
				continue
			}
			to := act.Args[0]
			fail := func(err error) {
				errs[a.Name] = append(errs[a.Name], &Error{Applet: a.Name, Label: act.Label, Verb: act.Verb, Line: act.Line, Err: err})
			}
			switch t := byName[to]; {
			case t == nil:
				fail(fmt.Errorf("policy %s: no applet %s is configured", to, to))
			case !hasEventNone(t):
				fail(fmt.Errorf("policy %s: applet %s has no `event none`; only such an applet runs as a policy", to, to))
			default:
				edges[a.Name] = append(edges[a.Name], edge{to: to, act: act})
			}
		}
	}
	// A loop through an applet: a path of policies from it back to it.
	for _, a := range aps {
		for _, e := range edges[a.Name] {
			path := findPath(e.to, a.Name, func(n string) []string {
				var to []string
				for _, e := range edges[n] {
					to = append(to, e.to)
				}
				return to
			})
			if path == nil {
				continue
			}
			chain := append([]string{a.Name}, path...)
			errs[a.Name] = append(errs[a.Name], &Error{Applet: a.Name, Label: e.act.Label, Verb: e.act.Verb, Line: e.act.Line,
				Err: fmt.Errorf("policy loop %s: an applet may not run itself through policies", strings.Join(chain, " → "))})
			break // one loop each is enough to refuse it
		}
	}
	out := make(map[string]error, len(errs))
	for name, list := range errs {
		out[name] = errors.Join(list...)
	}
	return out
}

// findPath returns a shortest path from "from" to "to" (both included)
// along next, nil when there is none.
func findPath(from, to string, next func(string) []string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == to {
			var path []string
			for ; n != ""; n = prev[n] {
				path = append([]string{n}, path...)
			}
			return path
		}
		for _, m := range next(n) {
			if _, seen := prev[m]; !seen {
				prev[m] = n
				queue = append(queue, m)
			}
		}
	}
	return nil
}
