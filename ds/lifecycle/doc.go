// Package lifecycle moves each DS through its statuses (SPEC §4): it
// installs verified DS files into the bootflash store, answers their prompt
// variables, checks prerequisites, decides between pending, registered and
// failed, and deinstalls them.
package lifecycle
