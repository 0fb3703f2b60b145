package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/internal/testserver"
)

// configDaemon runs a daemon on the real clock with the configuration
// text, until the test ends; it returns the daemon, its bootflash
// directory (where the applets' flash: files are) and its log.
func configDaemon(t *testing.T, text string) (*Daemon, string, *logBuffer) {
	t.Helper()
	dir := t.TempDir()
	flash := filepath.Join(dir, "bootflash")
	now := func() time.Time { return t0 }
	check := lifecycle.Checker(nil, now)
	store, err := bootflash.Open(flash, bootflash.Options{Check: check, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := mustConfig(t, text)
	log := &logBuffer{}
	d, err := New(Options{
		Config: cfg, LoadConfig: func(string) (*config.Config, error) { return cfg, nil },
		Store: store, Manager: lifecycle.New(store, check, lifecycle.Host{Hostname: "edge-1"}, nil, now),
		Bootflash: flash, Clock: ds.RealClock{}, Log: slog.New(slog.NewTextHandler(log, nil)),
		Commands: func(context.Context, *Daemon, control.Request) control.Response { return control.Response{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("daemon: %v", err)
			}
		})
	})
	waitFor(t, "the daemon", func() bool { return strings.Contains(log.String(), "dsengine running") })
	return d, flash, log
}

// readFlash returns a flash: file's text, "" while it does not exist.
func readFlash(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return string(b)
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// netnsPair makes two network namespaces joined by a veth pair (va in
// the first, vb in the second, both up) and deletes them when the test
// ends.
func netnsPair(t *testing.T) (nsa, nsb, va, vb string) {
	t.Helper()
	testserver.Require(t, "ip")
	b := make([]byte, 3)
	rand.Read(b)
	id := hex.EncodeToString(b)
	nsa, nsb, va, vb = "dse-a"+id, "dse-b"+id, "dsa"+id, "dsb"+id
	run(t, "ip", "netns", "add", nsa)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsa).Run() })
	run(t, "ip", "netns", "add", nsb)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsb).Run() })
	run(t, "ip", "link", "add", va, "type", "veth", "peer", "name", vb)
	run(t, "ip", "link", "set", va, "netns", nsa)
	run(t, "ip", "link", "set", vb, "netns", nsb)
	run(t, "ip", "-n", nsa, "link", "set", va, "up")
	run(t, "ip", "-n", nsb, "link", "set", vb, "up")
	return nsa, nsb, va, vb
}

// startLLDPD runs lldpd in namespace ns on iface, with the control socket
// sock and, when name is set, that system name.
func startLLDPD(t *testing.T, ns, iface, sock, name string) *testserver.Process {
	t.Helper()
	testserver.Require(t, "lldpd", "lldpcli")
	dir := filepath.Dir(sock)
	conf := filepath.Join(dir, filepath.Base(sock)+".conf")
	text := ""
	if name != "" {
		text = "configure system hostname " + name + "\n"
	}
	testserver.WriteFile(t, conf, text, 0o644)
	p := testserver.Start(t, dir, "ip", "netns", "exec", ns, "lldpd", "-d", "-u", sock, "-I", iface, "-O", conf)
	waitFor(t, "lldpd's socket", func() bool { _, err := os.Stat(sock); return err == nil })
	return p
}

// watching reports whether an lldpcli watch on sock runs (the source's).
func watching(sock string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, _ := os.ReadFile(p)
		if s := string(b); strings.Contains(s, "lldpcli\x00-u\x00"+sock+"\x00") && strings.HasSuffix(s, "watch\x00") {
			return true
		}
	}
	return false
}

