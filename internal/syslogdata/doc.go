// Package syslogdata generates realistic Cisco IOS syslog lines and DS
// syslog patterns, deterministically from a seed, for benchmarks and for
// comparisons with other engines (which read the same lines and patterns
// from files written by WriteLines and WritePatterns).
package syslogdata
