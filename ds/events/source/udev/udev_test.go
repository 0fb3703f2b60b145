package udev

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/sourcetest"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 12, 6, 7, 37, 44, 0, time.UTC)

// veth makes a veth pair in the host's namespace for the test (deleted
// at its end) and returns the name of one end.
func veth(t *testing.T) string {
	t.Helper()
	testserver.RequireRoot(t, "a veth pair")
	b := make([]byte, 3)
	rand.Read(b)
	name := "dseu" + hex.EncodeToString(b)
	if out, err := exec.Command("ip", "link", "add", name+"a", "type", "veth", "peer", "name", name+"b").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", name+"a").Run() })
	return name + "a"
}

// trigger makes the kernel send a uevent for the interface, as udevadm
// trigger does.
func trigger(t *testing.T, ifname, action string) {
	t.Helper()
	if err := os.WriteFile("/sys/class/net/"+ifname+"/uevent", []byte(action), 0o200); err != nil {
		t.Fatal(err)
	}
}

type rig struct {
	src   *Source
	mu    sync.Mutex
	lines []string
	log   testserver.Buffer
}

func (r *rig) matching(s string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.lines {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

func run(t *testing.T, args ...string) *rig {
	t.Helper()
	s, err := New(args)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{src: s.(*Source)}
	env := source.Env{Clock: clock.NewVirtual(t0), Log: slog.New(slog.NewTextHandler(&r.log, nil)),
		Syslog: func(_ time.Time, line string) bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.lines = append(r.lines, line)
			return true
		}}
	sourcetest.Run(t, s, env)
	return r
}

// TestRealUevents: the kernel's own uevents for a veth made by the test
// (subsystem net, as the test asks) become OIR lines.
func TestRealUevents(t *testing.T) {
	ifname := veth(t)
	r := run(t, "subsystem", "net")
	ins := "%OIR-6-INSCARD: Card inserted in slot " + ifname + ", interfaces are now online (net /devices/virtual/net/" + ifname + ")"
	// The socket is bound once Run has started: write until a line shows.
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool {
		trigger(t, ifname, "add")
		return len(r.matching(ins)) > 0
	}) {
		t.Fatalf("no %q; lines %q", ins, r.matching(""))
	}
	trigger(t, ifname, "change") // neither an insertion nor a removal
	trigger(t, ifname, "remove")
	rem := "%OIR-6-REMCARD: Card removed from slot " + ifname + ", interfaces disabled (net /devices/virtual/net/" + ifname + ")"
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool { return len(r.matching(ifname+",")) > 0 && len(r.matching(rem)) == 1 }) {
		t.Fatalf("lines %q", r.matching(ifname))
	}
	for _, l := range r.matching(ifname) {
		if l != ins && l != rem {
			t.Errorf("line %q", l)
		}
	}
}

// TestDefaultIgnoresNet: the default subsystems (usb, pci) take no net
// uevent.
func TestDefaultIgnoresNet(t *testing.T) {
	ifname := veth(t)
	r := run(t)
	watch := run(t, "subsystem", "net") // the proof that the uevents went out
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool {
		trigger(t, ifname, "add")
		return len(watch.matching(ifname)) > 0
	}) {
		t.Fatal("no uevent seen")
	}
	if got := r.matching(ifname); len(got) != 0 {
		t.Errorf("the usb/pci source raised %q", got)
	}
}

// TestFlood: a burst of uevents is bounded (the virtual clock does not
// move, so only Burst lines pass) and the rest counted as dropped.
func TestFlood(t *testing.T) {
	ifname := veth(t)
	r := run(t, "subsystem", "net")
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool {
		trigger(t, ifname, "add")
		return len(r.matching(ifname)) > 0
	}) {
		t.Fatal("no uevent seen")
	}
	const n = 2000
	for range n {
		trigger(t, ifname, "add")
	}
	if !testserver.Poll(20*time.Second, 10*time.Millisecond, func() bool {
		st := r.src.Stats()
		return st.Events+st.Dropped >= n
	}) {
		t.Fatalf("stats %+v", r.src.Stats())
	}
	st := r.src.Stats()
	t.Logf("%d uevents: %d lines, %d dropped", n, st.Events, st.Dropped)
	if st.Events > Burst || st.Dropped < n-Burst || len(r.matching(ifname)) > Burst {
		t.Errorf("stats %+v, %d lines", st, len(r.matching(ifname)))
	}
	if log := r.log.String(); !strings.Contains(log, "uevent flood") {
		t.Errorf("log:\n%s", log)
	}
}

func TestParseAndLines(t *testing.T) {
	s, _ := New(nil)
	src := s.(*Source)
	for msg, want := range map[string]string{
		"add@/devices/pci0000:00/0000:00:14.0/usb1/1-1\x00ACTION=add\x00DEVPATH=/devices/pci0000:00/0000:00:14.0/usb1/1-1\x00SUBSYSTEM=usb\x00DEVTYPE=usb_device\x00PRODUCT=46d/c52b/1201\x00":           "%OIR-6-INSCARD: Card inserted in slot 1-1, interfaces are now online (usb vendor 046d product c52b /devices/pci0000:00/0000:00:14.0/usb1/1-1)",
		"remove@/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0\x00ACTION=remove\x00DEVPATH=/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0\x00SUBSYSTEM=usb\x00DEVTYPE=usb_interface\x00":           "",
		"remove@/devices/pci0000:00/0000:00:1f.6\x00ACTION=remove\x00DEVPATH=/devices/pci0000:00/0000:00:1f.6\x00SUBSYSTEM=pci\x00PCI_ID=8086:15BC\x00PCI_CLASS=20000\x00PCI_SLOT_NAME=0000:00:1f.6\x00": "%OIR-6-REMCARD: Card removed from slot 0000:00:1f.6, interfaces disabled (pci vendor 8086 product 15bc class 20000 /devices/pci0000:00/0000:00:1f.6)",
		"libudev\x00\xfe\xed\xca\xfeACTION=add\x00": "",
		"add@/devices/x\x00ACTION=add\x00":          "",
		"bind@/devices/pci0000:00/0000:00:1f.6\x00ACTION=bind\x00DEVPATH=/devices/pci0000:00/0000:00:1f.6\x00SUBSYSTEM=pci\x00": "",
	} {
		var got string
		if ev, ok := parse([]byte(msg)); ok {
			got, _ = src.line(ev)
		}
		if got != want {
			t.Errorf("%q:\n got %q\nwant %q", msg, got, want)
		}
	}
	for _, args := range [][]string{{"subsystem"}, {"usb"}, {"subsystem", "a/b"}} {
		if _, err := New(args); err == nil {
			t.Errorf("New(%q) accepted", args)
		}
	}
}
