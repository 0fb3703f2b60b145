package syslog

import "github.com/dsengine/dsengine/ds/events/detect/detector"

// Fire is the payload of a syslog event's Fired; the message itself is
// Fired.Message.
type Fire struct {
	// Values are the syslog variables: ds_syslog_msg, ds_syslog_facility,
	// ds_syslog_severity, ds_syslog_mnemonic, ds_syslog_host and
	// ds_syslog_1 … for the capture groups of the match that completed
	// the count.
	Values map[string]string
}

var _ detector.Payload = Fire{}

// Text is the type's name; a syslog fire is described by its message.
func (Fire) Text() string { return "syslog" }

// Info adds nothing: msg and host come from the message.
func (Fire) Info(map[string]string) {}

// Builtins adds nothing: _syslog_msg comes from the message.
func (Fire) Builtins(map[string]string) {}

// Vars returns the syslog variables.
func (p Fire) Vars() map[string]string { return p.Values }
