package config

import (
	_ "embed"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the config event type to the detector table.
var Descriptor = detector.Descriptor{
	Type:    ds.EventConfig,
	Summary: "the configuration changes: a %SYS-5-CONFIG_I or CONFIG_P message, or a watched file",
	README:  readme,
	Attrs: []detector.Attr{
		{Name: "pattern", Doc: "optional RE2 pattern the change line must match; ${ds_x} filled in at registration; default every change"},
	},
	ParseAttrs: parseAttrs,
	EEM:        &eem.Form{Keyword: "config", Parse: parseEEM},
	New:        detector.Constructor(New),
	Show:       show,
	Builtins:   []string{"_syslog_msg"},
	Vars:       detector.SyslogVarList("when a syslog message reported the change, not for a watched file"),
	Captures:   true,
}

func parseAttrs(a detector.Attrs, ev *ds.Event) {
	if p, ok := a.Get("pattern"); ok && p != "" {
		ev.Pattern = a.Pattern("pattern", p)
	}
}

// parseEEM reads `event config [pattern "RE"]`.
func parseEEM(l *eem.Line, _ eem.Field) error {
	l.Event.Type = ds.EventConfig
	return l.Options("event config", []eem.Option{eem.PatternOption()})
}

func show(e ds.Event) string {
	if e.Pattern != "" {
		return fmt.Sprintf("pattern %q", e.Pattern)
	}
	return "any change"
}
