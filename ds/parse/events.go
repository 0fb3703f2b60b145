package parse

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dsengine/dsengine/internal/lazyre"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/events/match"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// reservedIDs are words of the Correlate expression language that cannot
// name an event.
var reservedIDs = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "true": true, "false": true, "nil": true,
	"matches": true, "contains": true, "startsWith": true, "endsWith": true, "let": true, "if": true, "else": true,
	"count": true, "seq": true,
}

// events checks <Events>: one or more <Event>, and a <Correlate> when there
// are several.
func (c *checker) events(el *etree.Element) ([]ds.Event, *ds.Correlate) {
	const what = "<Events>"
	c.attrs(el, what)
	c.noText(el, what)
	var evEls []*etree.Element
	var corrEl *etree.Element
	for _, ch := range c.children(el, what, "Event", "Correlate") {
		switch {
		case ch.Tag == "Event":
			evEls = append(evEls, ch)
		case corrEl != nil:
			c.elemError(ch, "duplicate <Correlate>; <Events> has one (the first is on line %d)", c.d.elemPos(corrEl).Line)
		default:
			corrEl = ch
		}
	}
	if len(evEls) == 0 {
		c.elemError(el, "<Events> has no <Event>")
		return nil, nil
	}
	if len(evEls) > MaxEvents {
		c.elemError(el, "<Events> has %d events; the limit is %d: each event adds to the cost of every line for every DS on the host, so split the DS or correlate fewer events",
			len(evEls), MaxEvents)
	}
	several := len(evEls) > 1
	events := make([]ds.Event, 0, len(evEls))
	firstUse := make(map[string]ds.Pos)
	var ids []string
	for _, evEl := range evEls {
		ev, idAt := c.event(evEl)
		_, hasID := attr(evEl, "id")
		if ev.ID == "" && !hasID && !several {
			ev.ID = "e1"
		}
		switch {
		case ev.ID == "" && hasID:
			// reported by event
		case ev.ID == "":
			c.elemError(evEl, "missing required attribute \"id\" on <Event>; every event needs one when there are several")
		case !isIdentifier(ev.ID):
			c.errorAt(idAt, "event id %q is not an identifier: a letter or _, then letters, digits or _", clip(ev.ID))
		case reservedIDs[ev.ID]:
			c.errorAt(idAt, "event id %q is a reserved word of the Correlate expression language", clip(ev.ID))
		default:
			if p, dup := firstUse[ev.ID]; dup {
				c.errorAt(idAt, "duplicate event id %q (first used on line %d)", clip(ev.ID), p.Line)
				break
			}
			firstUse[ev.ID] = idAt
			ids = append(ids, ev.ID)
		}
		events = append(events, ev)
	}
	if len(evEls) <= MaxEvents {
		c.literalFree(events)
	}
	if corrEl == nil {
		if several {
			hint := "e1 and e2"
			if len(ids) > 1 {
				hint = clip(ids[0]) + " and " + clip(ids[1])
			}
			c.elemError(el, "%d events but no <Correlate>; add one such as <Correlate>%s</Correlate>", len(evEls), hint)
		}
		return events, nil
	}
	return events, c.correlate(corrEl, ids)
}

// MaxEvents is the most <Event> elements a DS may have.
const MaxEvents = 64

// MaxLiteralFreePatterns is the most syslog patterns without a literal of
// three bytes a DS may have. The match index finds the other patterns by
// their literal (usually %FACILITY-SEVERITY-MNEMONIC) and runs only those
// a line contains; it must run these on every line, for every line any
// DS on the host receives.
const MaxLiteralFreePatterns = 8

// literalFree refuses more than MaxLiteralFreePatterns syslog patterns
// without a literal, at the first one past the limit. A ${ds_x} in a
// pattern is one byte of literal here: its value is not known.
func (c *checker) literalFree(evs []ds.Event) {
	n := 0
	var at ds.Pos
	for _, ev := range evs {
		if ev.Type != ds.EventSyslog || ev.Pattern == "" {
			continue
		}
		re, checked := c.patterns[ev.Pattern]
		if !checked { // an EEM line's, checked by package eem
			re, _ = eem.CheckPattern(ev.Pattern)
		}
		if re == nil || !match.LiteralFreeExpr(re.String()) {
			continue // a bad pattern is reported with its event
		}
		if n++; n == MaxLiteralFreePatterns+1 {
			at = ev.Pos
		}
	}
	if n > MaxLiteralFreePatterns {
		c.errorAt(at, "%d syslog patterns have no literal of 3 bytes (they run on every line); the limit is %d per DS: "+
			"start each pattern with its message's %%FACILITY-SEVERITY-MNEMONIC", n, MaxLiteralFreePatterns)
	}
}

