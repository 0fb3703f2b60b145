package oir

import (
	"fmt"

	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of an oir event's Fired.
type Fire struct {
	Slot     int    // the slot number, detector.SlotUnknown when the message names no numeric slot
	SlotName string // the slot as written ("3", "F0", "0/1")
	Action   string // detector.ActionInsert or detector.ActionRemove
}

var _ detector.Payload = Fire{}

// Text is "slot NAME ACTION".
func (p Fire) Text() string { return fmt.Sprintf("slot %s %s", p.SlotName, p.Action) }

// Info adds slot and event (the action).
func (p Fire) Info(info map[string]string) { info["slot"], info["event"] = p.SlotName, p.Action }

// Builtins adds _oir_slot and _oir_event.
func (p Fire) Builtins(v map[string]string) { v["_oir_slot"], v["_oir_event"] = p.SlotName, p.Action }

// Vars returns nil: an OIR event has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
