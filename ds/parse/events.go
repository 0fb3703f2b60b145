package parse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// eventAttrs lists, per event type, the attributes beyond id and type.
var eventAttrs = map[ds.EventType][]string{
	ds.EventSyslog:    {"pattern", "occurs", "period", "severity"},
	ds.EventPeriodic:  {"cron", "interval"},
	ds.EventOIR:       {"slot", "action"},
	ds.EventConfig:    {"pattern"},
	ds.EventImmediate: nil,
	ds.EventCallHome:  {"alert-group"},
	ds.EventEEM:       nil,
	ds.EventTrack:     {"object", "state"},
}

// severityWords is how error messages list syslog severities.
const severityWords = "emergencies, alerts, critical, errors, warnings, notifications, informational, debugging, all or 0-7"

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
	allowed, known := eventAttrs[ev.Type]
	if !known {
		names := make([]string, len(ds.EventTypes))
		for i, t := range ds.EventTypes {
			names[i] = string(t)
		}
		c.attrError(el, "type", "unknown event type %q; expected %s", clip(typ), strings.Join(names, ", "))
		return ev, idAt
	}
	what := fmt.Sprintf("<Event type=%q>", typ)
	c.attrs(el, what, append([]string{"id", "type"}, allowed...)...)
	c.children(el, what)
	if ev.Type != ds.EventEEM {
		c.noText(el, what)
	}
	switch ev.Type {
	case ds.EventSyslog:
		ev.Occurs = 1
		if p, ok := c.required(el, what, "pattern"); ok {
			ev.Pattern = c.pattern(el, "pattern", p)
		}
		ev.Occurs = c.count(el, "occurs")
		ev.Period, _ = c.duration(el, "period", 0, true)
		if v, ok := attr(el, "severity"); ok {
			sev, known := ds.ParseSeverity(v)
			if !known {
				c.attrError(el, "severity", "severity %q is not %s", clip(v), severityWords)
			}
			ev.Severity = sev
		}
	case ds.EventPeriodic:
		cron, hasCron := attr(el, "cron")
		_, hasInterval := attr(el, "interval")
		switch {
		case hasCron && hasInterval:
			c.attrError(el, "interval", "%s takes cron or interval, not both", what)
		case hasCron:
			ev.Timer, ev.Cron = ds.TimerCron, strings.TrimSpace(cron)
			if err := eem.CheckCron(cron, true); err != nil {
				c.attrError(el, "cron", "cron %q: %s", clip(cron), clipErr(err, ""))
			}
		case hasInterval:
			ev.Timer = ds.TimerInterval
			ev.Interval, _ = c.duration(el, "interval", time.Second, true)
		default:
			c.elemError(el, `%s needs cron="<minute hour day month weekday>" or interval="<duration>"`, what)
		}
	case ds.EventOIR:
		ev.Slot = ds.SlotAny
		if v, ok := attr(el, "slot"); ok && v != "any" {
			n, err := strconv.ParseUint(v, 10, 31)
			if err != nil {
				c.attrError(el, "slot", "slot %q is not a slot number (0 or more) or any", clip(v))
			}
			ev.Slot = int(n)
		}
		ev.OIRAction = c.oneOf(el, "action", "any", "insert", "remove", "any")
	case ds.EventConfig:
		if p, ok := attr(el, "pattern"); ok && p != "" {
			ev.Pattern = c.pattern(el, "pattern", p)
		}
	case ds.EventCallHome:
		if v, ok := c.required(el, what, "alert-group"); ok {
			ev.AlertGroup = c.alertGroup(el, v)
		}
	case ds.EventEEM:
		return c.eemEvent(el, ev, idAt)
	case ds.EventTrack:
		if v, ok := c.required(el, what, "object"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				c.attrError(el, "object", "object %q is not a track object number from 1 to 1000", clip(v))
			}
			ev.TrackObject = n
		}
		ev.TrackState = c.oneOf(el, "state", "any", "up", "down", "any")
	}
	return ev, idAt
}

// eemEvent parses the EEM event line in the element's text. The event
// keeps the element's id and position; its type is what the line detects.
func (c *checker) eemEvent(el *etree.Element, xmlEv ds.Event, idAt ds.Pos) (ds.Event, ds.Pos) {
	text := c.d.text(el)
	if strings.TrimSpace(text) == "" {
		c.elemError(el, `<Event type="eem"> needs an EEM event line as its text, such as event syslog pattern "LINK-3-UPDOWN"`)
		return xmlEv, idAt
	}
	ev, err := eem.ParseEvent(text)
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
	if _, err := eem.CheckPattern(p); err != nil {
		c.attrError(el, key, "%s is not a valid RE2 regular expression: %s", key, clipErr(err, ""))
	}
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

// alertGroup checks the alert-group of a call-home event: one of
// config.AlertGroups(). The IOS diagnostic group is refused with the
// reason: nothing on Linux would ever send its messages.
func (c *checker) alertGroup(el *etree.Element, v string) string {
	names := make([]string, 0, len(config.AlertGroups()))
	for _, g := range config.AlertGroups() {
		names = append(names, string(g))
	}
	if v == string(config.GroupDiagnostic) {
		c.attrError(el, "alert-group", "alert-group %q never sends on Linux: it carries the results of a line card's "+
			"online diagnostics (GOLD), which a Linux host does not run, so the DS's commands would never go out; use %s",
			v, orList(names))
		return ""
	}
	return c.oneOf(el, "alert-group", "", names...)
}
