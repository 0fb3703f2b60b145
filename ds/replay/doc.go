// Package replay runs DS against a recorded syslog file offline, for
// `dsengine ds test`: time is taken from the log's timestamps on a virtual
// clock (a day of log replays in seconds, periodic events included),
// command outputs come from a directory of canned outputs, and every action
// only reports what it would do — nothing leaves the machine.
package replay
