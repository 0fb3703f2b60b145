package parse

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/parse/eem"
	"github.com/dsengine/dsengine/internal/english"
	"github.com/dsengine/dsengine/internal/lazyre"
)

// variableAttrs lists, per declarable source, the attributes beyond name
// and source.
var variableAttrs = map[ds.VariableSource][]string{
	ds.SourceEnvironment: nil,
	ds.SourcePrompt:      {"prompt", "default"},
	ds.SourceRegex:       {"command", "pattern"},
}

// variables checks <Variables> and records every declared name.
func (c *checker) variables(el *etree.Element) []ds.Variable {
	const what = "<Variables>"
	c.attrs(el, what)
	c.noText(el, what)
	var out []ds.Variable
	first := make(map[string]ds.Pos)
	for _, ch := range c.children(el, what, "Variable") {
		v, ok := c.variable(ch)
		if !ok {
			continue
		}
		if p, dup := first[v.Name]; dup {
			c.attrError(ch, "name", "variable %s is declared twice (first on line %d)", clip(v.Name), p.Line)
			continue
		}
		first[v.Name] = v.Pos
		c.declared[v.Name] = true
		out = append(out, v)
	}
	return out
}

// variable checks one <Variable>; ok is false when its name cannot be
// declared.
func (c *checker) variable(el *etree.Element) (v ds.Variable, ok bool) {
	v.Pos = c.d.elemPos(el)
	what := "<Variable>"
	name, nameOK := c.required(el, what, "name")
	if nameOK {
		switch {
		case !strings.HasPrefix(name, "ds_"):
			c.attrError(el, "name", "variable name %q must start with ds_", clip(name))
			nameOK = false
		case !validVarName(name):
			c.attrError(el, "name", "variable name %q must be ds_ followed by lower-case letters, digits and _", clip(name))
			nameOK = false
		case builtinVar(name) != "":
			c.attrError(el, "name", "variable %s is built in (a %s variable); do not declare it", clip(name), builtinVar(name))
			nameOK = false
		}
	}
	v.Name = name
	src, srcOK := c.required(el, what, "source")
	if !srcOK {
		return v, nameOK
	}
	v.Source = ds.VariableSource(src)
	allowed, known := variableAttrs[v.Source]
	switch {
	case v.Source == ds.SourceSystem || v.Source == ds.SourceSyslog:
		c.attrError(el, "source", "source %q is built in; a DS declares environment, prompt or regex variables", clip(src))
		return v, nameOK
	case !known:
		c.attrError(el, "source", "unknown variable source %q; expected environment, prompt, regex", clip(src))
		return v, nameOK
	}
	what = fmt.Sprintf("<Variable source=%q>", src)
	c.attrs(el, what, append([]string{"name", "source"}, allowed...)...)
	c.children(el, what)
	c.noText(el, what)
	switch v.Source {
	case ds.SourcePrompt:
		v.Prompt, _ = c.required(el, what, "prompt")
		v.Default, _ = attr(el, "default")
	case ds.SourceRegex:
		v.Command, _ = c.required(el, what, "command")
		if p, ok := c.required(el, what, "pattern"); ok {
			v.Pattern = p
			re, err := eem.CheckPattern(p)
			switch {
			case err != nil:
				c.attrError(el, "pattern", "pattern is not a valid RE2 regular expression: %s", clipErr(err, ""))
			case re.NumSubexp() == 0:
				c.attrError(el, "pattern", "pattern %q has no capture group; the variable takes the first group, as in \"uptime is (.*)\"", clip(p))
			}
		}
	}
	return v, nameOK
}

// validVarName reports whether name is ds_ followed by [a-z0-9_]+.
func validVarName(name string) bool {
	rest, ok := strings.CutPrefix(name, "ds_")
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		ch := rest[i]
		if ch != '_' && (ch < 'a' || ch > 'z') && (ch < '0' || ch > '9') {
			return false
		}
	}
	return true
}

// builtinVar returns "system" or "syslog" for a variable the engine always
// declares, else "".
func builtinVar(name string) string {
	switch {
	case slices.Contains(ds.SystemVariables, name):
		return "system"
	case slices.Contains(ds.SyslogVariables, name):
		return "syslog"
	}
	if n, ok := strings.CutPrefix(name, "ds_syslog_"); ok && isDigits(n) && n[0] != '0' {
		return "syslog"
	}
	return ""
}

