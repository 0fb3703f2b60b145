package cli

import "github.com/dsengine/dsengine/ds/events/detect/detector"

// Fire is the payload of a cli event's Fired.
type Fire struct {
	Command string            // the command that completed the count
	Values  map[string]string // ds_syslog_1 … for the pattern's capture groups; nil when it has none
}

var _ detector.Payload = Fire{}

// Text is the type's name.
func (Fire) Text() string { return "cli" }

// Info adds nothing.
func (Fire) Info(map[string]string) {}

// Builtins adds $_cli_msg, the command.
func (p Fire) Builtins(m map[string]string) { m["_cli_msg"] = p.Command }

// Vars returns the capture-group variables.
func (p Fire) Vars() map[string]string { return p.Values }
