package counter

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

// Descriptor describes the counter event type (EEM `event counter`) to
// the detector table. Only an EEM line names it.
var Descriptor = detector.Descriptor{
	Type:     ds.EventCounter,
	Summary:  "an EEM counter, changed by applets' action counter, meets a condition",
	README:   readme,
	EEMOnly:  true,
	EEM:      &eem.Form{Keyword: "counter", Parse: parseEEM},
	New:      detector.Constructor(New),
	Show:     show,
	Builtins: []string{"_counter_name", "_counter_value_remain"},
}

// parseEEM reads `event counter name N entry-op OP entry-val V
// [exit-comb and|or] [exit-op OP exit-val V] [exit-time S]`, with an
// exit-op or an exit-time.
func parseEEM(l *eem.Line, kw eem.Field) error {
	l.Event.Type = ds.EventCounter
	name := eem.Option{Name: "name", Value: "a counter name", Set: func(l *eem.Line, v eem.Field) error {
		if v.Text == "" {
			return l.Errorf(v.Offset, "empty counter name")
		}
		l.Event.Name = v.Text
		return nil
	}}
	if err := l.Options("event counter", append([]eem.Option{name}, eem.ThresholdOptions()...)); err != nil {
		return err
	}
	if err := l.Require(kw, "event counter", "name", "name <counter>"); err != nil {
		return err
	}
	return l.CheckThreshold(kw, "event counter", true)
}

func show(e ds.Event) string {
	t := e.Threshold
	parts := []string{fmt.Sprintf("counter %q %s %d", e.Name, t.EntryOp, t.EntryVal)}
	var exit []string
	if t.ExitOp != "" {
		exit = append(exit, fmt.Sprintf("%s %d", t.ExitOp, t.ExitVal))
	}
	if t.ExitTime > 0 {
		exit = append(exit, fmt.Sprintf("after %s", t.ExitTime))
	}
	if len(exit) > 0 {
		comb := " or "
		if t.ExitComb == "and" {
			comb = " and "
		}
		parts = append(parts, "re-armed when "+strings.Join(exit, comb))
	}
	return strings.Join(parts, ", ")
}
