package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// netnsIP runs ip with args, failing the test on an error.
func netnsIP(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// testNamespace makes a network namespace for the test, deleted at its
// end.
func testNamespace(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	ns := "dse-" + hex.EncodeToString(b)
	netnsIP(t, "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	return ns
}

// waitNetlinkReady flaps a probe interface until the netlink source has
// told something: from then on it follows the namespace.
func waitNetlinkReady(t *testing.T, d *Daemon, ns string) {
	t.Helper()
	netnsIP(t, "-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1")
	up := false
	waitFor(t, "the netlink source", func() bool {
		up = !up
		state := map[bool]string{true: "up", false: "down"}[up]
		netnsIP(t, "-n", ns, "link", "set", "probe0", state)
		st := d.SourceStats()
		return len(st) == 1 && st[0].Events > 0
	})
}

// TestNetlinkSourceFiresApplets: a daemon with `source netlink namespace
// NS` runs the applets of a real link going down (through the syslog
// detector and a tracked interface), of interfaces added, renamed and
// removed (event oir) and of a route added (event routing), each seen
// through its action's syslog line.
func TestNetlinkSourceFiresApplets(t *testing.T) {
	ns := testNamespace(t)
	netnsIP(t, "-n", ns, "link", "add", "vX", "type", "veth", "peer", "name", "vY")
	netnsIP(t, "-n", ns, "addr", "add", "10.9.0.1/24", "dev", "vX")
	netnsIP(t, "-n", ns, "link", "set", "vX", "up")
	netnsIP(t, "-n", ns, "link", "set", "vY", "up")
	d, log, _ := startConfDaemon(t, fmt.Sprintf(`hostname edge-1
dsengine
 source netlink namespace %s
track 7 interface vX line-protocol
event manager applet VX-DOWN
 event syslog pattern "LINEPROTO-5-UPDOWN.*vX.*down"
 action 1.0 syslog msg "NLTEST lineproto: $_syslog_msg"
event manager applet VX-TRACK
 event track 7 state down
 action 1.0 syslog msg "NLTEST track 7 $_track_state"
event manager applet CARD
 event oir
 action 1.0 syslog msg "NLTEST oir $_oir_slot $_oir_event"
event manager applet ROUTE
 event routing network 10.20.0.0/16 type add protocol static
 action 1.0 syslog msg "NLTEST route $_routing_network $_routing_mask $_routing_type $_routing_protocol $_routing_lastgateway $_routing_lastinterface"
`, ns))
	waitNetlinkReady(t, d, ns)
	logged := func(what string) {
		t.Helper()
		waitFor(t, what, func() bool { return strings.Contains(log.String(), what) })
	}

	netnsIP(t, "-n", ns, "link", "set", "vX", "down")
	logged("NLTEST lineproto: %LINEPROTO-5-UPDOWN: Line protocol on Interface vX, changed state to down")
	logged("NLTEST track 7 down")

	netnsIP(t, "-n", ns, "link", "add", "vZ", "type", "veth", "peer", "name", "vW")
	logged("NLTEST oir vZ insert")
	netnsIP(t, "-n", ns, "link", "set", "vZ", "name", "vR")
	logged("NLTEST oir vZ remove")
	logged("NLTEST oir vR insert")
	netnsIP(t, "-n", ns, "link", "del", "vR")
	logged("NLTEST oir vR remove")

	netnsIP(t, "-n", ns, "link", "set", "vX", "up")
	netnsIP(t, "-n", ns, "route", "add", "10.20.0.0/16", "via", "10.9.0.2")
	logged("NLTEST route 10.20.0.0 255.255.0.0 add static 10.9.0.2 vX")

	st := d.SourceStats()
	if len(st) != 1 || st[0].Source != "netlink namespace "+ns || st[0].Events < 8 {
		t.Errorf("source stats %+v", st)
	}
}

// TestNetlinkNamespaceDeleted: deleting the namespace the source watches
// stops the source with an error naming it; the daemon goes on.
func TestNetlinkNamespaceDeleted(t *testing.T) {
	ns := testNamespace(t)
	d, log, done := startConfDaemon(t, fmt.Sprintf("hostname edge-1\ndsengine\n source netlink namespace %s\n", ns))
	waitNetlinkReady(t, d, ns)
	netnsIP(t, "netns", "del", ns)
	waitFor(t, "the source's end", func() bool {
		return strings.Contains(log.String(), "the namespace was deleted while watched")
	})
	select {
	case err := <-done:
		t.Fatalf("the daemon ended with its source: %v", err)
	default:
	}
	if !testserver.Poll(time.Second, 10*time.Millisecond, func() bool { return d.Config() != nil }) {
		t.Error("no configuration")
	}
}
