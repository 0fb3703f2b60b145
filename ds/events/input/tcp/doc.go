// Package tcp receives syslog over TCP with RFC 6587 framing, octet-counting
// or newline-terminated, told apart frame by frame.
package tcp
