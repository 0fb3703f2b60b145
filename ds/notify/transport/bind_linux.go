package transport

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// bindToDevice returns a dialer Control function that binds the socket to
// the network device dev (SO_BINDTODEVICE; needs CAP_NET_RAW).
func bindToDevice(dev string) (func(network, address string, c syscall.RawConn) error, error) {
	return func(network, address string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, dev)
		}); err != nil {
			return err
		}
		return serr
	}, nil
}
