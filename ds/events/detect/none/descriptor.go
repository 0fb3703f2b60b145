package none

import (
	_ "embed"
	"fmt"

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
	Show:     show,
	Builtins: []string{"_none_argc", "_none_arg1"},
}

// parseEEM reads `event none [sync yes|no] [default S]`: with sync yes,
// `event manager run` waits for the applet (up to default S, else its
// maxrun) and returns its $_exit_status.
func parseEEM(l *eem.Line, _ eem.Field) error {
	l.Event.Type = ds.EventNone
	opts := []eem.Option{
		eem.YesNoOption("sync", func(l *eem.Line, yes bool) { l.Event.Sync = yes }),
		{Name: "default", Value: eem.SecondsValue, Set: func(l *eem.Line, v eem.Field) error {
			d, err := l.Seconds("default", v)
			l.Event.SyncDefault = d
			return err
		}},
	}
	return l.Options("event none", opts)
}

func show(e ds.Event) string {
	if !e.Sync {
		return "run by hand"
	}
	if e.SyncDefault > 0 {
		return fmt.Sprintf("run by hand, sync (waits up to %s)", e.SyncDefault)
	}
	return "run by hand, sync"
}
