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
			p.removeApplet(n, args[2:])
			return leaf
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
	if neg {
		em.Environment = slices.DeleteFunc(em.Environment, func(v config.EnvVar) bool { return v.Name == name })
		return
	}
	v := config.EnvVar{Name: name, Value: n.rest(4), Line: n.line}
	if setEnv(&em.Environment, v) {
		return
	}
	if p.full(n.line, len(em.Environment), "event manager environment variables") {
		return
	}
	em.Environment = append(em.Environment, v)
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
	// The applet line's options, kept on the applet as IOS keeps them.
	opts := &config.Applet{}
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
				opts.AuthorizationBypass = true
			} else {
				if !(len(v) == 1 && strings.ToUpper(v)[0] >= 'A' && strings.ToUpper(v)[0] <= 'Z' || strings.EqualFold(v, "default")) {
					p.errorf(n.line, "event manager applet %s: class %q: expected a letter A to Z or default", name, v)
					return skip
				}
				opts.Class = strings.ToUpper(v)
				if strings.EqualFold(v, "default") {
					opts.Class = "default"
				}
			}
			rest = rest[2:]
		case "trap":
			opts.Trap = true
			rest = rest[1:]
		default:
			p.errorf(n.line, "event manager applet %s: unexpected %q; expected authorization bypass, class A-Z|default or trap", name, rest[0])
			return skip
		}
	}
	// As IOS: an applet that exists is edited; "no event manager applet
	// NAME" before it starts afresh.
	a := p.cfg.Applet(name)
	if a == nil {
		a = &config.Applet{Name: name, Line: n.line}
		p.cfg.EventManager.Applets = append(p.cfg.EventManager.Applets, a)
	}
	a.AuthorizationBypass, a.Class, a.Trap = opts.AuthorizationBypass, opts.Class, opts.Trap
	p.enter(n, "applet", fmt.Sprintf("in applet %q", name), func(c *node, kw string, args []string, neg bool) result {
		return p.appletCmd(a, c, kw, args, neg)
	})
	p.top().obj = a
	return block
}

// removeApplet handles "no event manager applet NAME": an applet that
// does not exist is no error, so a paste may remove before it adds.
func (p *parser) removeApplet(n *node, args []string) {
	if len(args) == 0 {
		p.errorf(n.line, "usage: no event manager applet NAME")
		return
	}
	em := &p.cfg.EventManager
	em.Applets = slices.DeleteFunc(em.Applets, func(a *config.Applet) bool { return a.Name == args[0] })
}

func (p *parser) appletCmd(a *config.Applet, n *node, kw string, args []string, neg bool) result {
	if neg {
		p.appletNo(a, n, kw, args)
		return leaf
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
		p.appletEvent(a, n)
		return leaf
	case "trigger":
		return p.trigger(a, n, args)
	case "action":
		p.action(a, n, args)
		return leaf
	}
	return unknown
}

// appletNo removes what an applet command set.
func (p *parser) appletNo(a *config.Applet, n *node, kw string, args []string) {
	switch {
	case kw == "description":
		a.Description = ""
	case kw == "trigger":
		a.TriggerBlock = nil
	case kw == "action" && len(args) >= 1:
		a.Actions = slices.DeleteFunc(a.Actions, func(ac config.AppletAction) bool { return ac.Label == args[0] })
	case kw == "event" && len(args) >= 2 && strings.EqualFold(args[0], "tag"):
		a.Events = slices.DeleteFunc(a.Events, func(e ds.Event) bool { return eventTag(e) == args[1] })
	case kw == "event":
		a.Events = nil
	default:
		p.errorf(n.line, "usage: no {description | event [tag TAG] | trigger | action LABEL}")
	}
}

// eventTag returns the tag of an event line, "" if it has none.
func eventTag(e ds.Event) string {
	f, err := eem.Fields(e.EEMLine)
	if err != nil || len(f) < 3 || !strings.EqualFold(f[1].Text, "tag") {
		return ""
	}
	return f[2].Text
}

