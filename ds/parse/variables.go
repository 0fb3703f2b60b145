package parse

import (
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/parse/eem"
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
// malformed or names a variable that is neither declared nor built in.
func (c *checker) references(el *etree.Element) {
	check := func(s string, at func(off int) ds.Pos) {
		if !strings.Contains(s, "${") {
			return
		}
		for _, r := range scanRefs(s) {
			switch {
			case r.bad != "":
				c.errorAt(at(r.off), "%s", r.bad)
			case !c.declared[r.name] && builtinVar(r.name) == "" && !c.eventSet[r.name]:
				c.errorAt(at(r.off), "variable %s is used but not declared; add <Variable name=%q .../>", clip(r.name), clip(r.name))
			}
		}
	}
	for _, a := range el.Attr {
		key := a.FullKey()
		check(a.Value, func(int) ds.Pos { return c.d.attrPos(el, key) }) // attrPos is cached per element
	}
	check(c.d.text(el), func(off int) ds.Pos { return c.d.textPos(el, off) })
	for _, ch := range el.ChildElements() {
		c.references(ch)
	}
}
