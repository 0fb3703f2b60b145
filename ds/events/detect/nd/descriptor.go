package nd

import (
	_ "embed"
	"regexp"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the neighbor-discovery event type (EEM `event
// neighbor-discovery`) to the detector table. Only an EEM line names it;
// a source (`source lldp`) publishes the changes it detects.
var Descriptor = detector.Descriptor{
	Type:     ds.EventNeighbor,
	Summary:  "an LLDP (or, through lldpd, CDP) neighbour is added, deleted or updated (needs source lldp)",
	README:   readme,
	EEMOnly:  true,
	EEM:      &eem.Form{Keyword: "neighbor-discovery", Parse: parseEEM},
	New:      detector.Constructor(New),
	Show:     show,
	Builtins: builtins,
}

var builtins = []string{"_nd_protocol", "_nd_notification", "_nd_local_intf_name", "_nd_short_local_intf_name", "_nd_port_id",
	"_nd_lldp_chassis_id", "_nd_lldp_system_name", "_nd_lldp_system_description", "_nd_lldp_port_description",
	"_nd_lldp_ttl", "_nd_lldp_capabilities", "_nd_lldp_enabled_capabilities", "_nd_lldp_mgmt_address",
	"_nd_cdp_entry_name", "_nd_cdp_platform", "_nd_cdp_capabilities", "_nd_cdp_hold_time", "_nd_cdp_mgmt_address"}

// spec is what an event line asks for: the interface pattern and, per
// protocol, the notification (Add, Delete, Update or "all"; "" when the
// line does not name the protocol).
type spec struct {
	intf      string
	cdp, lldp string
}

// parseEEM reads `event neighbor-discovery interface [regexp] REGEX
// [cdp add|delete|update|all] [lldp add|delete|update|all]`, with cdp,
// lldp or both.
func parseEEM(l *eem.Line, kw eem.Field) error {
	var s spec
	return parseSpec(l, kw, &s)
}

func parseSpec(l *eem.Line, kw eem.Field, s *spec) error {
	l.Event.Type = ds.EventNeighbor
	const what = "event neighbor-discovery"
	notif := func(name string, dst *string) eem.Option {
		o := eem.KeywordOption(name, Add, Delete, Update, "all")
		check := o.Set
		o.Set = func(l *eem.Line, v eem.Field) error {
			*dst = v.Text
			return check(l, v)
		}
		return o
	}
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
			s.intf = v.Text
			return nil
		}},
		notif("cdp", &s.cdp),
		notif("lldp", &s.lldp),
	}
	if err := l.Options(what, opts); err != nil {
		return err
	}
	if err := l.Require(kw, what, "interface", "interface <regex>"); err != nil {
		return err
	}
	if !l.Seen("cdp") && !l.Seen("lldp") {
		return l.Errorf(kw.Offset, "%s needs cdp add|delete|update|all, lldp add|delete|update|all, or both", what)
	}
	return nil
}

// specOf reads the spec of a parsed event back from its line.
func specOf(ev ds.Event) (spec, *regexp.Regexp, error) {
	var s spec
	_, err := eem.Parse(ev.EEMLine, []eem.Form{{Keyword: "neighbor-discovery", Parse: func(l *eem.Line, kw eem.Field) error {
		return parseSpec(l, kw, &s)
	}}})
	if err != nil {
		return s, nil, err
	}
	re, err := regexp.Compile(s.intf)
	return s, re, err
}

func show(e ds.Event) string {
	if e.EEMLine == "" {
		return "neighbor-discovery"
	}
	return e.EEMLine
}
