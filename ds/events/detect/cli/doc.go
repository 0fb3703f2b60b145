// Package cli is the EEM `event cli` detector: it fires when a command an
// operator runs through dsengine matches a pattern, occurs N times within
// a period.
//
// It reads the EEM line `event cli pattern "RE" [sync yes|no] [skip yes|no]
// [occurs N] [period S]`, and sees the commands typed in `dsengine cli`
// before they run. With `sync no` (the default) the applet runs beside the
// command, and `skip yes` blocks the command. With `sync yes` the event is
// handed back to the vty, which runs the applet first and waits: as in
// IOS, $_exit_status 0 skips the command and any other value runs it.
package cli
