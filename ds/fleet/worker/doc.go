// Package worker is a fleet worker: it holds leases on partitions of the
// DS_SYSLOG stream, consumes each owned partition with a durable consumer
// into its own pipeline (hub → registry → engine) on a virtual clock moved
// by the lines' times, checkpoints the partition, and turns triggers into
// action intents on DS_ACTIONS. Executor runs the intents.
package worker
