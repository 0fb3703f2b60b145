package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/internal/testserver"
)

// Issue 17's sysfs sources end to end: a daemon on a virtual clock runs
// applets fired by a veth's real counters (event interface), by hwmon
// sensors (a fixture: a VM has none) and by the kernel's uevents.

// runs returns the applet's runs so far.
func runs(d *Daemon, applet string) []AppletRun {
	var out []AppletRun
	for _, r := range d.AppletHistory() {
		if r.Applet == applet {
			out = append(out, r)
		}
	}
	return out
}

func sh(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func rootOnly(t *testing.T) string {
	t.Helper()
	testserver.RequireRoot(t, "veth pairs and network namespaces")
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// TestInterfaceEventRealTraffic: a veth pair, one end in the host's
// namespace (where the daemon reads /sys/class/net) and the other in a
// namespace the test made; UDP datagrams sent from the namespace to a static
// neighbour raise the host end's rx_packets, and an applet on
// receive_rate_pps fires on the next poll. No error counter can be raised
// on a veth without tc, so the test uses the packet rate. IPv6 is off on
// both ends so that nothing else moves the counter.
func TestInterfaceEventRealTraffic(t *testing.T) {
	id := rootOnly(t)
	ns, host, peer := "dse-"+id, "dsei"+id+"a", "dsei"+id+"b"
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	sh(t, "ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns)
	t.Cleanup(func() { exec.Command("ip", "link", "del", host).Run() })
	sh(t, "sysctl", "-qw", "net.ipv6.conf."+host+".disable_ipv6=1")
	sh(t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf."+peer+".disable_ipv6=1")
	sh(t, "ip", "link", "set", host, "up")
	sh(t, "ip", "-n", ns, "addr", "add", "192.0.2.1/24", "dev", peer)
	sh(t, "ip", "-n", ns, "link", "set", peer, "up")
	mac, err := os.ReadFile("/sys/class/net/" + host + "/address")
	if err != nil {
		t.Fatal(err)
	}
	sh(t, "ip", "-n", ns, "neigh", "add", "192.0.2.2", "lladdr", strings.TrimSpace(string(mac)), "dev", peer, "nud", "permanent")

	clk := clock.NewVirtual(t0)
	d, log := startClockDaemon(t, fmt.Sprintf(`hostname edge-1
event manager applet RATE
 event interface name %s parameter receive_rate_pps entry-op ge entry-val 4 poll-interval 10
 action 1.0 puts "$_interface_name $_interface_parameter $_interface_value"
`, host), clk)

	clk.Advance(10 * time.Second) // no traffic: no fire
	// 60 UDP datagrams from inside the namespace (bash's /dev/udp; the
	// machine has no ping).
	sh(t, "ip", "netns", "exec", ns, "bash", "-c", "for i in {1..60}; do echo x >/dev/udp/192.0.2.2/9; done")
	clk.Advance(10 * time.Second)
	want := fmt.Sprintf(`output="%s receive_rate_pps 6"`, host)
	if !testserver.Poll(10*time.Second, 5*time.Millisecond, func() bool { return strings.Contains(log.String(), want) }) {
		t.Fatalf("no run with %s; runs %+v\n%s", want, runs(d, "RATE"), log)
	}
	if r := runs(d, "RATE"); len(r) != 1 || r[0].EventType != "interface" || r[0].Status != "success" {
		t.Errorf("runs %+v", r)
	}

	// The interface vanishes while polled: logged once, the detector
	// polls on.
	sh(t, "ip", "link", "del", host)
	for range 3 {
		clk.Advance(10 * time.Second)
	}
	if !testserver.Poll(10*time.Second, 5*time.Millisecond, func() bool {
		return strings.Contains(log.String(), "the interface is gone")
	}) {
		t.Fatalf("log:\n%s", log)
	}
	if n := strings.Count(log.String(), "the interface is gone"); n != 1 || len(runs(d, "RATE")) != 1 {
		t.Errorf("%d gone lines, runs %+v", n, runs(d, "RATE"))
	}
}

// TestHwmonSourceFiresApplet: `source hwmon` on a fixture (a VM has no
// sensors) raises %ENVMON-4-ENVWARN when the test writes a temperature
// past its warning threshold, once, and an applet on it runs.
func TestHwmonSourceFiresApplet(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../events/source/hwmon/testdata/hwmon")); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewVirtual(t0)
	d, log := startClockDaemon(t, fmt.Sprintf(`hostname edge-1
dsengine
 source hwmon root %s poll 60
event manager applet HOT
 event syslog pattern "%%ENVMON-4-ENVWARN"
 action 1.0 puts "$_syslog_msg"
`, root), clk)
	if err := os.WriteFile(filepath.Join(root, "hwmon0/temp1_input"), []byte("87000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := `output="%ENVMON-4-ENVWARN: Package id 0 temperature 87C exceeds warning threshold 85C"`
	// The source polls once it has set its timer: move the clock until it has.
	if !testserver.Poll(10*time.Second, 5*time.Millisecond, func() bool {
		clk.Advance(time.Minute)
		return strings.Contains(log.String(), want)
	}) {
		t.Fatalf("no run with %s\n%s", want, log)
	}
	for range 3 {
		clk.Advance(time.Minute) // the same state: no repeat
	}
	st := d.SourceStats()
	if len(st) != 1 || st[0].Source != "hwmon" || st[0].Events != 1 || len(runs(d, "HOT")) != 1 {
		t.Errorf("stats %+v, runs %+v", st, runs(d, "HOT"))
	}
}

// TestUdevSourceFiresOIR: `source udev subsystem net` turns the kernel's
// uevents for a veth the test made (written to its uevent file, as
// udevadm trigger does) into %OIR lines, and `event oir` runs with the
// interface as the slot.
func TestUdevSourceFiresOIR(t *testing.T) {
	id := rootOnly(t)
	host := "dseo" + id + "a"
	sh(t, "ip", "link", "add", host, "type", "veth", "peer", "name", "dseo"+id+"b")
	t.Cleanup(func() { exec.Command("ip", "link", "del", host).Run() })
	d, log := startClockDaemon(t, `hostname edge-1
dsengine
 source udev subsystem net
event manager applet CARD
 event oir
 action 1.0 puts "$_oir_slot $_oir_event"
`, clock.NewVirtual(t0))
	uevent := func(action string) {
		if err := os.WriteFile("/sys/class/net/"+host+"/uevent", []byte(action), 0o200); err != nil {
			t.Fatal(err)
		}
	}
	// The source's socket is bound once it runs: write until a run shows.
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool {
		uevent("add")
		return strings.Contains(log.String(), `output="`+host+` insert"`)
	}) {
		t.Fatalf("no insert run\n%s", log)
	}
	uevent("remove")
	if !testserver.Poll(10*time.Second, 5*time.Millisecond, func() bool {
		return strings.Contains(log.String(), `output="`+host+` remove"`)
	}) {
		t.Fatalf("no remove run\n%s", log)
	}
	for _, r := range runs(d, "CARD") {
		if r.EventType != "oir" || r.Status != "success" {
			t.Errorf("run %+v", r)
		}
	}
}