func (p *parser) appletEvent(a *config.Applet, n *node) {
	ev, err := types.ParseEEM(n.text)
	if err != nil {
		p.bad[a] = true
		if se, ok := err.(*eem.SyntaxError); ok {
			p.errorAt(n.line, n.indent+se.Offset, "bad event line, column %d: %s", n.indent+se.Offset+1, se.Msg)
		} else {
			p.errorf(n.line, "bad event line: %v", err)
		}
		return
	}
	ev.Pos = ds.Pos{File: p.file, Line: n.line, Col: n.indent + 1}
	// As IOS: an event line with the tag of one the applet has (or none,
	// like it) replaces it.
	tag := eventTag(ev)
	if i := slices.IndexFunc(a.Events, func(e ds.Event) bool { return eventTag(e) == tag }); i >= 0 {
		a.Events[i] = ev
		return
	}
	a.Events = append(a.Events, ev)
}

func (p *parser) trigger(a *config.Applet, n *node, args []string) result {
	var set []func(t *config.AppletTrigger)
	seen := map[string]bool{}
	for rest := args; len(rest) > 0; rest = rest[2:] {
		opt := strings.ToLower(rest[0])
		if len(rest) < 2 {
			p.errorf(n.line, "trigger: %q needs a value", rest[0])
			p.bad[a] = true
			return skip
		}
		if seen[opt] {
			p.errorf(n.line, "trigger: %q is given twice", opt)
			p.bad[a] = true
			return skip
		}
		seen[opt] = true
		v := rest[1]
		ok := true
		switch opt {
		case "occurs":
			var occurs int
			if occurs, ok = p.intArg(n.line, "trigger occurs", v, 1, 4294967295); ok {
				set = append(set, func(t *config.AppletTrigger) { t.Occurs = occurs })
			}
		case "period":
			var d time.Duration
			if d, ok = parseSeconds(v, 0.001, 4294967295); !ok {
				p.errorf(n.line, "trigger period %q is not a number of seconds", v)
			}
			set = append(set, func(t *config.AppletTrigger) { t.Period = d })
		case "delay":
			var d time.Duration
			if d, ok = parseSeconds(v, 0.001, 4294967295); !ok {
				p.errorf(n.line, "trigger delay %q is not a number of seconds", v)
			}
			set = append(set, func(t *config.AppletTrigger) { t.Delay = d })
		case "period-start":
			if f := strings.Fields(v); !(len(f) == 5 || len(f) == 1 && strings.HasPrefix(v, "@")) {
				p.errorf(n.line, "trigger period-start %q is not a cron entry of 5 fields", v)
				ok = false
			}
			set = append(set, func(t *config.AppletTrigger) { t.PeriodStart = v })
		default:
			p.errorf(n.line, "trigger: unknown option %q; expected occurs N, period SECONDS, period-start \"CRON\", delay SECONDS", rest[0])
			ok = false
		}
		if !ok {
			p.bad[a] = true
			return skip
		}
	}
	// As IOS: "trigger" enters the applet's trigger, new or not; the
	// options given are set, the others stay.
	t := a.TriggerBlock
	if t == nil {
		t = &config.AppletTrigger{Occurs: 1, Line: n.line, Col: n.indent + 1}
		a.TriggerBlock = t
	}
	for _, f := range set {
		f(t)
	}
	p.enter(n, "trigger", fmt.Sprintf("in trigger of applet %q", a.Name), func(c *node, kw string, args []string, neg bool) result {
		return p.triggerCmd(a, t, c, kw, args, neg)
	})
	p.top().obj = a
	return block
}

