package iosconfig

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// appletState is what the parser collects for one applet before it builds
// the trigger.
type appletState struct {
	applet    *config.Applet
	eventLine []int    // line of each parsed event
	tags      []string // tag of each parsed event, "" if untagged
	badEvents bool     // an event line had an error
	labels    seenLines
	trigger   *triggerState
}

type triggerState struct {
	line, col   int
	bad         bool
	occurs      int
	period      time.Duration
	periodStart string
	delay       time.Duration

	correlateLine int
	terms         []corrTerm
	ops           []string // between terms: "and", "or", "andnot"
	attrs         map[string]int
	attrLines     map[string]int
}

type corrTerm struct {
	tag   string // event tag, or "" for a track
	track int
}

// eventManager handles the top-level "event manager ..." lines.
func (p *parser) eventManager(n *node, args []string, neg bool) result {
	if len(args) == 0 || !strings.EqualFold(args[0], "manager") {
		p.errorf(n.line, "unknown command %q at top level; an event line belongs under event manager applet NAME", strings.Join(n.words[:min(2, len(n.words))], " "))
		return skip
	}
	if len(args) < 2 {
		p.errorf(n.line, "usage: event manager applet NAME, or event manager environment NAME VALUE")
		return skip
	}
	switch strings.ToLower(args[1]) {
	case "environment":
		p.eemEnvironment(n, args[2:], neg)
		return leaf
	case "applet":
		if neg {
			p.errorf(n.line, "\"no event manager applet\" is not supported; delete the applet's lines")
			return skip
		}
		return p.applet(n, args[2:])
	}
	p.errorf(n.line, "unknown command \"event manager %s\"; expected event manager applet NAME or event manager environment NAME VALUE", args[1])
	return skip
}

func (p *parser) eemEnvironment(n *node, args []string, neg bool) {
	em := &p.cfg.EventManager
	if len(args) == 0 || !neg && len(args) < 2 {
		p.errorf(n.line, "usage: event manager environment NAME VALUE")
		return
	}
	name := args[0]
	key := "eem-env\x00" + name
	if neg {
		em.Environment = slices.DeleteFunc(em.Environment, func(v config.EnvVar) bool { return v.Name == name })
		p.seen.forget(key)
		return
	}
	if first, dup := p.seen.first(key, n.line); dup {
		p.errorf(n.line, "event manager environment %s is already set on line %d", name, first)
		return
	}
	if p.full(n.line, len(em.Environment), "event manager environment variables") {
		p.seen.forget(key)
		return
	}
	em.Environment = append(em.Environment, config.EnvVar{Name: name, Value: n.rest(4), Line: n.line})
}

// full reports (once per line) that a list already holds
// config.MaxListEntries entries.
func (p *parser) full(line, size int, what string) bool {
	if size < config.MaxListEntries {
		return false
	}
	p.errorf(line, "too many %s; at most %d are allowed", what, config.MaxListEntries)
	return true
}

func (p *parser) applet(n *node, args []string) result {
	if len(args) == 0 {
		p.errorf(n.line, "usage: event manager applet NAME [authorization bypass] [class CLASS] [trap]")
		return skip
	}
	name := args[0]
	st := &appletState{applet: &config.Applet{Name: name, Line: n.line}}
	for rest := args[1:]; len(rest) > 0; {
		opt := strings.ToLower(rest[0])
		switch opt {
		case "authorization", "class":
			if len(rest) < 2 {
				p.errorf(n.line, "event manager applet %s: %q needs a value (authorization bypass, class A-Z or default)", name, rest[0])
				return skip
			}
			v := rest[1]
			if opt == "authorization" {
				if !strings.EqualFold(v, "bypass") {
					p.errorf(n.line, "event manager applet %s: authorization %q: only authorization bypass is accepted", name, v)
					return skip
				}
				st.applet.AuthorizationBypass = true
			} else {
				if !(len(v) == 1 && strings.ToUpper(v)[0] >= 'A' && strings.ToUpper(v)[0] <= 'Z' || strings.EqualFold(v, "default")) {
					p.errorf(n.line, "event manager applet %s: class %q: expected a letter A to Z or default", name, v)
					return skip
				}
				st.applet.Class = strings.ToUpper(v)
				if strings.EqualFold(v, "default") {
					st.applet.Class = "default"
				}
			}
			rest = rest[2:]
		case "trap":
			st.applet.Trap = true
			rest = rest[1:]
		default:
			p.errorf(n.line, "event manager applet %s: unexpected %q; expected authorization bypass, class A-Z|default or trap", name, rest[0])
			return skip
		}
	}
	if first, dup := p.seen.first("applet\x00"+name, n.line); dup {
		p.errorf(n.line, "applet %q is already configured on line %d", name, first)
		return skip
	}
	where := fmt.Sprintf("in applet %q", name)
	p.run(n.children, mode{name: "applet", where: where, handle: func(c *node, kw string, a []string, neg bool) result {
		return p.appletCmd(st, c, kw, a, neg)
	}})
	p.finishApplet(st)
	p.cfg.EventManager.Applets = append(p.cfg.EventManager.Applets, st.applet)
	return block
}

