package testserver

import (
	"fmt"
	"net"
	"testing"
)

// TestFreePortBelowTheEphemeralRange: the ports handed out lie below the
// range the kernel takes outgoing connections' ports from, and are free.
func TestFreePortBelowTheEphemeralRange(t *testing.T) {
	end := ephemeralStart()
	for range 20 {
		p := FreePort(t)
		if p < firstPort || p >= end {
			t.Fatalf("FreePort = %d, want [%d, %d)", p, firstPort, end)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("FreePort's %d: %v", p, err)
		}
		l.Close()
		u := FreeUDPPort(t)
		if u < firstPort || u >= end {
			t.Fatalf("FreeUDPPort = %d, want [%d, %d)", u, firstPort, end)
		}
	}
}
