package iface

import (
	"fmt"
	"strconv"

	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of an interface event's Fired.
type Fire struct {
	Name      string // the interface
	Parameter string // the IOS parameter
	Value     int64  // the value compared (of the entry-type, or the exit-type for an exit event)
	Exit      bool   // an exit event (exit-event true), not an entry
}

var _ detector.Payload = Fire{}

// Text is "interface NAME PARAMETER VALUE", with "exit" for an exit event.
func (p Fire) Text() string {
	s := fmt.Sprintf("interface %s %s %d", p.Name, p.Parameter, p.Value)
	if p.Exit {
		s += " exit"
	}
	return s
}

// Info adds name, parameter and value.
func (p Fire) Info(info map[string]string) {
	info["name"], info["parameter"], info["value"] = p.Name, p.Parameter, strconv.FormatInt(p.Value, 10)
}

// Builtins adds _interface_name, _interface_parameter and _interface_value.
func (p Fire) Builtins(v map[string]string) {
	v["_interface_name"], v["_interface_parameter"] = p.Name, p.Parameter
	v["_interface_value"] = strconv.FormatInt(p.Value, 10)
}

// Vars returns nil: an interface event has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
