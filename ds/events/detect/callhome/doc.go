// Package callhome is the call-home event of a DS: it never fires; it
// says that the DS's command outputs go into the messages of a Call Home
// alert group (configuration, diagnostic, environment, inventory,
// snapshot, syslog, crash), which the Hub lists by group.
//
// It reads <Event type="call-home" alert-group="inventory"/>.
package callhome
