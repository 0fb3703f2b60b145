package track

import (
	"fmt"
	"strconv"

	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of a track event's Fired.
type Fire struct {
	Object int    // the track object number
	State  string // the new state, detector.StateUp or StateDown
	Prev   string // the state before: up, down or unknown
}

var _ detector.Payload = Fire{}

// Text is "track N STATE (was PREV)".
func (p Fire) Text() string { return fmt.Sprintf("track %d %s (was %s)", p.Object, p.State, p.Prev) }

// Info adds track_number and track_state.
func (p Fire) Info(info map[string]string) {
	info["track_number"], info["track_state"] = strconv.Itoa(p.Object), p.State
}

// Builtins adds _track_number and _track_state.
func (p Fire) Builtins(v map[string]string) {
	v["_track_number"], v["_track_state"] = strconv.Itoa(p.Object), p.State
}

// Vars returns nil: a state change has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