// ref is one ${...} in a string: a variable name, or what is wrong.
type ref struct {
	off  int
	name string
	bad  string // non-empty: the reference is malformed
}

// scanRefs finds every ${...} in s.
func scanRefs(s string) []ref {
	var out []ref
	for i := 0; ; {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			return out
		}
		start := i + j
		end := strings.IndexByte(s[start+2:], '}')
		if end < 0 {
			out = append(out, ref{off: start, bad: "${ without a closing }; variables are written ${ds_name}"})
			return out
		}
		name := s[start+2 : start+2+end]
		r := ref{off: start, name: name}
		switch {
		case !strings.HasPrefix(name, "ds_"):
			r.bad = fmt.Sprintf("${%s} is not a ds_ variable; variable names start with ds_", clip(name))
		case !validVarName(name):
			r.bad = fmt.Sprintf("${%s}: variable names are ds_ followed by lower-case letters, digits and _", clip(name))
		}
		out = append(out, r)
		i = start + 2 + end + 1
	}
}

// references reports every ${ds_x} in attribute values and text that is
// malformed or names a variable that is neither declared nor built in. In
// the actions and the variables (what runs after an event fired), a syslog
// or per-event variable must be one that at least one of the DS's events
// sets (c.eventVars); an event's own pattern is filled in at registration,
// before any fire, so there only the declared and built-in names count.
func (c *checker) references(el *etree.Element, afterFire bool) {
	check := func(s string, at func(off int) ds.Pos) {
		if !strings.Contains(s, "${") {
			return
		}
		for _, r := range scanRefs(s) {
			switch {
			case r.bad != "":
				c.errorAt(at(r.off), "%s", r.bad)
			case c.declared[r.name] || builtinVar(r.name) == "system":
			case !afterFire && builtinVar(r.name) != "":
			case afterFire && len(c.eventVars[r.name]) > 0:
			default:
				c.errorAt(at(r.off), "%s", c.unsetMsg(r.name, afterFire))
			}
		}
	}
	for _, a := range el.Attr {
		key := a.FullKey()
		check(a.Value, func(int) ds.Pos { return c.d.attrPos(el, key) }) // attrPos is cached per element
	}
	check(c.d.text(el), func(off int) ds.Pos { return c.d.textPos(el, off) })
	for _, ch := range el.ChildElements() {
		c.references(ch, afterFire && !is(ch, "Events"))
	}
}

// unsetMsg says why name, used but neither declared nor built in, has no
// value, and what to do.
func (c *checker) unsetMsg(name string, afterFire bool) string {
	hint := ""
	if s := c.suggest(name, afterFire); s != "" {
		hint = fmt.Sprintf("; did you mean %s?", s)
	}
	types := typesSetting(name)
	if !afterFire || len(types) == 0 && !isCaptureVar(name) && !c.isPerEventVar(name) {
		return fmt.Sprintf("variable %s is used but not declared; add <Variable name=%q .../>%s", clip(name), clip(name), hint)
	}
	var evs []string
	for _, ev := range c.sigEvents {
		evs = append(evs, describeEvent(ev))
	}
	msg := fmt.Sprintf("variable %s is set by none of this DS's events (%s)%s", clip(name), strings.Join(evs, "; "), hint)
	switch {
	case c.isPerEventVar(name) && !c.correlated:
		return msg + "; ds_<id>_… names are set only for the events of a <Correlate>: a lone event sets the ds_syslog_… names"
	case isCaptureVar(name) || c.isPerEventVar(name):
		return msg + "; a capture group of an event's pattern sets it: add the group, such as (\\S+), or use a variable the events set"
	default:
		return msg + fmt.Sprintf("; %s sets it: use such an event, or a variable these events set", english.OrList(types))
	}
}

// describeEvent names an event and what it sets, for messages: "e1
// (periodic: no ds_ variables)", "e2 (syslog, 1 capture group)".
func describeEvent(ev ds.Event) string {
	d, _ := types.Lookup(ev.Type)
	if len(d.Vars) == 0 && !d.Captures {
		return fmt.Sprintf("%s (%s: no ds_ variables)", ev.ID, ev.Type)
	}
	if !d.Captures {
		return fmt.Sprintf("%s (%s)", ev.ID, ev.Type)
	}
	return fmt.Sprintf("%s (%s, %s)", ev.ID, ev.Type, english.Plural(len(captureNames(ev, nil)), "capture group"))
}

