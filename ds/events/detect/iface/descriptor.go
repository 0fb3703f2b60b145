package iface

import (
	_ "embed"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the interface event type (EEM `event interface`) to the
// detector table. Only an EEM line names it.
var Descriptor = detector.Descriptor{
	Type:     ds.EventInterface,
	Summary:  "an interface counter of /sys/class/net, polled, meets a condition",
	README:   readme,
	EEMOnly:  true,
	EEM:      &eem.Form{Keyword: "interface", Parse: parseEEM},
	New:      detector.Constructor(New),
	Show:     show,
	Builtins: []string{"_interface_name", "_interface_parameter", "_interface_value"},
}

// spec is what an `event interface` line says besides its threshold
// (which ds.Event.Threshold holds).
type spec struct {
	name, parameter     string
	entryType, exitType string // "value", "increment" or "rate"
	exitEvent           bool
	averageFactor       int
	poll                time.Duration
}

// parseSpec reads the spec of an event's line (ds.Event keeps only the
// threshold of it).
func parseSpec(line string) (spec, error) {
	sp := spec{entryType: "value", exitType: "value", averageFactor: 1}
	_, err := eem.Parse(line, []eem.Form{{Keyword: "interface", Parse: func(l *eem.Line, kw eem.Field) error {
		return parseLine(l, kw, &sp)
	}}})
	return sp, err
}

func show(e ds.Event) string {
	if e.EEMLine == "" {
		return "interface"
	}
	return e.EEMLine
}

// Parameters are the interface counters `parameter` names, as IOS spells
// them.
func Parameters() []string {
	return []string{"input_errors", "input_errors_crc", "input_errors_frame", "input_errors_overrun",
		"input_packets_dropped", "interface_resets", "output_buffer_failures", "output_buffer_swappedout",
		"output_errors", "output_errors_underrun", "output_packets_dropped", "receive_broadcasts", "receive_giants",
		"receive_rate_bps", "receive_rate_pps", "receive_runts", "receive_throttle", "reliability_receive",
		"reliability_transmit", "rxload", "transmit_rate_bps", "transmit_rate_pps", "txload"}
}

// parseEEM reads `event interface name IF parameter P entry-op OP
// entry-val V [entry-type value|increment|rate] [exit-comb and|or]
// [exit-op OP exit-val V] [exit-type value|increment|rate] [exit-time S]
// [exit-event true|false] [average-factor N] poll-interval S`.
func parseEEM(l *eem.Line, kw eem.Field) error { return parseLine(l, kw, &spec{}) }

// parseLine reads the line into l.Event and sp.
func parseLine(l *eem.Line, kw eem.Field, sp *spec) error {
	l.Event.Type = ds.EventInterface
	params := Parameters()
	opts := append([]eem.Option{
		{Name: "name", Value: "an interface name such as eth0", Set: func(l *eem.Line, v eem.Field) error {
			if v.Text == "" || strings.ContainsAny(v.Text, " \t") {
				return l.Errorf(v.Offset, "name %q is not an interface name such as eth0", v.Text)
			}
			sp.name = v.Text
			return nil
		}},
		{Name: "parameter", Value: "an interface counter such as input_errors", Set: func(l *eem.Line, v eem.Field) error {
			if v.Quoted || !slices.Contains(params, v.Text) {
				// The list is part of the format, so Errorf does not shorten it.
				return l.Errorf(v.Offset, "parameter %q is not one of "+strings.Join(params, ", "), v.Text)
			}
			sp.parameter = v.Text
			return nil
		}},
		keyword(eem.KeywordOption("entry-type", "value", "increment", "rate"), &sp.entryType),
		keyword(eem.KeywordOption("exit-type", "value", "increment", "rate"), &sp.exitType),
		keyword(eem.KeywordOption("exit-event", "true", "false"), nil, func(v string) { sp.exitEvent = v == "true" }),
		keyword(eem.PollIntervalOption(), nil, func(v string) { sp.poll, _ = eem.ParseSeconds(v) }),
		{Name: "average-factor", Value: "a whole number from 1 to 64", Set: func(l *eem.Line, v eem.Field) error {
			n, err := strconv.Atoi(v.Text)
			if err != nil || n < 1 || n > 64 || v.Quoted {
				return l.Errorf(v.Offset, "average-factor %q is not a whole number from 1 to 64", v.Text)
			}
			sp.averageFactor = n
			return nil
		}},
	}, eem.ThresholdOptions()...)
	if err := l.Options("event interface", opts); err != nil {
		return err
	}
	for _, req := range [][2]string{{"name", "name <interface>"}, {"parameter", "parameter <counter>"}} {
		if err := l.Require(kw, "event interface", req[0], req[1]); err != nil {
			return err
		}
	}
	if err := l.CheckThreshold(kw, "event interface", false); err != nil {
		return err
	}
	return l.Require(kw, "event interface", "poll-interval", "poll-interval <seconds>")
}

// keyword wraps a checking option so that, once checked, its value goes
// to *to (when not nil) and to each of then.
func keyword(o eem.Option, to *string, then ...func(string)) eem.Option {
	check := o.Set
	o.Set = func(l *eem.Line, v eem.Field) error {
		if err := check(l, v); err != nil {
			return err
		}
		if to != nil {
			*to = v.Text
		}
		for _, f := range then {
			f(v.Text)
		}
		return nil
	}
	return o
}
