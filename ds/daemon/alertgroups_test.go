package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17's alert groups on the native events, end to end: a daemon with
// a source sends the environment and inventory groups' messages to a Call
// Home collector on 127.0.0.1 (long text, so that the message name shows).

// alertGroupConfig is a configuration with one active HTTP profile to
// url subscribed with sub, in long text, and the dsengine block's lines.
func alertGroupConfig(url, sub, dsengine string) string {
	return profileHead(url, sub, "long-text") + "dsengine\n" + dsengine
}

// profileHead is the head of the alert group tests' configurations: one
// active HTTP profile that posts the messages of alert group sub to url,
// in format (xml, long-text or short-text).
func profileHead(url, sub, format string) string {
	return `hostname edge-1
service call-home
call-home
 contact-email-addr noc@example.com
 profile "alerts"
  destination transport-method http
  no destination transport-method email
  destination address http ` + url + `
  destination preferred-msg-format ` + format + `
  subscribe-to-alert-group ` + sub + `
`
}

// TestHwmonEnvironmentAlertGroup: `source hwmon` on its fixture (a VM has
// no sensors): a temperature crossing its critical threshold sends the
// environment group's message, subtype ENVCRIT at severity major (the
// guide's syslog level 2), with the group's commands; a warning below the
// profile's threshold (major) sends none.
func TestHwmonEnvironmentAlertGroup(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../events/source/hwmon/testdata/hwmon")); err != nil {
		t.Fatal(err)
	}
	col, url := newCollector(t)
	d, _ := startVTYDaemon(t, alertGroupConfig(url, "environment severity major",
		" source hwmon root "+root+" poll 1\n"))
	write := func(file, v string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, file), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A warning first, seen by the source before the critical reading, so
	// that its message (were it sent) would come before the critical one.
	write("hwmon0/temp2_input", "87000")
	waitFor(t, "the hwmon warning", func() bool {
		st := d.SourceStats()
		return len(st) == 1 && st[0].Events >= 1
	})
	write("hwmon0/temp1_input", "96000")
	msg := col.find(t, "environment message", "Message name: ENVCRIT\n", "Message type: environment\n",
		"Message subtype: ENVCRIT\n", "Severity level: 5\n",
		"%ENVMON-2-ENVCRIT: Package id 0 temperature 96C exceeds critical threshold 95C",
		"Command output name: show environment\n")
	if !strings.Contains(msg, "Message description: %ENVMON-2-ENVCRIT") {
		t.Errorf("the description is not the line:\n%s", msg)
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	for _, m := range col.msgs {
		if strings.Contains(m, "ENVWARN") {
			t.Errorf("a warning went to a profile subscribed at major:\n%s", m)
		}
	}
}

// TestNetlinkInventoryAlertGroup: `source netlink namespace NS`: a veth
// pair added in the namespace sends the inventory group's delta message
// HARDWARE_INSERTION for each end, its removal HARDWARE_REMOVAL.
func TestNetlinkInventoryAlertGroup(t *testing.T) {
	ns := testNamespace(t)
	col, url := newCollector(t)
	d, _ := startVTYDaemon(t, alertGroupConfig(url, "inventory", " source netlink namespace "+ns+"\n"))
	waitNetlinkReady(t, d, ns)
	netnsIP(t, "-n", ns, "link", "add", "vA", "type", "veth", "peer", "name", "vB")
	for _, slot := range []string{"vA", "vB"} {
		inventoryMessage(t, col, "HARDWARE_INSERTION", "%OIR-6-INSCARD: Card inserted in slot "+slot+", interfaces are now online")
	}
	netnsIP(t, "-n", ns, "link", "del", "vA")
	for _, slot := range []string{"vA", "vB"} {
		inventoryMessage(t, col, "HARDWARE_REMOVAL", "%OIR-6-REMCARD: Card removed from slot "+slot+", interfaces disabled")
	}
}

// TestUdevInventoryAlertGroup: `source udev subsystem net`: the kernel's
// uevents for a veth pair added in the daemon's namespace send the
// inventory group's HARDWARE_INSERTION message, and its deletion's
// HARDWARE_REMOVAL.
func TestUdevInventoryAlertGroup(t *testing.T) {
	id := rootOnly(t)
	col, url := newCollector(t)
	d, _ := startVTYDaemon(t, alertGroupConfig(url, "inventory", " source udev subsystem net\n"))
	// The source's socket is bound once it runs: add and delete probe
	// pairs until one is counted.
	n := 0
	waitFor(t, "the udev source", func() bool {
		n++
		probe := fmt.Sprintf("dsep%s%d", id, n%10)
		sh(t, "ip", "link", "add", probe, "type", "veth", "peer", "name", probe+"x")
		exec.Command("ip", "link", "del", probe).Run()
		st := d.SourceStats()
		return len(st) == 1 && st[0].Events > 0
	})
	a, b := "dseu"+id+"a", "dseu"+id+"b"
	sh(t, "ip", "link", "add", a, "type", "veth", "peer", "name", b)
	t.Cleanup(func() { exec.Command("ip", "link", "del", a).Run() })
	inventoryMessage(t, col, "HARDWARE_INSERTION", "%OIR-6-INSCARD: Card inserted in slot "+a+", interfaces are now online (net /devices/virtual/net/"+a+")")
	sh(t, "ip", "link", "del", a)
	inventoryMessage(t, col, "HARDWARE_REMOVAL", "%OIR-6-REMCARD: Card removed from slot "+b+", interfaces disabled (net /devices/virtual/net/"+b+")")
}

// inventoryMessage waits for the inventory group's delta message name
// whose description is line.
func inventoryMessage(t *testing.T, col *collector, name, line string) {
	t.Helper()
	col.find(t, name+" message", "Message name: "+name+"\n", "Message type: inventory\n",
		"Message subtype: delta\n", "Message description: "+line+"\n", "Command output name: show inventory oid\n")
}
