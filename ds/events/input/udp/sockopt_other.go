//go:build !linux

package udp

import (
	"net"
	"syscall"
)

const msgTrunc = 0

// setRxqOverflow does nothing: SO_RXQ_OVFL is Linux only.
func setRxqOverflow(network, address string, c syscall.RawConn) error { return nil }

// setReusePort does nothing here: one socket then takes the address and
// the others fail to bind, as without Options.Readers.
func setReusePort(network, address string, c syscall.RawConn) error { return nil }

// rxqOverflow reports no count: SO_RXQ_OVFL is Linux only.
func rxqOverflow(oob []byte) (uint64, bool) { return 0, false }

// setReadBuffer asks for n bytes with SO_RCVBUF; the granted size is not
// read back here (0).
func setReadBuffer(conn *net.UDPConn, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	return 0, conn.SetReadBuffer(n)
}

// newReader reads one datagram per system call: recvmmsg is Linux's.
func newReader(conn *net.UDPConn, max int) reader { return newSingleReader(conn, max) }
