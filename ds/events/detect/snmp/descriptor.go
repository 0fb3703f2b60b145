package snmp

import (
	_ "embed"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the snmp event type (EEM `event snmp`) to the
// detector table. Only an EEM line names it; the line is parsed and
// checked, but its detector needs the Linux event sources (issue 17).
var Descriptor = detector.Descriptor{
	Type:        ds.EventSNMP,
	Summary:     "an SNMP object, polled, meets a condition (needs the Linux event sources)",
	README:      readme,
	EEMOnly:     true,
	EEM:         &eem.Form{Keyword: "snmp", Parse: parseEEM},
	New:         detector.NeedsEventSources(ds.EventSNMP),
	Show:        detector.ShowNeedsEventSources("snmp"),
	Unavailable: "event snmp needs the Linux event sources (issue 17): it is checked but never fires in this build",
	Builtins:    []string{"_snmp_oid", "_snmp_oid_val"},
}

// parseEEM reads `event snmp oid OID get-type exact|next entry-op OP
// entry-val V [entry-type value|increment|rate] [exit-comb and|or]
// [exit-op OP exit-val V] [exit-type value|increment|rate] [exit-time S]
// poll-interval S [average-factor N]`.
func parseEEM(l *eem.Line, kw eem.Field) error {
	l.Event.Type = ds.EventSNMP
	opts := append([]eem.Option{
		{Name: "oid", Value: "a numeric OID such as 1.3.6.1.2.1.1.3.0", Set: func(l *eem.Line, v eem.Field) error {
			if !isOID(v.Text) {
				return l.Errorf(v.Offset, "oid %q is not a numeric OID such as 1.3.6.1.2.1.1.3.0", v.Text)
			}
			return nil
		}},
		eem.KeywordOption("get-type", "exact", "next"),
		eem.KeywordOption("entry-type", "value", "increment", "rate"),
		eem.KeywordOption("exit-type", "value", "increment", "rate"),
		eem.PollIntervalOption(),
		{Name: "average-factor", Value: "a whole number from 1 to 64", Set: func(l *eem.Line, v eem.Field) error {
			if n, err := strconv.Atoi(v.Text); err != nil || n < 1 || n > 64 || v.Quoted {
				return l.Errorf(v.Offset, "average-factor %q is not a whole number from 1 to 64", v.Text)
			}
			return nil
		}},
	}, eem.ThresholdOptions()...)
	if err := l.Options("event snmp", opts); err != nil {
		return err
	}
	for _, req := range [][2]string{{"oid", "oid <OID>"}, {"get-type", "get-type exact|next"}} {
		if err := l.Require(kw, "event snmp", req[0], req[1]); err != nil {
			return err
		}
	}
	if err := l.CheckThreshold(kw, "event snmp", false); err != nil {
		return err
	}
	return l.Require(kw, "event snmp", "poll-interval", "poll-interval <seconds>")
}

// isOID reports whether s is a numeric OID: at least two numbers joined
// by dots, with an optional leading dot.
func isOID(s string) bool {
	parts := strings.Split(strings.TrimPrefix(s, "."), ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil || p == "" || p[0] == '+' {
			return false
		}
	}
	return true
}