func (p *parser) appletCmd(st *appletState, n *node, kw string, args []string, neg bool) result {
	a := st.applet
	if neg {
		p.errorf(n.line, "\"no %s\" is not supported in an applet; delete the line", kw)
		return skip
	}
	switch kw {
	case "description":
		if len(args) == 0 {
			p.errorf(n.line, "usage: description TEXT")
			return leaf
		}
		a.Description = n.rest(1)
		return leaf
	case "event":
		p.appletEvent(st, n)
		return leaf
	case "trigger":
		return p.trigger(st, n, args)
	case "action":
		p.action(st, n, args)
		return leaf
	}
	return unknown
}

func (p *parser) appletEvent(st *appletState, n *node) {
	ev, err := types.ParseEEM(n.text)
	if err != nil {
		st.badEvents = true
		if se, ok := err.(*eem.SyntaxError); ok {
			p.errorf(n.line, "bad event line, column %d: %s", n.indent+se.Offset+1, se.Msg)
		} else {
			p.errorf(n.line, "bad event line: %v", err)
		}
		return
	}
	tag := ""
	if len(n.words) >= 3 && strings.EqualFold(n.words[1], "tag") {
		tag = n.words[2]
	}
	ev.Pos = ds.Pos{File: p.file, Line: n.line, Col: n.indent + 1}
	st.applet.Events = append(st.applet.Events, ev)
	st.tags = append(st.tags, tag)
	st.eventLine = append(st.eventLine, n.line)
}

func (p *parser) trigger(st *appletState, n *node, args []string) result {
	if st.trigger != nil {
		p.errorf(n.line, "applet %q already has a trigger on line %d", st.applet.Name, st.trigger.line)
		return skip
	}
	t := &triggerState{line: n.line, col: n.indent + 1, occurs: 1}
	st.trigger = t
	seen := map[string]bool{}
	for rest := args; len(rest) > 0; rest = rest[2:] {
		opt := strings.ToLower(rest[0])
		if len(rest) < 2 {
			p.errorf(n.line, "trigger: %q needs a value", rest[0])
			t.bad = true
			return skip
		}
		if seen[opt] {
			p.errorf(n.line, "trigger: %q is given twice", opt)
			t.bad = true
			return skip
		}
		seen[opt] = true
		v := rest[1]
		ok := true
		switch opt {
		case "occurs":
			t.occurs, ok = p.intArg(n.line, "trigger occurs", v, 1, 4294967295)
		case "period":
			if t.period, ok = parseSeconds(v, 0.001, 4294967295); !ok {
				p.errorf(n.line, "trigger period %q is not a number of seconds", v)
			}
		case "delay":
			if t.delay, ok = parseSeconds(v, 0.001, 4294967295); !ok {
				p.errorf(n.line, "trigger delay %q is not a number of seconds", v)
			}
		case "period-start":
			if f := strings.Fields(v); !(len(f) == 5 || len(f) == 1 && strings.HasPrefix(v, "@")) {
				p.errorf(n.line, "trigger period-start %q is not a cron entry of 5 fields", v)
				ok = false
			}
			t.periodStart = v
		default:
			p.errorf(n.line, "trigger: unknown option %q; expected occurs N, period SECONDS, period-start \"CRON\", delay SECONDS", rest[0])
			ok = false
		}
		if !ok {
			t.bad = true
			return skip
		}
	}
	where := fmt.Sprintf("in trigger of applet %q", st.applet.Name)
	p.run(n.children, mode{name: "trigger", where: where, handle: func(c *node, kw string, a []string, neg bool) result {
		return p.triggerCmd(t, c, kw, a, neg)
	}})
	return block
}