// typesSetting lists the event types whose fires can set name, "a syslog
// event", "a config event when …".
func typesSetting(name string) []string {
	var out []string
	for _, d := range types.All() {
		for _, v := range d.Vars {
			if v.Name != name {
				continue
			}
			s := fmt.Sprintf("a %s event", d.Type)
			if v.When != "" {
				s += " (" + v.When + ")"
			}
			out = append(out, s)
		}
	}
	return out
}

// isCaptureVar reports whether name is ds_syslog_N, a numbered capture
// group.
func isCaptureVar(name string) bool {
	n, ok := strings.CutPrefix(name, "ds_syslog_")
	return ok && isDigits(n) && n[0] != '0'
}

// isPerEventVar reports whether name is ds_<id>_… for one of the DS's
// events.
func (c *checker) isPerEventVar(name string) bool {
	for _, ev := range c.sigEvents {
		if strings.HasPrefix(name, "ds_"+ev.ID+"_") {
			return true
		}
	}
	return false
}

// suggest returns the valid name closest to name (declared, system, or
// set by an event when afterFire), "" when none is close: at most a third
// of the letters after ds_ apart (so none for a name of one or two). For
// ds_<id>_x that event does not set, it is another event's ds_<id2>_x.
func (c *checker) suggest(name string, afterFire bool) string {
	// ds_<id>_nbr of an event without that capture: another event's.
	for _, ev := range c.sigEvents {
		rest, ok := strings.CutPrefix(name, "ds_"+ev.ID+"_")
		if !ok || !afterFire {
			continue
		}
		for _, other := range c.sigEvents {
			if n := "ds_" + other.ID + "_" + rest; len(c.eventVars[n]) > 0 {
				return n
			}
		}
	}
	cands := append([]string(nil), ds.SystemVariables...)
	for n := range c.declared {
		cands = append(cands, n)
	}
	if afterFire {
		for n := range c.eventVars {
			cands = append(cands, n)
		}
	}
	slices.Sort(cands) // ties go to the first in order, for stable messages
	best, bestD := "", (len(name)-len("ds_"))/3+1
	for _, cand := range cands {
		if d := editDistance(name, cand); d < bestD && cand != name {
			best, bestD = cand, d
		}
	}
	return best
}

// editDistance is the edit distance between a and b, in bytes (variable
// names are ASCII): insertions, deletions, substitutions and swaps of two
// neighbours (ds_itnf is one from ds_intf), each counting 1.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// EventVar is one ds_ variable an event sets when it fires.
type EventVar struct {
	Name string
	// When is "" when every fire of the event sets it, else when one
	// does, as a phrase ("when a syslog message reported the change").
	When string
}

// EventVarNames returns the ds_ variables an event sets when it fires, the
// one list lint checks references against and the engine's correlation
// fills in:
//
//   - the variables of its type (its descriptor's Vars): ds_syslog_msg,
//     ds_syslog_facility, ds_syslog_severity, ds_syslog_mnemonic,
//     ds_syslog_host for syslog (always) and config (only when a message
//     reported the change);
//   - for a type with Captures (syslog, config, cli), ds_syslog_1,
//     ds_syslog_2 … for the capture groups of its pattern, and
//     ds_syslog_NAME for a group named (?P<NAME>…);
//   - with an eventID (an event of a correlated DS), the same per event,
//     so that a correlation can tell its events apart: each ds_syslog_X
//     also as ds_<eventID>_X (ds_<eventID>_1, ds_<eventID>_NAME,
//     ds_<eventID>_msg …, with the same When), and ds_<eventID>_time
//     (every fire) — what correlate.EventVars sets at run time.
//
// captures are the names of the pattern's groups as
// (*regexp.Regexp).SubexpNames()[1:] returns them ("" for an unnamed
// group); nil when the event has no pattern. Names that are not valid
// variable names (an upper-case event id or group name) are left out: no
// ${…} could refer to them.
func EventVarNames(eventID string, typ ds.EventType, captures []string) []EventVar {
	d, ok := types.Lookup(typ)
	if !ok {
		return nil
	}
	var out []EventVar
	add := func(name, when string) {
		if validVarName(name) && !slices.ContainsFunc(out, func(v EventVar) bool { return v.Name == name }) {
			out = append(out, EventVar{Name: name, When: when})
		}
	}
	own := func(prefix string) {
		if !d.Captures {
			return
		}
		for i, n := range captures {
			add(prefix+strconv.Itoa(i+1), "")
			if n != "" {
				add(prefix+n, "")
			}
		}
	}
	for _, v := range d.Vars {
		add(v.Name, v.When)
	}
	own("ds_syslog_")
	if eventID == "" {
		return out
	}
	per := "ds_" + eventID + "_"
	own(per)
	for _, v := range d.Vars {
		if short, ok := strings.CutPrefix(v.Name, "ds_syslog_"); ok {
			add(per+short, v.When)
		}
	}
	add(per+"time", "")
	return out
}

