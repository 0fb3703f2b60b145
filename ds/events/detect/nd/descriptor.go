package nd

import (
	_ "embed"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the neighbor-discovery event type (EEM `event neighbor-discovery`) to the
// detector table. Only an EEM line names it; the line is parsed and
// checked, but its detector needs the Linux event sources (issue 17).
var Descriptor = detector.Descriptor{
	Type:        ds.EventNeighbor,
	Summary:     "a CDP or LLDP neighbour appears or goes (needs the Linux event sources)",
	README:      readme,
	EEMOnly:     true,
	EEM:         &eem.Form{Keyword: "neighbor-discovery", Parse: parseEEM},
	New:         detector.NeedsEventSources(ds.EventNeighbor),
	Show:        detector.ShowNeedsEventSources("neighbor-discovery"),
	Unavailable: "event neighbor-discovery needs the Linux event sources (issue 17): it is checked but never fires in this build",
	Builtins:    []string{"_nd_protocol", "_nd_notification", "_nd_local_intf_name", "_nd_port_id"},
}

// parseEEM reads `event neighbor-discovery interface [regexp] REGEX
// [cdp add|delete|all] [lldp add|delete|all]`, with cdp, lldp or both.
func parseEEM(l *eem.Line, kw eem.Field) error {
	l.Event.Type = ds.EventNeighbor
	const what = "event neighbor-discovery"
	opts := []eem.Option{
		{Name: "interface", Value: "a regular expression of interface names", Set: func(l *eem.Line, v eem.Field) error {
			// IOS writes `interface regexp RE`; `interface RE` is accepted too.
			if !v.Quoted && v.Text == "regexp" {
				next, ok := l.Next()
				if !ok {
					return l.Errorf(v.Offset, "missing value after interface regexp; expected a regular expression of interface names")
				}
				v = next
			}
			if v.Text == "" {
				return l.Errorf(v.Offset, "empty interface pattern")
			}
			if _, err := eem.CheckPattern(v.Text); err != nil {
				return l.Errorf(v.Offset, "interface pattern is not a valid RE2 regular expression: %v", err)
			}
			return nil
		}},
		eem.KeywordOption("cdp", "add", "delete", "all"),
		eem.KeywordOption("lldp", "add", "delete", "all"),
	}
	if err := l.Options(what, opts); err != nil {
		return err
	}
	if err := l.Require(kw, what, "interface", "interface <regex>"); err != nil {
		return err
	}
	if !l.Seen("cdp") && !l.Seen("lldp") {
		return l.Errorf(kw.Offset, "%s needs cdp add|delete|all, lldp add|delete|all, or both", what)
	}
	return nil
}
