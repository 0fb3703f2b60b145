// Package syslogmsg parses one received syslog line (RFC 5424, RFC 3164, a
// collector's prefix, or a bare IOS, IOS XE or IOS XR line) into an
// events.Message, in place and without allocating.
//
// # Why not a syslog library
//
// github.com/leodido/go-syslog/v4 (v4.6.0) was measured on this machine
// before writing this package: 814 ns and 13 allocations for one RFC 5424
// line, 354 ns and 6 allocations for one RFC 3164 line (its API returns
// pointer fields and copies every field into a new string), which is most of
// the 1 µs per line the engine has for parsing and matching together. Its
// Cisco IOS mode must be told in advance which header fields a device sends
// and rejected every Cisco shape in the reference notes (the '.' clock flag,
// a stamp with a year, an uptime stamp, host before sequence number). So the
// envelope is parsed here too: one hand-written scanner over the line, with
// no allocation, covering the envelope and the Cisco header together
// (80–140 ns a line for the common shapes on the same machine).
//
// # Aliasing
//
// Parse makes every string of the Message alias line (no copy). The caller
// must not modify line while the Message is in use, and must keep
// m.Clone() instead of m when it keeps the Message after reusing line.
//
// # What is accepted
//
// Nothing is rejected: a line that fits no known shape is delivered as text,
// with Body and Text equal to the line (after any envelope that did parse).
// Invalid UTF-8 and NUL bytes are kept as they are; only trailing CR, LF and
// NUL bytes are trimmed. Octet-counting framing (RFC 6587) is the transport's
// job and must be removed before Parse.
package syslogmsg
