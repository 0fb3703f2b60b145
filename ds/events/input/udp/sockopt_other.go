//go:build !linux

package udp

import "syscall"

const msgTrunc = 0

// setRxqOverflow does nothing: SO_RXQ_OVFL is Linux only.
func setRxqOverflow(network, address string, c syscall.RawConn) error { return nil }

// rxqOverflow reports no count: SO_RXQ_OVFL is Linux only.
func rxqOverflow(oob []byte) (uint64, bool) { return 0, false }
