package counter

import (
	"fmt"
	"strconv"

	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of a counter event's Fired.
type Fire struct {
	Name  string // the counter
	Value int64  // its value when the entry condition held
}

var _ detector.Payload = Fire{}

// Text is "counter NAME VALUE".
func (p Fire) Text() string { return fmt.Sprintf("counter %s %d", p.Name, p.Value) }

// Info adds name and value.
func (p Fire) Info(info map[string]string) {
	info["name"], info["value"] = p.Name, strconv.FormatInt(p.Value, 10)
}

// Builtins adds _counter_name and _counter_value_remain (the value).
func (p Fire) Builtins(v map[string]string) {
	v["_counter_name"], v["_counter_value_remain"] = p.Name, strconv.FormatInt(p.Value, 10)
}

// Vars returns nil: a counter event has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