// TestLLDPNeighborDiscovery: two lldpd talk over a veth pair between two
// namespaces; the daemon's `source lldp` follows the first's socket, and
// the applets on `event neighbor-discovery ... lldp add|delete` fire with
// the peer's system name when it appears and when its link goes down.
func TestLLDPNeighborDiscovery(t *testing.T) {
	nsa, nsb, va, vb := netnsPair(t)
	dir := t.TempDir()
	// lldpcli is setuid _lldpd: the socket's directories must let it in.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sockA, sockB := filepath.Join(dir, "a.sock"), filepath.Join(dir, "b.sock")
	startLLDPD(t, nsa, va, sockA, "")
	d, flash, log := configDaemon(t, fmt.Sprintf(`hostname edge-1
dsengine
 source lldp socket %s
event manager applet ND-ADD
 event neighbor-discovery interface regexp ^dsa lldp add
 action 1.0 file open fh flash:add.txt w
 action 2.0 file puts fh "$_nd_notification $_nd_lldp_system_name on $_nd_local_intf_name ttl $_nd_lldp_ttl"
 action 3.0 file close fh
event manager applet ND-DEL
 event neighbor-discovery interface regexp ^dsa lldp delete
 action 1.0 file open fh flash:del.txt w
 action 2.0 file puts fh "$_nd_notification $_nd_lldp_system_name"
 action 3.0 file close fh
event manager applet ND-CDP
 event neighbor-discovery interface regexp . cdp add
 action 1.0 syslog msg "never"
`, sockA))
	waitFor(t, "the source's lldpcli watch", func() bool { return watching(sockA) })
	startLLDPD(t, nsb, vb, sockB, "peer-b")
	// lldpd takes a few seconds to see its peer.
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool { return readFlash(flash, "add.txt") != "" }) {
		t.Fatalf("no add:\n%s", log)
	}
	if got, want := readFlash(flash, "add.txt"), "lldp add peer-b on "+va+" ttl 120\n"; got != want {
		t.Errorf("add.txt %q, want %q", got, want)
	}
	run(t, "ip", "-n", nsb, "link", "set", vb, "down")
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool { return readFlash(flash, "del.txt") != "" }) {
		t.Fatalf("no delete:\n%s", log)
	}
	if got, want := readFlash(flash, "del.txt"), "lldp delete peer-b\n"; got != want {
		t.Errorf("del.txt %q, want %q", got, want)
	}
	var events uint64
	for _, s := range d.SourceStats() {
		if s.Source == "lldp" {
			events = s.Events
		}
	}
	if events < 2 {
		t.Errorf("lldp source events %d, want at least 2: %+v", events, d.SourceStats())
	}
	// cdp without `source lldp ... cdp` is refused, naming what to do.
	if !strings.Contains(log.String(), "source lldp cdp") {
		t.Errorf("the cdp applet was not refused:\n%s", log)
	}
}

// TestEventSNMP: an applet on `event snmp` polls the `snmp agent` (a real
// snmpd whose pass_persist script the test rewrites) every second; a
// string for the integer is logged and polling goes on, and the applet
// fires once the value crosses the threshold, and its snmp-trap reaches
// the snmptrapd of the IOS `snmp-server host` line as IOS sends it
// (cEventMgrPolicyEvent).
func TestEventSNMP(t *testing.T) {
	agent, set := testserver.StartSNMPDPass(t)
	trapd := testserver.StartSNMPTrapd(t)
	host, port, _ := strings.Cut(trapd.Addr, ":")
	set("string", "not a number")
	_, flash, log := configDaemon(t, fmt.Sprintf(`hostname edge-1
snmp-server enable traps event-manager
snmp-server host %s version 2c public udp-port %s
dsengine
 snmp agent %s community %s
event manager applet SNMP-HIGH
 event snmp oid %s get-type exact entry-op gt entry-val 40 poll-interval 1
 action 1.0 file open fh flash:snmp.txt w
 action 2.0 file puts fh "$_snmp_oid=$_snmp_oid_val"
 action 3.0 file close fh
 action 4.0 snmp-trap intdata1 $_snmp_oid_val strdata "$_snmp_oid"
`, host, port, agent.Addr, agent.Community, testserver.SNMPDPassOID))
	waitFor(t, "the failed poll", func() bool { return strings.Contains(log.String(), "not a number") })
	if readFlash(flash, "snmp.txt") != "" {
		t.Fatal("fired on a string")
	}
	set("integer", "41")
	waitFor(t, "the applet", func() bool { return readFlash(flash, "snmp.txt") != "" })
	if got, want := readFlash(flash, "snmp.txt"), testserver.SNMPDPassOID+"=41\n"; got != want {
		t.Errorf("snmp.txt %q, want %q", got, want)
	}
	var traps []string
	waitFor(t, "the trap", func() bool { traps = trapd.Traps(); return len(traps) > 0 })
	for _, want := range []string{
		".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.9.10.134.0.2",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.7.1 = STRING: \"SNMP-HIGH\"",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.9.1 = INTEGER: 41",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.11.1 = STRING: \"" + testserver.SNMPDPassOID + "\"",
	} {
		if !strings.Contains(traps[0], want) {
			t.Errorf("trap lacks %q:\n%s", want, traps[0])
		}
	}
}
