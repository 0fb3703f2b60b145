package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
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

// startConfDaemon runs a daemon on conf with the real clock and returns
// it, its log and a channel that gets Run's end.
func startConfDaemon(t *testing.T, conf string) (*Daemon, *logBuffer, <-chan error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.conf")
	if err := os.WriteFile(path, []byte(conf), 0o640); err != nil {
		t.Fatal(err)
	}
	load := func(p string) (*config.Config, error) {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		return iosconfig.Parse(p, data)
	}
	cfg, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now
	check := lifecycle.Checker(nil, now)
	store, err := bootflash.Open(filepath.Join(dir, "bootflash"), bootflash.Options{Check: check, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log := &logBuffer{}
	d, err := New(Options{
		ConfigPath: path, Config: cfg, LoadConfig: load,
		Store: store, Manager: lifecycle.New(store, check, lifecycle.Host{Hostname: "edge-1"}, nil, now),
		Bootflash: filepath.Join(dir, "bootflash"), Clock: ds.RealClock{},
		Log: slog.New(slog.NewTextHandler(log, nil)),
		Commands: func(context.Context, *Daemon, control.Request) control.Response {
			return control.Response{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the daemon", func() bool { return strings.Contains(log.String(), "dsengine running") })
	return d, log, done
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