// captureNames returns the group names of ev's pattern (SubexpNames()[1:]),
// nil when it has none or it does not compile.
func captureNames(ev ds.Event, compiled map[string]*lazyre.Regexp) []string {
	if ev.Pattern == "" {
		return nil
	}
	re, ok := compiled[ev.Pattern]
	if !ok {
		re, _ = eem.CheckPattern(ev.Pattern)
	}
	if re == nil {
		return nil
	}
	return re.SubexpNames()[1:]
}

// setter is an event that sets a variable, and when.
type setter struct {
	id   string // the event's id
	when string
}

// eventVarsOf maps each variable the events of sig set to the events that
// set it: the per-event names only in a correlated DS, ds_key with a
// group-by.
//
// compiled holds patterns already compiled (the parser's), so that a
// pattern is compiled once; nil compiles each.
func eventVarsOf(sig *ds.Signature, compiled map[string]*lazyre.Regexp) map[string][]setter {
	out := map[string][]setter{}
	for _, ev := range sig.Events {
		id := ""
		if sig.Correlate != nil {
			id = ev.ID
		}
		for _, v := range EventVarNames(id, ev.Type, captureNames(ev, compiled)) {
			out[v.Name] = append(out[v.Name], setter{ev.ID, v.When})
		}
		if ev.GroupBy != "" {
			out[correlate.KeyVar] = append(out[correlate.KeyVar], setter{id: ev.ID})
		}
	}
	if sig.Correlate != nil && sig.Correlate.GroupBy != "" {
		out[correlate.KeyVar] = append(out[correlate.KeyVar], setter{})
	}
	return out
}

// VarWarnings returns what lint warns about the variables of sig, each as
// "file:line:col: warning: message": an action using a variable that only
// some fires set (a config event's ds_syslog_msg, which a watched file does
// not set; a variable only some of the correlated events set). The action
// would then fail at run time with the variable unset. A variable no event
// sets is an error of ParseSignature.
func VarWarnings(sig *ds.Signature) []string {
	if sig == nil {
		return nil
	}
	set := eventVarsOf(sig, nil)
	var out []string
	warn := func(at ds.Pos, texts ...string) {
		seen := map[string]bool{}
		for _, s := range texts {
			for _, r := range scanRefs(s) {
				setters := set[r.name]
				if r.bad != "" || seen[r.name] || len(setters) == 0 || slices.Contains(ds.SystemVariables, r.name) {
					continue
				}
				if _, declared := sig.Variable(r.name); declared {
					continue
				}
				seen[r.name] = true
				var when []string
				for _, st := range setters {
					if st.when != "" {
						when = append(when, fmt.Sprintf("%s sets it only %s", st.id, st.when))
					}
				}
				var not []string
				for _, ev := range sig.Events {
					if !slices.ContainsFunc(setters, func(st setter) bool { return st.id == ev.ID }) {
						not = append(not, ev.ID)
					}
				}
				if len(not) > 0 {
					when = append(when, fmt.Sprintf("%s %s not set it", english.OrList(not), map[bool]string{true: "does", false: "do"}[len(not) == 1]))
				}
				if len(when) == 0 {
					continue
				}
				out = append(out, fmt.Sprintf("%s: warning: variable %s may be unset when this runs (%s): "+
					"the action then fails; use it where every fire sets it, or in a script that checks it", at, r.name, strings.Join(when, "; ")))
			}
		}
	}
	for _, v := range sig.Variables {
		warn(v.Pos, v.Command)
	}
	for _, a := range sig.Actions {
		warn(a.Pos, a.Text, a.To, a.Subject)
	}
	return out
}
