// Package relay publishes syslog lines to a fleet's JetStream stream: the
// existing inputs feed one queue, each line is parsed once and published
// on its device's partition subject with a message ID for de-duplication,
// its acks awaited in batches. While JetStream is away, lines go to a
// bounded spool of segment files, drained in order when it is back.
package relay
