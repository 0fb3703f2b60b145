package applet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// kind is what an action does to the flow of the run.
type kind int

const (
	kSimple kind = iota
	kIf
	kElseif
	kElse
	kEnd
	kWhile
	kForeach
	kBreak
	kContinue
	kExit
)

// op is one action, compiled: its arguments checked and its block matched.
type op struct {
	act  *config.AppletAction
	kind kind
	// cond is the test of if, elseif and while.
	cond cond
	// target is the index an "if ... goto LABEL" jumps to, -1 for a
	// block if.
	target int
	// next: for if and elseif, the next elseif, else or end of the chain.
	next int
	// end: for if, elseif, else, while and foreach, the matching end.
	end int
	// open: for end, its if, while or foreach; for break and continue,
	// the innermost loop.
	open int
	// foreach: the iterator variable, the list and the delimiter ("" for
	// blanks).
	iter, list, delim string
	// exit: the code argument ("" for 0).
	code string
	// do runs a simple action.
	do func(r *run) error
}

// cond is "A op B".
type cond struct{ a, op, b string }

// program is an applet's actions ready to run.
type program struct{ ops []op }

// block is an open if, while or foreach while matching.
type block struct {
	at       int
	kind     kind
	branches []int // if: the if, its elseifs and else
	sawElse  bool
}

// compile checks the applet's actions and matches their blocks. It
// collects every problem, each an *Error.
func compile(a *config.Applet) (*program, error) {
	p := &program{ops: make([]op, len(a.Actions))}
	var errs []error
	fail := func(i int, err error) {
		act := a.Actions[i]
		errs = append(errs, &Error{Applet: a.Name, Label: act.Label, Verb: act.Verb, Line: act.Line, Err: err})
	}
	labels := map[string]int{}
	for i, act := range a.Actions {
		if _, dup := labels[act.Label]; !dup {
			labels[act.Label] = i
		}
	}
	var stack []block
	innerLoop := func() int {
		for j := len(stack) - 1; j >= 0; j-- {
			if stack[j].kind == kWhile || stack[j].kind == kForeach {
				return stack[j].at
			}
		}
		return -1
	}
	for i := range a.Actions {
		act := &a.Actions[i]
		o := &p.ops[i]
		depth := len(stack)
		o.act, o.target, o.next, o.end, o.open = act, -1, -1, -1, -1
		args := act.Args
		switch verb := strings.ToLower(act.Verb); verb {
		case "if":
			o.kind = kIf
			c, label, err := parseCond(args, true)
			o.cond = c
			if err != nil {
				fail(i, err)
			}
			if label != "" {
				t, ok := labels[label]
				if !ok {
					fail(i, fmt.Errorf("goto %s: no action has that label", label))
				}
				o.target = t
				continue // a goto if opens no block
			}
			stack = append(stack, block{at: i, kind: kIf, branches: []int{i}})
		case "elseif", "else":
			o.kind = kElseif
			if verb == "else" {
				o.kind = kElse
				if len(args) > 0 {
					fail(i, fmt.Errorf("else takes no arguments, not %q", strings.Join(args, " ")))
				}
			} else {
				c, _, err := parseCond(args, false)
				o.cond = c
				if err != nil {
					fail(i, err)
				}
			}
			if len(stack) == 0 || stack[len(stack)-1].kind != kIf {
				fail(i, fmt.Errorf("%s without an open if", verb))
				continue
			}
			top := &stack[len(stack)-1]
			if top.sawElse {
				fail(i, fmt.Errorf("%s after else (line %d)", verb, a.Actions[top.branches[len(top.branches)-1]].Line))
				continue
			}
			p.ops[top.branches[len(top.branches)-1]].next = i
			top.branches = append(top.branches, i)
			top.sawElse = verb == "else"
		case "end":
			o.kind = kEnd
			if len(args) > 0 {
				fail(i, fmt.Errorf("end takes no arguments, not %q", strings.Join(args, " ")))
			}
			if len(stack) == 0 {
				fail(i, errors.New("end without an open if, while or foreach"))
				continue
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			o.open = top.at
			p.ops[top.at].end = i
			if top.kind == kIf {
				p.ops[top.branches[len(top.branches)-1]].next = i
				for _, b := range top.branches {
					p.ops[b].end = i
				}
			}
		case "while":
			o.kind = kWhile
			c, _, err := parseCond(args, false)
			o.cond = c
			if err != nil {
				fail(i, err)
			}
			stack = append(stack, block{at: i, kind: kWhile})
		case "foreach":
			o.kind = kForeach
			if len(args) < 2 || len(args) > 3 {
				fail(i, errors.New(`usage: foreach VARIABLE "LIST" ["DELIMITER"]`))
			} else {
				name, err := varName(args[0])
				if err != nil {
					fail(i, err)
				}
				o.iter, o.list = name, args[1]
				if len(args) == 3 {
					o.delim = args[2]
					if err := checkRegexp(o.delim); err != nil {
						fail(i, fmt.Errorf("delimiter: %w", err))
					}
				}
			}
			stack = append(stack, block{at: i, kind: kForeach})
		case "break", "continue":
			o.kind = kBreak
			if verb == "continue" {
				o.kind = kContinue
			}
			if len(args) > 0 {
				fail(i, fmt.Errorf("%s takes no arguments, not %q", verb, strings.Join(args, " ")))
			}
			if o.open = innerLoop(); o.open < 0 {
				fail(i, fmt.Errorf("%s outside a while or foreach loop", verb))
			}
		case "exit":
			o.kind = kExit
			switch len(args) {
			case 0:
			case 1:
				o.code = args[0]
				if !strings.Contains(o.code, "$") {
					if _, err := strconv.Atoi(o.code); err != nil {
						fail(i, fmt.Errorf("exit code %q is not an integer", o.code))
					}
				}
			default:
				fail(i, errors.New("usage: exit [CODE]"))
			}
		default:
			do, err := compileSimple(verb, args)
			if err != nil {
				fail(i, err)
			}
			o.do = do
		}
		if len(stack) > depth && len(stack) == MaxDepth+1 {
			fail(i, fmt.Errorf("blocks nest deeper than %d", MaxDepth))
		}
	}
	for _, b := range stack {
		fail(b.at, fmt.Errorf("%s without a matching end", a.Actions[b.at].Verb))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// parseCond reads "A OP B", and "A OP B goto LABEL" when goto is allowed.
func parseCond(args []string, allowGoto bool) (cond, string, error) {
	usage := "usage: A eq|ne|lt|gt|le|ge B"
	if allowGoto {
		usage += " [goto LABEL]"
	}
	var label string
	if allowGoto && len(args) == 5 && strings.EqualFold(args[3], "goto") {
		label, args = args[4], args[:3]
	}
	if len(args) != 3 {
		return cond{}, "", errors.New(usage)
	}
	c := cond{a: args[0], op: strings.ToLower(args[1]), b: args[2]}
	switch c.op {
	case "eq", "ne", "lt", "gt", "le", "ge":
	default:
		return c, label, fmt.Errorf("unknown operator %q; %s", args[1], usage)
	}
	return c, label, nil
}

// varName returns the variable an argument names: "x", "$x" or "${x}".
func varName(s string) (string, error) {
	name := s
	if strings.HasPrefix(name, "${") && strings.HasSuffix(name, "}") {
		name = name[2 : len(name)-1]
	} else {
		name = strings.TrimPrefix(name, "$")
	}
	if !validName(name) {
		return "", fmt.Errorf("%q is not a variable name (letters, digits and _)", s)
	}
	return name, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
