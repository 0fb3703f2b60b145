package syslog

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the syslog event type to the detector table.
var Descriptor = detector.Descriptor{
	Type:    ds.EventSyslog,
	Summary: "a syslog message matches a pattern, occurs times within a period",
	README:  readme,
	Attrs: []detector.Attr{
		{Name: "pattern", Doc: "RE2 pattern matched against the message from its % tag; required; ${ds_x} filled in at registration"},
		{Name: "occurs", Doc: "matches needed, 1 to 4294967295; default 1"},
		{Name: "period", Doc: "Go duration within which the occurrences must fall; default no limit"},
		{Name: "severity", Doc: "only messages at or above this severity: emergencies … debugging, the RFC 5424 names, all, or 0-7; default all"},
		{Name: "group-by", Doc: "host or ds_syslog_ variables (ds_syslog_1, a named capture ds_syslog_nbr), space-separated: occurs and period count per key"},
		{Name: "max-keys", Doc: "with group-by: keys kept, the least recently seen forgotten first; default 1000, at most 100000"},
	},
	ParseAttrs: parseAttrs,
	EEM:        &eem.Form{Keyword: "syslog", Parse: parseEEM},
	New:        detector.Constructor(New),
	Show:       show,
	Builtins:   []string{"_syslog_msg"},
	Vars:       detector.SyslogVarList(""),
	Captures:   true,
}

// severityWords is how error messages list syslog severities.
const severityWords = "emergencies, alerts, critical, errors, warnings, notifications, informational, debugging, all or 0-7"

func parseAttrs(a detector.Attrs, ev *ds.Event) {
	ev.Occurs = 1
	if p, ok := a.Required("pattern"); ok {
		ev.Pattern = a.Pattern("pattern", p)
	}
	ev.Occurs = a.Count("occurs")
	ev.Period, _ = a.Duration("period", 0, true)
	groupBy(a, ev)
	if v, ok := a.Get("severity"); ok {
		sev, known := ds.ParseSeverity(v)
		if !known {
			a.Errorf("severity", "severity %q is not %s", a.Clip(v), severityWords)
		}
		ev.Severity = sev
	}
}

// groupBy reads group-by and max-keys: each name must be host or a
// variable the pattern sets.
func groupBy(a detector.Attrs, ev *ds.Event) {
	if v, ok := a.Get("max-keys"); ok {
		n := a.Count("max-keys")
		switch _, grouped := a.Get("group-by"); {
		case n > correlate.MaxKeysLimit:
			a.Errorf("max-keys", "max-keys %q is above the limit of %d keys", a.Clip(v), correlate.MaxKeysLimit)
		case !grouped:
			a.Errorf("max-keys", "max-keys without group-by has no keys to bound; add group-by or remove max-keys")
		default:
			ev.MaxKeys = n
		}
	}
	v, ok := a.Get("group-by")
	if !ok {
		return
	}
	keys, err := correlate.GroupKeys(v)
	if err == nil && len(keys) == 0 {
		err = errors.New("empty")
	}
	if err != nil {
		a.Errorf("group-by", "group-by %q: give host or ds_syslog_ variables, separated by spaces, such as ds_syslog_1 or \"host ds_syslog_nbr\"", a.Clip(v))
		return
	}
	if ev.Occurs > correlate.MaxRing {
		a.Errorf("occurs", "occurs %d with group-by is above the supported %d", ev.Occurs, correlate.MaxRing)
	}
	sets := map[string]bool{"host": true}
	for _, name := range ds.SyslogVariables {
		sets[name] = true
	}
	if re, err := eem.CheckPattern(ev.Pattern); err == nil && re != nil {
		for i, name := range re.SubexpNames() {
			if i > 0 {
				sets["ds_syslog_"+strconv.Itoa(i)] = true
			}
			if name != "" {
				sets["ds_syslog_"+name] = true
			}
		}
	} else {
		return // a bad pattern is reported with it
	}
	for _, k := range keys {
		if !sets[k] {
			a.Errorf("group-by", "group-by names %s, which this event does not set; it sets host, ds_syslog_host, its capture groups ds_syslog_1… and its named captures (?P<name>…) as ds_syslog_name", k)
			return
		}
	}
	ev.GroupBy = strings.Join(keys, " ")
}

// parseEEM reads `event syslog [occurs N] [period S] [priority P]
// [severity-L] pattern "RE"`; ratelimit and maxrun are every line's.
func parseEEM(l *eem.Line, kw eem.Field) error {
	l.Event.Type, l.Event.Occurs = ds.EventSyslog, 1
	opts := []eem.Option{
		eem.OccursOption(),
		eem.PeriodOption(),
		{Name: "priority", Value: "all, emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7",
			Set: func(l *eem.Line, v eem.Field) error {
				sev, ok := ds.ParseSeverity(v.Text)
				if !ok || v.Quoted {
					return l.Errorf(v.Offset, "priority %q is not all, emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7", v.Text)
				}
				l.Event.Severity = sev
				return nil
			}},
		eem.PatternOption(),
		// The severity of the published event, which the engine accepts
		// and ignores.
		{Name: "severity-<level>", Match: isEventSeverity, Set: func(*eem.Line, eem.Field) error { return nil }},
	}
	if err := l.Options("event syslog", opts); err != nil {
		return err
	}
	return l.Require(kw, "event syslog", "pattern", `pattern "<regex>"`)
}

// isEventSeverity reports whether word is an EEM severity-<level> option.
func isEventSeverity(word string) bool {
	switch word {
	case "severity-catastrophic", "severity-critical", "severity-major", "severity-minor",
		"severity-warning", "severity-normal", "severity-debugging":
		return true
	}
	return false
}

func show(e ds.Event) string {
	parts := []string{fmt.Sprintf("pattern %q", e.Pattern)}
	if e.Occurs > 1 {
		parts = append(parts, fmt.Sprintf("occurs %d", e.Occurs))
	}
	if e.Period > 0 {
		parts = append(parts, fmt.Sprintf("period %s", e.Period))
	}
	if e.GroupBy != "" {
		parts = append(parts, "per "+e.GroupBy)
	}
	if e.Severity != ds.SeverityAny {
		parts = append(parts, fmt.Sprintf("severity %s or higher", e.Severity))
	}
	return strings.Join(parts, ", ")
}
