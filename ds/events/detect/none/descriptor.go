package none

import (
	_ "embed"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the none event type (EEM `event none`) to the
// detector table. Only an EEM line names it.
var Descriptor = detector.Descriptor{
	Type:     ds.EventNone,
	Summary:  "only when an operator runs the applet by hand, with arguments",
	README:   readme,
	EEMOnly:  true,
	EEM:      &eem.Form{Keyword: "none", Parse: parseEEM},
	New:      detector.Constructor(New),
	Show:     func(ds.Event) string { return "run by hand" },
	Builtins: []string{"_none_argc", "_none_arg1"},
}

// parseEEM reads `event none`, which takes no options.
func parseEEM(l *eem.Line, _ eem.Field) error {
	l.Event.Type = ds.EventNone
	// sync yes: `event manager run` waits for the run (the daemon reads it
	// from the kept line).
	sync := eem.Option{Name: "sync", Value: "yes or no", Set: func(l *eem.Line, v eem.Field) error {
		if v.Text != "yes" && v.Text != "no" {
			return l.Errorf(v.Offset, "sync %q is not yes or no", v.Text)
		}
		return nil
	}}
	return l.Options("event none", []eem.Option{sync})
}
