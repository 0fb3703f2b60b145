// Package events defines Message, the parsed syslog line that every syslog
// input (UDP, TCP, unix socket, file tail, stdin) produces and the syslog
// detectors consume.
package events
