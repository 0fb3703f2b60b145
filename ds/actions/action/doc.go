// Package action defines what every DS action type implements (Action)
// and the one Device the actions, the Lua scripts and the EEM applets act
// on: run a command, log, broadcast, mail, send call-home, keep values.
// ds/actions implements Device twice, live for the daemon and dry for
// `ds test`, and lists the action types in its one table; each type is a
// package of its own beside this one.
package action
