package periodic

import (
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of a periodic event's Fired.
type Fire struct {
	Timer ds.TimerKind // the kind of schedule that fell due
}

var _ detector.Payload = Fire{}

// Text is "timer KIND".
func (p Fire) Text() string { return fmt.Sprintf("timer %s", p.Timer) }

// Info adds timer_type.
func (p Fire) Info(info map[string]string) { info["timer_type"] = string(p.Timer) }

// Builtins adds _timer_type.
func (p Fire) Builtins(v map[string]string) { v["_timer_type"] = string(p.Timer) }

// Vars returns nil: a schedule has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
