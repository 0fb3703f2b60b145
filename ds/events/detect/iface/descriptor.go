package iface

import (
	_ "embed"
	"slices"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the interface event type (EEM `event interface`) to the
// detector table. Only an EEM line names it; the line is parsed and
// checked, but its detector needs the Linux event sources (issue 17).
var Descriptor = detector.Descriptor{
	Type:        ds.EventInterface,
	Summary:     "an interface counter, polled, meets a condition (needs the Linux event sources)",
	README:      readme,
	EEMOnly:     true,
	EEM:         &eem.Form{Keyword: "interface", Parse: parseEEM},
	New:         detector.NeedsEventSources(ds.EventInterface),
	Show:        detector.ShowNeedsEventSources("interface"),
	Unavailable: "event interface needs the Linux event sources (issue 17): it is checked but never fires in this build",
	Builtins:    []string{"_interface_name", "_interface_parameter", "_interface_value"},
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
func parseEEM(l *eem.Line, kw eem.Field) error {
	l.Event.Type = ds.EventInterface
	params := Parameters()
	opts := append([]eem.Option{
		{Name: "name", Value: "an interface name such as GigabitEthernet1/0/1", Set: func(l *eem.Line, v eem.Field) error {
			if v.Text == "" || strings.ContainsAny(v.Text, " \t") {
				return l.Errorf(v.Offset, "name %q is not an interface name such as GigabitEthernet1/0/1", v.Text)
			}
			return nil
		}},
		{Name: "parameter", Value: "an interface counter such as input_errors", Set: func(l *eem.Line, v eem.Field) error {
			if v.Quoted || !slices.Contains(params, v.Text) {
				// The list is part of the format, so Errorf does not shorten it.
				return l.Errorf(v.Offset, "parameter %q is not one of "+strings.Join(params, ", "), v.Text)
			}
			return nil
		}},
		eem.KeywordOption("entry-type", "value", "increment", "rate"),
		eem.KeywordOption("exit-type", "value", "increment", "rate"),
		eem.KeywordOption("exit-event", "true", "false"),
		eem.PollIntervalOption(),
		{Name: "average-factor", Value: "a whole number from 1 to 64", Set: func(l *eem.Line, v eem.Field) error {
			if n, err := strconv.Atoi(v.Text); err != nil || n < 1 || n > 64 || v.Quoted {
				return l.Errorf(v.Offset, "average-factor %q is not a whole number from 1 to 64", v.Text)
			}
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
