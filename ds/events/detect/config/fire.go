package config

import "github.com/dsengine/dsengine/ds/events/detect/detector"

// Fire is the payload of a config event's Fired.
type Fire struct {
	// Line is the change line: the %SYS-5-CONFIG_I text, or
	// "file PATH changed".
	Line string
	Path string // the changed file, "" for a message
	// Values are the syslog variables when a message reported the change,
	// and ds_syslog_1 … for the pattern's capture groups; nil when there
	// are none.
	Values map[string]string
}

var _ detector.Payload = Fire{}

// Text is the change line.
func (p Fire) Text() string { return p.Line }

// Info adds msg, the change line.
func (p Fire) Info(info map[string]string) { info["msg"] = p.Line }

// Builtins adds nothing: _syslog_msg comes from the message, if any.
func (Fire) Builtins(map[string]string) {}

// Vars returns the syslog and capture-group variables.
func (p Fire) Vars() map[string]string { return p.Values }