func (p *parser) triggerCmd(a *config.Applet, t *config.AppletTrigger, n *node, kw string, args []string, neg bool) result {
	switch {
	case kw == "correlate" && neg:
		t.Correlate, t.CorrelateLine = nil, 0
		return leaf
	case kw == "attribute" && neg:
		if len(args) < 2 || !strings.EqualFold(args[0], "tag") {
			p.errorf(n.line, "usage: no attribute tag TAG")
			return leaf
		}
		t.Attributes = slices.DeleteFunc(t.Attributes, func(at config.TriggerAttribute) bool { return at.Tag == args[1] })
		return leaf
	case kw == "correlate":
		if _, _, msg := parseCorrelate(args); msg != "" {
			p.errorf(n.line, "%s", msg)
			p.bad[a] = true
			return leaf
		}
		t.Correlate, t.CorrelateLine = slices.Clone(args), n.line
		return leaf
	case kw == "attribute":
		if len(args) != 4 || !strings.EqualFold(args[0], "tag") || !strings.EqualFold(args[2], "occurs") {
			p.errorf(n.line, "usage: attribute tag TAG occurs N")
			p.bad[a] = true
			return leaf
		}
		occ, ok := p.intArg(n.line, "attribute occurs", args[3], 1, 4294967295)
		if !ok {
			p.bad[a] = true
			return leaf
		}
		at := config.TriggerAttribute{Tag: args[1], Occurs: occ, Line: n.line}
		if i := slices.IndexFunc(t.Attributes, func(x config.TriggerAttribute) bool { return x.Tag == at.Tag }); i >= 0 {
			t.Attributes[i] = at
			return leaf
		}
		t.Attributes = append(t.Attributes, at)
		return leaf
	}
	return unknown
}

// parseCorrelate reads the words after "correlate" into terms and the
// operators between them, or says what is wrong with them.
func parseCorrelate(args []string) (terms []corrTerm, ops []string, msg string) {
	const usage = "usage: correlate {event TAG | track N} [{and | or | andnot} {event TAG | track N}] ..."
	for i := 0; ; {
		if i+1 >= len(args) {
			return nil, nil, usage
		}
		switch strings.ToLower(args[i]) {
		case "event":
			if args[i+1] == "" {
				return nil, nil, "correlate: empty event tag"
			}
			terms = append(terms, corrTerm{tag: args[i+1]})
		case "track":
			num, msg := rangeArg("correlate track", args[i+1], config.MinTrack, config.MaxTrack)
			if msg != "" {
				return nil, nil, msg
			}
			terms = append(terms, corrTerm{track: num})
		default:
			return nil, nil, fmt.Sprintf("correlate: expected event TAG or track N, not %q", args[i])
		}
		i += 2
		if i == len(args) {
			return terms, ops, ""
		}
		op := strings.ToLower(args[i])
		if op != "and" && op != "or" && op != "andnot" {
			return nil, nil, fmt.Sprintf("correlate: expected and, or or andnot, not %q", args[i])
		}
		ops = append(ops, op)
		i++
	}
}

type corrTerm struct {
	tag   string // event tag, or "" for a track
	track int
}

func (p *parser) action(a *config.Applet, n *node, args []string) {
	if len(args) < 2 {
		p.errorf(n.line, "usage: action LABEL VERB [ARGUMENTS]")
		return
	}
	label, verb := args[0], strings.ToLower(args[1])
	if !slices.Contains(appletVerbs(), verb) {
		p.errorf(n.line, "unknown action %q in applet %q; expected %s", args[1], a.Name, strings.Join(appletVerbs(), ", "))
		return
	}
	ac := config.AppletAction{Label: label, Verb: verb, Args: slices.Clone(args[2:]), Line: n.line}
	// As IOS: an action with a label the applet has replaces it.
	if i := slices.IndexFunc(a.Actions, func(x config.AppletAction) bool { return x.Label == label }); i >= 0 {
		a.Actions[i] = ac
		return
	}
	a.Actions = append(a.Actions, ac)
}

// appletVerbs lists the applet action verbs dsengine accepts.
func appletVerbs() []string {
	return []string{"add", "append", "break", "cli", "cns-event", "comment", "context", "continue", "counter",
		"decrement", "divide", "else", "elseif", "end", "exit", "file", "force-switchover", "foreach", "gets",
		"handle-error", "if", "increment", "info", "mail", "multiply", "policy", "policy-maxrun", "publish-event",
		"puts", "regexp", "reload", "set", "snmp-object-value", "snmp-trap", "string", "subtract", "syslog", "track",
		"wait", "while"}
}

