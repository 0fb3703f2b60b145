// Package unixgram receives syslog lines on a Unix datagram socket, as a
// local syslog daemon does on /dev/log.
package unixgram
