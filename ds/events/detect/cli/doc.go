// Package cli is the EEM `event cli` detector: it fires when a command an
// operator runs through dsengine matches a pattern, occurs N times within
// a period.
//
// It reads the EEM line `event cli pattern "RE" [sync yes|no] [skip yes|no]
// [occurs N] [period S]`. sync and skip are accepted and ignored: the
// command always runs, and the applet runs beside it.
package cli
