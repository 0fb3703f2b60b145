package transport

import (
	"fmt"
	"net"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// dialer returns opts.Dialer, or a dialer that binds to the configuration's
// "source-ip-address" and to its "source-interface" (else its "vrf": on
// Linux a VRF is a device, and binding to it puts the socket in that VRF).
func dialer(ch *config.CallHome, opts Options) (DialFunc, error) {
	if opts.Dialer != nil {
		return opts.Dialer, nil
	}
	d := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}
	if ch != nil && ch.SourceIPAddress != "" {
		ip := net.ParseIP(ch.SourceIPAddress)
		if ip == nil {
			return nil, fmt.Errorf("source-ip-address %q is not an IP address", ch.SourceIPAddress)
		}
		d.LocalAddr = &net.TCPAddr{IP: ip}
	}
	if ch != nil {
		dev := ch.SourceInterface
		if dev == "" {
			dev = ch.VRF
		}
		if dev != "" {
			ctl, err := bindToDevice(dev)
			if err != nil {
				return nil, err
			}
			d.Control = ctl
		}
	}
	return d.DialContext, nil
}