func (p *parser) triggerCmd(t *triggerState, n *node, kw string, args []string, neg bool) result {
	if neg && (kw == "correlate" || kw == "attribute") {
		p.errorf(n.line, "\"no %s\" is not supported; delete the line", kw)
		return skip
	}
	switch kw {
	case "correlate":
		p.correlate(t, n, args)
		return leaf
	case "attribute":
		if len(args) != 4 || !strings.EqualFold(args[0], "tag") || !strings.EqualFold(args[2], "occurs") {
			p.errorf(n.line, "usage: attribute tag TAG occurs N")
			t.bad = true
			return leaf
		}
		occ, ok := p.intArg(n.line, "attribute occurs", args[3], 1, 4294967295)
		if !ok {
			t.bad = true
			return leaf
		}
		if t.attrs == nil {
			t.attrs, t.attrLines = map[string]int{}, map[string]int{}
		}
		if l, dup := t.attrLines[args[1]]; dup {
			p.errorf(n.line, "attribute tag %s is already set on line %d", args[1], l)
			return leaf
		}
		t.attrs[args[1]], t.attrLines[args[1]] = occ, n.line
		return leaf
	}
	return unknown
}

func (p *parser) correlate(t *triggerState, n *node, args []string) {
	const usage = "usage: correlate {event TAG | track N} [{and | or | andnot} {event TAG | track N}] ..."
	if t.correlateLine > 0 {
		p.errorf(n.line, "trigger already has a correlate on line %d", t.correlateLine)
		return
	}
	t.correlateLine = n.line
	for i := 0; ; {
		if i+1 >= len(args) {
			p.errorf(n.line, usage)
			t.bad = true
			return
		}
		switch strings.ToLower(args[i]) {
		case "event":
			if args[i+1] == "" {
				p.errorf(n.line, "correlate: empty event tag")
				t.bad = true
				return
			}
			t.terms = append(t.terms, corrTerm{tag: args[i+1]})
		case "track":
			num, ok := p.intArg(n.line, "correlate track", args[i+1], config.MinTrack, config.MaxTrack)
			if !ok {
				t.bad = true
				return
			}
			t.terms = append(t.terms, corrTerm{track: num})
		default:
			p.errorf(n.line, "correlate: expected event TAG or track N, not %q", args[i])
			t.bad = true
			return
		}
		i += 2
		if i == len(args) {
			return
		}
		op := strings.ToLower(args[i])
		if op != "and" && op != "or" && op != "andnot" {
			p.errorf(n.line, "correlate: expected and, or or andnot, not %q", args[i])
			t.bad = true
			return
		}
		t.ops = append(t.ops, op)
		i++
	}
}

func (p *parser) action(st *appletState, n *node, args []string) {
	if len(args) < 2 {
		p.errorf(n.line, "usage: action LABEL VERB [ARGUMENTS]")
		return
	}
	label, verb := args[0], strings.ToLower(args[1])
	if !slices.Contains(appletVerbs(), verb) {
		p.errorf(n.line, "unknown action %q in applet %q; expected %s", args[1], st.applet.Name, strings.Join(appletVerbs(), ", "))
		return
	}
	if first, dup := st.labels.first(label, n.line); dup {
		p.errorf(n.line, "action label %s is already used on line %d in applet %q", label, first, st.applet.Name)
		return
	}
	st.applet.Actions = append(st.applet.Actions, config.AppletAction{
		Label: label, Verb: verb, Args: slices.Clone(args[2:]), Line: n.line,
	})
}

// appletVerbs lists the applet action verbs dsengine accepts.
func appletVerbs() []string {
	return []string{"add", "append", "break", "cli", "cns-event", "comment", "context", "continue", "counter",
		"decrement", "divide", "else", "elseif", "end", "exit", "file", "force-switchover", "foreach", "gets",
		"handle-error", "if", "increment", "info", "mail", "multiply", "policy", "policy-maxrun", "publish-event",
		"puts", "regexp", "reload", "set", "snmp-object-value", "snmp-trap", "string", "subtract", "syslog", "track",
		"wait", "while"}
}

