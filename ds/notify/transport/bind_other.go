//go:build !linux

package transport

import (
	"fmt"
	"syscall"
)

// bindToDevice is only implemented on Linux; elsewhere set Options.Dialer.
func bindToDevice(dev string) (func(network, address string, c syscall.RawConn) error, error) {
	return nil, fmt.Errorf("source-interface/vrf %s: binding to a device is only supported on Linux; set a Dialer", dev)
}