// event checks one <Event>. It returns the event and where its id is
// written (the id attribute, the tag of an EEM line, or the element).
func (c *checker) event(el *etree.Element) (ds.Event, ds.Pos) {
	ev := ds.Event{Pos: c.d.elemPos(el), Severity: ds.SeverityAny}
	idAt := ev.Pos
	if id, ok := attr(el, "id"); ok {
		ev.ID, idAt = id, c.d.attrPos(el, "id")
		if id == "" {
			c.attrError(el, "id", "empty attribute \"id\" on <Event>")
		}
	}
	typ, ok := c.required(el, "<Event>", "type")
	if !ok {
		return ev, idAt
	}
	ev.Type = ds.EventType(typ)
	d, known := types.Lookup(ev.Type)
	if !known || d.EEMOnly {
		var names []string
		for _, t := range types.DSTypes() {
			names = append(names, string(t))
		}
		c.attrError(el, "type", "unknown event type %q; expected %s", clip(typ), strings.Join(names, ", "))
		return ev, idAt
	}
	what := fmt.Sprintf("<Event type=%q>", typ)
	allowed := []string{"id", "type"}
	for _, a := range d.Attrs {
		allowed = append(allowed, a.Name)
	}
	c.attrs(el, what, allowed...)
	c.children(el, what)
	if ev.Type == ds.EventEEM {
		return c.eemEvent(el, ev, idAt)
	}
	c.noText(el, what)
	if d.ParseAttrs != nil {
		d.ParseAttrs(elemAttrs{c: c, el: el, what: what}, &ev)
	}
	return ev, idAt
}

// elemAttrs reads the attributes and text of one <Event> or <Action> for
// its type's descriptor (detector.Attrs, action.Attrs), reporting into the
// checker's errors.
type elemAttrs struct {
	c    *checker
	el   *etree.Element
	what string
}

func (a elemAttrs) What() string                   { return a.what }
func (a elemAttrs) Get(name string) (string, bool) { return attr(a.el, name) }
func (a elemAttrs) Required(name string) (string, bool) {
	return a.c.required(a.el, a.what, name)
}
func (a elemAttrs) Count(name string) int { return a.c.count(a.el, name) }
func (a elemAttrs) Duration(name string, min time.Duration, positive bool) (time.Duration, bool) {
	return a.c.duration(a.el, name, min, positive)
}
func (a elemAttrs) OneOf(name, dflt string, allowed ...string) string {
	return a.c.oneOf(a.el, name, dflt, allowed...)
}
func (a elemAttrs) Pattern(name, value string) string { return a.c.pattern(a.el, name, value) }
func (a elemAttrs) Errorf(name, format string, args ...any) {
	a.c.attrError(a.el, name, format, args...)
}
func (a elemAttrs) ElemErrorf(format string, args ...any) { a.c.elemError(a.el, format, args...) }
func (a elemAttrs) Clip(s string) string                  { return clip(s) }
func (a elemAttrs) ClipErr(err error) string              { return clipErr(err, "") }
func (a elemAttrs) Text() string                          { return a.c.d.text(a.el) }
func (a elemAttrs) NoText()                               { a.c.noText(a.el, a.what) }

// eemEvent parses the EEM event line in the element's text. The event
// keeps the element's id and position; its type is what the line detects.
func (c *checker) eemEvent(el *etree.Element, xmlEv ds.Event, idAt ds.Pos) (ds.Event, ds.Pos) {
	text := c.d.text(el)
	if strings.TrimSpace(text) == "" {
		c.elemError(el, `<Event type="eem"> needs an EEM event line as its text, such as event syslog pattern "LINK-3-UPDOWN"`)
		return xmlEv, idAt
	}
	ev, err := types.ParseEEM(text)
	if err != nil {
		var se *eem.SyntaxError
		if errors.As(err, &se) {
			c.errorAt(c.d.textPos(el, se.Offset), "EEM event line: %s", clipMsg(se.Msg))
		} else {
			c.elemError(el, "EEM event line: %s", clipErr(err, ""))
		}
		return xmlEv, idAt
	}
	ev.Pos = xmlEv.Pos
	if ev.ID != "" {
		tagAt := c.d.textPos(el, tagOffset(text))
		switch {
		case xmlEv.ID == "":
			idAt = tagAt
		case ev.ID != xmlEv.ID:
			c.errorAt(tagAt, "EEM event tag %q does not match id=%q", clip(ev.ID), clip(xmlEv.ID))
		}
	}
	if xmlEv.ID != "" {
		ev.ID = xmlEv.ID
	}
	return ev, idAt
}

// tagOffset finds the name after "event tag" in an EEM line.
func tagOffset(line string) int {
	f, err := eem.Fields(line)
	if err != nil || len(f) < 3 {
		return 0
	}
	return f[2].Offset
}

// pattern checks an RE2 pattern attribute (with ${ds_x} placeholders).
func (c *checker) pattern(el *etree.Element, key, p string) string {
	re, err := eem.CheckPattern(p)
	if err != nil {
		c.attrError(el, key, "%s is not a valid RE2 regular expression: %s", key, clipErr(err, ""))
	}
	if c.patterns == nil {
		c.patterns = map[string]*lazyre.Regexp{}
	}
	c.patterns[p] = re
	return p
}

// isIdentifier reports whether s is [A-Za-z_][A-Za-z0-9_]*.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		letter := ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z'
		if !letter && (i == 0 || ch < '0' || ch > '9') {
			return false
		}
	}
	return true
}