// finishApplet checks the applet as a whole and builds its trigger.
func (p *parser) finishApplet(st *appletState) {
	a := st.applet
	slices.SortStableFunc(a.Actions, func(x, y config.AppletAction) int { return strings.Compare(x.Label, y.Label) })
	a.MaxRun = 0
	for _, e := range a.Events {
		a.MaxRun = max(a.MaxRun, e.MaxRun)
	}
	if a.MaxRun == 0 {
		a.MaxRun = config.DefaultMaxRun
	}
	if st.badEvents {
		return // the event errors are reported; more would be noise
	}
	if len(a.Events) == 0 {
		p.errorf(a.Line, "applet %q has no event line", a.Name)
		return
	}
	ids := map[string]string{} // expr id → tag
	byTag := map[string]string{}
	tagLine := map[string]int{}
	for i := range a.Events {
		tag := st.tags[i]
		switch {
		case tag == "" && len(a.Events) > 1:
			p.errorf(st.eventLine[i], "applet %q has several events; tag each one: event tag NAME ...", a.Name)
			return
		case tag == "":
			a.Events[i].ID = "e1"
			byTag[""] = "e1"
			continue
		}
		if l, dup := tagLine[tag]; dup {
			p.errorf(st.eventLine[i], "event tag %s is already used on line %d", tag, l)
			return
		}
		tagLine[tag] = st.eventLine[i]
		id := eventID(tag)
		if other, clash := ids[id]; clash {
			p.errorf(st.eventLine[i], "event tags %q and %q both become %q in the trigger expression; rename one", other, tag, id)
			return
		}
		ids[id], byTag[tag] = tag, id
		a.Events[i].ID = id
	}
	t := st.trigger
	switch {
	case t == nil && len(a.Events) > 1:
		p.errorf(a.Line, "applet %q has several events but no trigger; add trigger with correlate event TAG {and | or | andnot} event TAG under it", a.Name)
		return
	case t == nil:
		return
	case t.bad:
		return
	case t.correlateLine == 0 && len(a.Events) > 1:
		p.errorf(t.line, "trigger of applet %q has no correlate; expected correlate event TAG {and | or | andnot} event TAG ...", a.Name)
		return
	case t.correlateLine == 0:
		t.terms = []corrTerm{{tag: st.tags[0]}}
	}
	for tag, line := range t.attrLines {
		if _, ok := byTag[tag]; !ok || tag == "" {
			p.errorf(line, "attribute names event tag %q, which no event line has", tag)
			return
		}
	}
	terms := make([]string, len(t.terms))
	for i, term := range t.terms {
		if term.tag == "" && t.correlateLine > 0 {
			terms[i] = fmt.Sprintf("track_%d", term.track)
			continue
		}
		id, ok := byTag[term.tag]
		if !ok {
			p.errorf(t.correlateLine, "correlate names event tag %q, which no event line has", term.tag)
			return
		}
		terms[i] = id
		if occ := t.attrs[term.tag]; occ > 1 {
			terms[i] = fmt.Sprintf("count(%s) >= %d", id, occ)
		}
	}
	c := &ds.Correlate{
		Expr:        correlateExpr(terms, t.ops),
		Occurs:      t.occurs,
		Period:      t.period,
		PeriodStart: t.periodStart,
		Delay:       t.delay,
		Window:      t.period,
		Pos:         ds.Pos{File: p.file, Line: t.line, Col: t.col},
	}
	if c.Window == 0 && (slices.Contains(t.ops, "and") || slices.Contains(t.ops, "andnot")) {
		c.Window = ds.DefaultCorrelateWindow
	}
	a.Trigger = c
}

// correlateExpr joins correlate terms into an expr-lang expression. Like
// the EEM documentation's examples ("event 1 or event 2 and event 3": event
// 1, or else events 2 and 3 together), each operator takes everything to
// its right: a op1 b op2 c is a op1 (b op2 c); andnot is "and not".
func correlateExpr(terms []string, ops []string) string {
	k := len(terms) - 1
	expr := terms[k]
	compound := strings.Contains(expr, " ")
	lastOp := ""
	for i := k - 1; i >= 0; i-- {
		op := ops[i]
		right := expr
		if compound && !(op == lastOp && op != "andnot") {
			right = "(" + right + ")"
		}
		left := terms[i]
		if strings.Contains(left, " ") {
			left = "(" + left + ")"
		}
		text := op
		if op == "andnot" {
			text = "and not"
		}
		expr = left + " " + text + " " + right
		compound, lastOp = true, op
	}
	return expr
}

// eventID turns an event tag into an expr identifier: the tag itself when
// it is one, else "tag_" and the tag with other characters as "_".
func eventID(tag string) string {
	if isIdent(tag) && !slices.Contains(exprReserved(), tag) && !strings.HasPrefix(tag, "track_") && !strings.HasPrefix(tag, "tag_") {
		return tag
	}
	b := []byte(tag)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return "tag_" + string(b)
}

func isIdent(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// exprReserved lists words an expr identifier must not be: operators,
// literals and the built-in functions a correlation may use.
func exprReserved() []string {
	return []string{"and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith", "true", "false",
		"nil", "let", "if", "else", "count", "seq", "all", "any", "none", "one", "filter", "map", "len", "sum",
		"max", "min", "abs", "int", "float", "string", "now", "duration", "date", "first", "last", "get"}
}

// itoa is strconv.Itoa, for messages.
func itoa(i int) string { return strconv.Itoa(i) }
