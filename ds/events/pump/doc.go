// Package pump is the one path a syslog line takes to the detectors: parse
// (ds/events/syslogmsg) and deliver (the detector hub). The daemon runs it
// over its inputs' queue, `ds test` calls it line by line in virtual time,
// and the engine's own messages (the `message` action, applets' `syslog`,
// scripts' action_syslog) come back through its bounded echo queue, so
// every line reaches the detectors the same way.
package pump
