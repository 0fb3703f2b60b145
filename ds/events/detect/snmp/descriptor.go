package snmp

import (
	_ "embed"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the snmp event type (EEM `event snmp`) to the
// detector table. Only an EEM line names it; the detector polls the
// configuration's `snmp agent`.
var Descriptor = detector.Descriptor{
	Type:     ds.EventSNMP,
	Summary:  "an SNMP object of the `snmp agent`, polled, meets a condition",
	README:   readme,
	EEMOnly:  true,
	EEM:      &eem.Form{Keyword: "snmp", Parse: parseEEM},
	New:      detector.Constructor(New),
	Show:     show,
	Builtins: []string{"_snmp_oid", "_snmp_oid_val"},
}

// spec is what a line asks besides its threshold (ds.Event.Threshold).
type spec struct {
	oid                 string
	next                bool
	entryType, exitType string // value, increment or rate
	interval            time.Duration
	average             int // average-factor: polls averaged for rate
}

// specOf reads the spec of a parsed event back from its line.
func specOf(ev ds.Event) (spec, error) {
	var s spec
	_, err := eem.Parse(ev.EEMLine, []eem.Form{{Keyword: "snmp", Parse: func(l *eem.Line, kw eem.Field) error {
		return parseSpec(l, kw, &s)
	}}})
	return s, err
}

func show(e ds.Event) string {
	if e.EEMLine == "" {
		return "snmp"
	}
	return e.EEMLine
}

// parseEEM reads `event snmp oid OID get-type exact|next entry-op OP
// entry-val V [entry-type value|increment|rate] [exit-comb and|or]
// [exit-op OP exit-val V] [exit-type value|increment|rate] [exit-time S]
// poll-interval S [average-factor N]`.
func parseEEM(l *eem.Line, kw eem.Field) error {
	var s spec
	return parseSpec(l, kw, &s)
}

func parseSpec(l *eem.Line, kw eem.Field, s *spec) error {
	l.Event.Type = ds.EventSNMP
	s.entryType, s.exitType, s.average = "value", "value", 1
	keyword := func(name string, dst *string, words ...string) eem.Option {
		o := eem.KeywordOption(name, words...)
		check := o.Set
		o.Set = func(l *eem.Line, v eem.Field) error {
			*dst = v.Text
			return check(l, v)
		}
		return o
	}
	var getType string
	poll := eem.PollIntervalOption()
	checkPoll := poll.Set
	poll.Set = func(l *eem.Line, v eem.Field) error {
		if err := checkPoll(l, v); err != nil {
			return err
		}
		s.interval, _ = l.Seconds("poll-interval", v)
		return nil
	}
	opts := append([]eem.Option{
		{Name: "oid", Value: "a numeric OID such as 1.3.6.1.2.1.1.3.0", Set: func(l *eem.Line, v eem.Field) error {
			if !isOID(v.Text) {
				return l.Errorf(v.Offset, "oid %q is not a numeric OID such as 1.3.6.1.2.1.1.3.0", v.Text)
			}
			s.oid = strings.TrimPrefix(v.Text, ".")
			return nil
		}},
		keyword("get-type", &getType, "exact", "next"),
		keyword("entry-type", &s.entryType, "value", "increment", "rate"),
		keyword("exit-type", &s.exitType, "value", "increment", "rate"),
		poll,
		{Name: "average-factor", Value: "a whole number from 1 to 64", Set: func(l *eem.Line, v eem.Field) error {
			n, err := strconv.Atoi(v.Text)
			if err != nil || n < 1 || n > 64 || v.Quoted {
				return l.Errorf(v.Offset, "average-factor %q is not a whole number from 1 to 64", v.Text)
			}
			s.average = n
			return nil
		}},
	}, eem.ThresholdOptions()...)
	if err := l.Options("event snmp", opts); err != nil {
		return err
	}
	s.next = getType == "next"
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