// finishApplet checks the applet as a whole and builds its trigger. An
// applet being edited (in a vty) is not held to the checks yet.
func (p *parser) finishApplet(a *config.Applet, editing bool) {
	slices.SortStableFunc(a.Actions, func(x, y config.AppletAction) int { return strings.Compare(x.Label, y.Label) })
	a.MaxRun = 0
	for _, e := range a.Events {
		a.MaxRun = max(a.MaxRun, e.MaxRun)
	}
	if a.MaxRun == 0 {
		a.MaxRun = config.DefaultMaxRun
	}
	a.Trigger = nil
	if p.bad[a] {
		return // the errors are reported; more would be noise
	}
	if len(a.Events) == 0 {
		p.warnf(a.Line, "applet %q has no event line; it is not registered", a.Name)
		return
	}
	errorf := p.errorf
	if editing {
		errorf = func(int, string, ...any) {}
	}
	ids := map[string]string{} // expr id → tag
	byTag := map[string]string{}
	tagLine := map[string]int{}
	for i := range a.Events {
		tag, line := eventTag(a.Events[i]), a.Events[i].Pos.Line
		switch {
		case tag == "" && len(a.Events) > 1:
			errorf(line, "applet %q has several events; tag each one: event tag NAME ...", a.Name)
			return
		case tag == "":
			a.Events[i].ID = "e1"
			byTag[""] = "e1"
			continue
		}
		if l, dup := tagLine[tag]; dup {
			errorf(line, "event tag %s is already used on line %d", tag, l)
			return
		}
		tagLine[tag] = line
		id := eventID(tag)
		if other, clash := ids[id]; clash {
			errorf(line, "event tags %q and %q both become %q in the trigger expression; rename one", other, tag, id)
			return
		}
		ids[id], byTag[tag] = tag, id
		a.Events[i].ID = id
	}
	t := a.TriggerBlock
	var terms []corrTerm
	var ops []string
	switch {
	case t == nil && len(a.Events) > 1:
		errorf(a.Line, "applet %q has several events but no trigger; add trigger with correlate event TAG {and | or | andnot} event TAG under it", a.Name)
		return
	case t == nil:
		return
	case t.CorrelateLine == 0 && len(a.Events) > 1:
		errorf(t.Line, "trigger of applet %q has no correlate; expected correlate event TAG {and | or | andnot} event TAG ...", a.Name)
		return
	case t.CorrelateLine == 0:
		terms = []corrTerm{{tag: eventTag(a.Events[0])}}
	default:
		terms, ops, _ = parseCorrelate(t.Correlate) // checked when read
	}
	attrs := map[string]int{}
	for _, at := range t.Attributes {
		if _, ok := byTag[at.Tag]; !ok || at.Tag == "" {
			errorf(at.Line, "attribute names event tag %q, which no event line has", at.Tag)
			return
		}
		attrs[at.Tag] = at.Occurs
	}
	exprTerms := make([]string, len(terms))
	for i, term := range terms {
		if term.tag == "" && t.CorrelateLine > 0 {
			exprTerms[i] = fmt.Sprintf("track_%d", term.track)
			continue
		}
		id, ok := byTag[term.tag]
		if !ok {
			errorf(t.CorrelateLine, "correlate names event tag %q, which no event line has", term.tag)
			return
		}
		exprTerms[i] = id
		if occ := attrs[term.tag]; occ > 1 {
			exprTerms[i] = fmt.Sprintf("count(%s) >= %d", id, occ)
		}
	}
	file := p.cfg.File
	if file == "" {
		file = p.file
	}
	c := &ds.Correlate{
		Expr:        correlateExpr(exprTerms, ops),
		Occurs:      t.Occurs,
		Period:      t.Period,
		PeriodStart: t.PeriodStart,
		Delay:       t.Delay,
		Window:      t.Period,
		Pos:         ds.Pos{File: file, Line: t.Line, Col: t.Col},
	}
	if c.Window == 0 && (slices.Contains(ops, "and") || slices.Contains(ops, "andnot")) {
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
