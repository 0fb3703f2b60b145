package callhome

import (
	_ "embed"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/internal/english"
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
		{Name: "alert-group", Doc: "required: configuration, crash, environment, inventory, snapshot or syslog (not diagnostic: nothing on Linux sends it)"},
	},
	ParseAttrs: parseAttrs,
	New:        detector.Constructor(New),
	Show:       show,
}

// parseAttrs reads the alert-group: one of config.AlertGroups(). The IOS
// diagnostic group is refused with the reason: nothing on Linux would
// ever send its messages.
func parseAttrs(a detector.Attrs, ev *ds.Event) {
	v, ok := a.Required("alert-group")
	if !ok {
		return
	}
	names := Groups()
	if v == string(config.GroupDiagnostic) {
		a.Errorf("alert-group", "alert-group %q never sends on Linux: it carries the results of a line card's "+
			"online diagnostics (GOLD), which a Linux host does not run, so the DS's commands would never go out; use %s",
			v, english.OrList(names))
		return
	}
	ev.AlertGroup = a.OneOf("alert-group", "", names...)
}

// Groups are the alert groups a call-home event may name, in the order
// `show call-home` lists them.
func Groups() []string {
	names := make([]string, 0, len(config.AlertGroups()))
	for _, g := range config.AlertGroups() {
		names = append(names, string(g))
	}
	return names
}

func show(e ds.Event) string {
	return fmt.Sprintf("adds command outputs to alert group %s", e.AlertGroup)
}
