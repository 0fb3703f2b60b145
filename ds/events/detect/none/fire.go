package none

import (
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of an `event none` Fired.
type Fire struct {
	Args []string // the arguments of the manual run
}

var _ detector.Payload = Fire{}

// Text is "run by hand ARGS".
func (p Fire) Text() string { return "run by hand " + strings.Join(p.Args, " ") }

// Info adds argc.
func (p Fire) Info(info map[string]string) { info["argc"] = strconv.Itoa(len(p.Args)) }

// Builtins adds _none_argc and _none_arg1 … _none_argN.
func (p Fire) Builtins(v map[string]string) {
	v["_none_argc"] = strconv.Itoa(len(p.Args))
	for i, arg := range p.Args {
		v["_none_arg"+strconv.Itoa(i+1)] = arg
	}
}

// Vars returns nil: a manual run has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
