package udp

import (
	"encoding/binary"
	"syscall"
)

const msgTrunc = syscall.MSG_TRUNC

// setRxqOverflow asks the kernel to report, with each datagram, how many
// datagrams it dropped on this socket (SO_RXQ_OVFL).
func setRxqOverflow(network, address string, c syscall.RawConn) error {
	return c.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RXQ_OVFL, 1)
	})
}

// rxqOverflow returns the drop count of an SO_RXQ_OVFL control message. The
// kernel adds the message only once drops have happened, so parsing (which
// allocates) is off the usual path.
func rxqOverflow(oob []byte) (uint64, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, false
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SO_RXQ_OVFL && len(m.Data) >= 4 {
			return uint64(binary.NativeEndian.Uint32(m.Data)), true // a host-order uint32
		}
	}
	return 0, false
}
