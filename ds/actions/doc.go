// Package actions performs the actions of DS runs. Each action type is a
// package beside this one (command, callhome, emailto, script, message)
// with its action.Descriptor (attributes, parse, lint, show line, README)
// and its action.Action; ds/actions/types lists them, the one place a new
// type is added. Every action acts on an action.Device, implemented here
// twice: Live, the real device of the daemon (the executor, syslog, the
// mail servers, the Call Home notifier, the store), and Dry, the device of
// `ds test`, which says what it would do. Lua scripts and EEM applets act
// on the same Device.
package actions
