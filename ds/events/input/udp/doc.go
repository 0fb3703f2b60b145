// Package udp receives syslog datagrams (RFC 3164, RFC 5424, bare IOS lines)
// on a UDP socket, one message per datagram, and queues them without ever
// blocking the socket reader.
package udp
