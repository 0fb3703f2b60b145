package syslog

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
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
	if v, ok := a.Get("severity"); ok {
		sev, known := ds.ParseSeverity(v)
		if !known {
			a.Errorf("severity", "severity %q is not %s", a.Clip(v), severityWords)
		}
		ev.Severity = sev
	}
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
	if e.Severity != ds.SeverityAny {
		parts = append(parts, fmt.Sprintf("severity %s or higher", e.Severity))
	}
	return strings.Join(parts, ", ")
}
