// Package alertgroup sends the Call Home alert-group messages (configuration,
// crash, environment, inventory, snapshot, syslog) on their events and
// periodic schedules, and the manual "call-home test|send|request" messages.
package alertgroup
