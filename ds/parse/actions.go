package parse

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
)

// actionAttrs lists, per action type, the attributes beyond type.
var actionAttrs = map[ds.ActionType][]string{
	ds.ActionCommand:  {"timeout"},
	ds.ActionCallHome: nil,
	ds.ActionEmailTo:  {"to", "subject"},
	ds.ActionScript:   {"lang", "timeout"},
	ds.ActionMessage:  {"to", "severity"},
}

// actions checks <Actions>: one or more <Action>, in document order.
func (c *checker) actions(el *etree.Element) []ds.Action {
	const what = "<Actions>"
	c.attrs(el, what)
	c.noText(el, what)
	chs := c.children(el, what, "Action")
	if len(chs) == 0 {
		c.elemError(el, "<Actions> has no <Action>")
		return nil
	}
	out := make([]ds.Action, 0, len(chs))
	for _, ch := range chs {
		if a, ok := c.action(ch); ok {
			out = append(out, a)
		}
	}
	return out
}

func (c *checker) action(el *etree.Element) (ds.Action, bool) {
	a := ds.Action{Pos: c.d.elemPos(el)}
	typ, ok := c.required(el, "<Action>", "type")
	if !ok {
		return a, false
	}
	a.Type = ds.ActionType(typ)
	allowed, known := actionAttrs[a.Type]
	if !known {
		names := make([]string, len(ds.ActionTypes))
		for i, t := range ds.ActionTypes {
			names[i] = string(t)
		}
		c.attrError(el, "type", "unknown action type %q; expected %s", clip(typ), strings.Join(names, ", "))
		return a, false
	}
	what := fmt.Sprintf("<Action type=%q>", typ)
	c.attrs(el, what, append([]string{"type"}, allowed...)...)
	c.children(el, what)
	text := c.d.text(el)
	trimmed := strings.TrimSpace(text)
	switch a.Type {
	case ds.ActionCommand:
		a.Text = trimmed
		if trimmed == "" {
			c.elemError(el, "%s needs the command as its text, such as show version", what)
		}
		a.Timeout = c.timeout(el)
	case ds.ActionCallHome:
		c.noText(el, what)
	case ds.ActionEmailTo:
		a.Text = trimmed
		a.Subject, _ = attr(el, "subject")
		if to, ok := c.required(el, what, "to"); ok {
			a.To = to
			c.addresses(el, to)
		}
	case ds.ActionScript:
		a.Text = text
		if lang, ok := c.required(el, what, "lang"); ok {
			a.Lang = lang
			switch strings.ToLower(lang) {
			case "lua":
				a.Lang = "lua"
			case "tcl":
				c.attrError(el, "lang", `lang "%s": the engine runs Lua scripts in place of Tcl; rewrite the script in Lua (the EEM Tcl API names are available) and set lang="lua"`, lang)
			default:
				c.attrError(el, "lang", `lang %q is not supported; scripts are Lua: lang="lua"`, clip(lang))
			}
		}
		if trimmed == "" {
			c.elemError(el, "%s needs the Lua script as its text (a CDATA section keeps < and & as they are)", what)
		}
		a.Timeout = c.timeout(el)
	case ds.ActionMessage:
		a.Text = trimmed
		a.To = c.oneOf(el, "to", "syslog", "syslog", "terminals")
		a.Severity = 5
		if v, ok := attr(el, "severity"); ok {
			sev, known := ds.ParseSeverity(v)
			if !known || sev == ds.SeverityAny {
				c.attrError(el, "severity", "severity %q is not emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7", clip(v))
			} else {
				a.Severity = sev
			}
		}
		if trimmed == "" {
			c.elemError(el, "%s needs the message as its text", what)
		}
	}
	return a, true
}

// timeout reads the optional timeout of a command or script, kept as
// written once checked.
func (c *checker) timeout(el *etree.Element) string {
	if _, ok := c.duration(el, "timeout", time.Duration(0), true); ok {
		v, _ := attr(el, "timeout")
		return v
	}
	return ""
}

// addresses checks a comma-separated list of mail addresses; an address
// holding ${ds_x} is only known at run time.
func (c *checker) addresses(el *etree.Element, to string) {
	for _, addr := range strings.Split(to, ",") {
		addr = strings.TrimSpace(addr)
		switch {
		case addr == "":
			c.attrError(el, "to", "to %q has an empty address; separate addresses with commas", clip(to))
			return
		case strings.Contains(addr, "${"):
		default:
			if _, err := mail.ParseAddress(addr); err != nil {
				c.attrError(el, "to", "address %q is not valid: %s", clip(addr), clipErr(err, "mail: "))
			}
		}
	}
}
