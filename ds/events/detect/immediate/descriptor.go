package immediate

import (
	_ "embed"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

//go:embed README.md
var readme string

// Descriptor describes the immediate event type to the detector table. It
// takes no attributes and has no EEM form.
var Descriptor = detector.Descriptor{
	Type:    ds.EventImmediate,
	Summary: "once, when the DS is installed (a new revision runs it again; a restart does not)",
	README:  readme,
	New:     detector.Constructor(New),
	Show:    func(ds.Event) string { return "once, at registration" },
}
