// Package fleet is what the relay and the workers of a dsengine fleet on
// NATS JetStream share: the names of the streams, buckets and subjects,
// the partition of a device, the wire form of a parsed syslog line, the
// partition leases, the checkpoints and the action intents.
package fleet
