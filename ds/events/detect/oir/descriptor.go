package oir

import (
	_ "embed"
	"fmt"
	"strconv"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the oir event type to the detector table.
var Descriptor = detector.Descriptor{
	Type:    ds.EventOIR,
	Summary: "a card or module is inserted or removed",
	README:  readme,
	Attrs: []detector.Attr{
		{Name: "slot", Doc: "the slot number (0 or more) or any; default any"},
		{Name: "action", Doc: "insert, remove or any; default any"},
	},
	ParseAttrs: parseAttrs,
	EEM:        &eem.Form{Keyword: "oir", Parse: parseEEM},
	New:        detector.Constructor(New),
	Show:       show,
	Builtins:   []string{"_oir_slot", "_oir_event"},
}

func parseAttrs(a detector.Attrs, ev *ds.Event) {
	ev.Slot = ds.SlotAny
	if v, ok := a.Get("slot"); ok && v != "any" {
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			a.Errorf("slot", "slot %q is not a slot number (0 or more) or any", a.Clip(v))
		}
		ev.Slot = int(n)
	}
	ev.OIRAction = a.OneOf("action", "any", "insert", "remove", "any")
}

// parseEEM reads `event oir`, which takes no options (any slot, any
// action).
func parseEEM(l *eem.Line, _ eem.Field) error {
	l.Event.Type, l.Event.Slot, l.Event.OIRAction = ds.EventOIR, ds.SlotAny, "any"
	return l.Options("event oir", nil)
}

func show(e ds.Event) string {
	slot := "any slot"
	if e.Slot != ds.SlotAny {
		slot = fmt.Sprintf("slot %d", e.Slot)
	}
	return fmt.Sprintf("%s, %s", slot, e.OIRAction)
}
