package callhome

import (
	_ "embed"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

//go:embed README.md
var readme string

// Descriptor describes the call-home event type to the detector table.
// It never fires, so it has no payload and no EEM form.
var Descriptor = detector.Descriptor{
	Type:    ds.EventCallHome,
	Summary: "never fires: the DS's command outputs join the messages of a Call Home alert group",
	README:  readme,
	Attrs: []detector.Attr{
		{Name: "alert-group", Doc: "required: configuration, diagnostic, environment, inventory, snapshot, syslog or crash"},
	},
	ParseAttrs: parseAttrs,
	New:        detector.Constructor(New),
	Show:       show,
}

func parseAttrs(a detector.Attrs, ev *ds.Event) {
	if _, ok := a.Required("alert-group"); ok {
		ev.AlertGroup = a.OneOf("alert-group", "", Groups()...)
	}
}

func show(e ds.Event) string {
	return fmt.Sprintf("adds command outputs to alert group %s", e.AlertGroup)
}
