package cli

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

// Descriptor describes the cli event type (EEM `event cli`) to the
// detector table. Only an EEM line names it.
var Descriptor = detector.Descriptor{
	Type:     ds.EventCLI,
	Summary:  "a command an operator runs through dsengine matches a pattern",
	README:   readme,
	EEMOnly:  true,
	EEM:      &eem.Form{Keyword: "cli", Parse: parseEEM},
	New:      detector.Constructor(New),
	Show:     show,
	Builtins: []string{"_cli_msg"},
	Captures: true,
}

// parseEEM reads `event cli pattern "RE" [sync yes|no] [skip yes|no]
// [occurs N] [period S]`.
func parseEEM(l *eem.Line, det eem.Field) error {
	l.Event.Type, l.Event.Occurs = ds.EventCLI, 1
	yesNo := func(name string) eem.Option {
		return eem.Option{Name: name, Value: "yes or no", Set: func(l *eem.Line, v eem.Field) error {
			if v.Text != "yes" && v.Text != "no" {
				return l.Errorf(v.Offset, "%s %q is not yes or no", name, v.Text)
			}
			return nil
		}}
	}
	opts := []eem.Option{
		eem.PatternOption(),
		yesNo("sync"),
		yesNo("skip"),
		eem.OccursOption(),
		eem.PeriodOption(),
	}
	if err := l.Options("event cli", opts); err != nil {
		return err
	}
	return l.Require(det, "event cli", "pattern", `pattern "<regex>"`)
}

func show(e ds.Event) string {
	parts := []string{fmt.Sprintf("pattern %q", e.Pattern)}
	if e.Occurs > 1 {
		parts = append(parts, fmt.Sprintf("occurs %d", e.Occurs))
	}
	if e.Period > 0 {
		parts = append(parts, fmt.Sprintf("period %s", e.Period))
	}
	return strings.Join(parts, ", ")
}
