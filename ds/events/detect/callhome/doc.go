// Package callhome is the call-home event of a DS: it never fires; it
// says that the DS's command outputs go into the messages of a Call Home
// alert group (one of config.AlertGroups(): configuration, crash,
// environment, inventory, snapshot, syslog), which the Hub lists by group.
//
// It reads <Event type="call-home" alert-group="inventory"/>.
package callhome
