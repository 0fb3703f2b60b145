// Package message runs the DS `message` action: a syslog entry
// `%DS-<sev>-MSG: text` (to the local syslog and the engine's own log), or a
// broadcast of the text to the logged-in terminals with wall(1).
package message
