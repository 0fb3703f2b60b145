// Package alertgroup sends the Call Home alert-group messages (configuration,
// crash, environment, inventory, snapshot, syslog) on their events, which it
// subscribes to on the detector hub, and on their periodic schedules, and
// the manual "call-home test|send|request" messages. A notify.Notifier
// composes every message.
package alertgroup
