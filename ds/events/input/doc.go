// Package input holds what every syslog input shares: the Input interface,
// the bounded Queue between the inputs and the detectors, the Item an input
// queues for each received line, and the per-input counters.
//
// # Flow
//
// Each input (udp, tcp, unixgram, file, stdin, in the packages below this
// one) reads bytes, cuts them into lines (one datagram, one TCP frame, one
// line of a file), and hands each line to its Emitter. The Emitter copies the
// line out of the read buffer, stamps it with the injected clock, counts it
// and offers it to the Queue. The consumer (the detectors) takes Items with
// Queue.Get and parses them with syslogmsg.Parse.
//
// # When the queue is full
//
// Datagram inputs (udp, unixgram) never wait: a line that finds the queue
// full is dropped at once and counted in Stats.Dropped, so a flood can never
// stall the socket reader (the kernel would otherwise drop without telling).
// Stream inputs (tcp, file, stdin) wait up to Options.Wait (DefaultWait) for
// space and then drop the line and count it: a slow consumer slows a TCP
// sender through flow control for a moment, but a stalled consumer can never
// stall a reader for good. The Queue is bounded both in items and in bytes,
// so memory stays bounded however large the lines are.
//
// # Oversize lines
//
// A line longer than Options.MaxLine (MaxLine, 64 KiB, by default) is cut to
// MaxLine bytes, still delivered (Item.Truncated is set) and counted in
// Stats.Oversize; for streams, the rest of the line up to its terminator is
// discarded, so it never turns into lines of its own. A line that is cut
// still carries its <PRI>, header and %TAG, which is what the detectors need.
//
// # Counters
//
// Every counter is an atomic, read at any time with Stats without a lock.
// Received = Delivered + Dropped, except for the lines being offered at that
// instant. Empty lines (a datagram or line with nothing but CR, LF or NUL)
// are not messages and are not counted.
package input
