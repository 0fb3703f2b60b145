package immediate

import "github.com/dsengine/dsengine/ds/events/detect/detector"

// Fire is the payload of an immediate event's Fired: it carries nothing
// but the type.
type Fire struct{}

var _ detector.Payload = Fire{}

// Text is the type's name.
func (Fire) Text() string { return "immediate" }

// Info adds nothing.
func (Fire) Info(map[string]string) {}

// Builtins adds nothing.
func (Fire) Builtins(map[string]string) {}

// Vars returns nil.
func (Fire) Vars() map[string]string { return nil }
