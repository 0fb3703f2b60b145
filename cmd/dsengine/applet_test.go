package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// TestDaemonAppletCorrelatesWithTrack runs an applet whose trigger needs a
// syslog event while a tracked interface is up, as
// `correlate event e1 and track 10` says.
func TestDaemonAppletCorrelatesWithTrack(t *testing.T) {
	testserver.Require(t, "logger")
	dir := t.TempDir()
	port := testserver.FreeUDPPort(t)
	writeConfig(t, dir, `track 10 interface GigabitEthernet1/0/1 line-protocol
event manager applet UPLINKCFG
 event tag e1 syslog pattern "%SYS-5-CONFIG_I"
 trigger
  correlate event e1 and track 10
 action 1.0 syslog msg "configured while the uplink is up: $_syslog_msg"
dsengine
 syslog listen udp `+testserver.Addr(port)+"\n")
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	done := make(chan int)
	go func() {
		e := &env{ctx: ctx, stdin: strings.NewReader(""), stdout: log, stderr: log, getenv: func(string) string { return "" },
			now: time.Now, config: filepath.Join(dir, "dsengine.conf"), bootflash: filepath.Join(dir, "bootflash")}
		done <- run(e, []string{"run"})
	}()
	defer func() { cancel(); <-done }()
	eventually(t, "the daemon", func() bool { return strings.Contains(log.String(), "dsengine running") })
	send := func(msg string) {
		t.Helper()
		if out, err := exec.Command("logger", "-n", "127.0.0.1", "-P", strings.TrimPrefix(testserver.Addr(port), "127.0.0.1:"), "-d", msg).CombinedOutput(); err != nil {
			t.Fatalf("logger: %v %s", err, out)
		}
	}
	send("%SYS-5-CONFIG_I: Configured from console by admin on vty0")
	send("%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi1/0/1, changed state to up")
	send("%SYS-5-CONFIG_I: Configured from console by admin on vty1")
	eventually(t, "the applet", func() bool {
		return strings.Contains(log.String(), "%HA_EM-6-LOG: UPLINKCFG: configured while the uplink is up: %SYS-5-CONFIG_I: Configured from console by admin on vty1")
	})
	// The lines reach the detectors in order, and the applet's runs queue
	// to its one worker in the order they fired: a run for vty0, with
	// track 10 down, would have logged before the run for vty1.
	if strings.Contains(log.String(), "UPLINKCFG: configured while the uplink is up: %SYS-5-CONFIG_I: Configured from console by admin on vty0") {
		t.Fatalf("the applet ran while track 10 was not up:\n%s", log.String())
	}
}
