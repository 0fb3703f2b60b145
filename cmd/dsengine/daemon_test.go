package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	serverstore "github.com/dsengine/dsengine/ds/server/store"
	"github.com/dsengine/dsengine/internal/testserver"
)

// syncBuffer collects a log written from several goroutines.
type syncBuffer = testserver.Buffer

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDemoDaemonEndToEnd runs the README's first command (`run --demo`),
// sends syslog with the real logger, and follows the DS through the
// control socket to the call-home message in the outbox.
func TestDemoDaemonEndToEnd(t *testing.T) {
	testserver.Require(t, "logger")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	done := make(chan int)
	go func() {
		e := &env{ctx: ctx, stdin: strings.NewReader(""), stdout: log, stderr: log, getenv: func(string) string { return "" },
			now: time.Now, bootflash: filepath.Join(dir, "bootflash")}
		done <- run(e, []string{"run", "--demo"})
	}()
	stopped := false
	defer func() {
		if !stopped {
			cancel()
			<-done
		}
	}()
	sock := filepath.Join(dir, "bootflash", "dsengine.sock")
	eventually(t, "the control socket", func() bool { _, err := os.Stat(sock); return err == nil })

	cli := func(args ...string) result {
		return dsengine(t, dir, append([]string{"--bootflash", filepath.Join(dir, "bootflash")}, args...)...)
	}
	// A second daemon on the same bootflash is refused.
	if r := cli("run", "--demo"); r.code != exitFail || !strings.Contains(r.stderr, "in use by another dsengine") {
		t.Errorf("second daemon: exit %d, %s", r.code, r.stderr)
	}
	before := cli("show", "call-home", "statistics")

	out, err := exec.Command("logger", "-n", "127.0.0.1", "-P", "5514", "-d",
		"%LINK-3-UPDOWN: Interface lo, changed state to down").CombinedOutput()
	if err != nil {
		t.Fatalf("logger: %v %s", err, out)
	}
	eventually(t, "DS 6050 to run", func() bool {
		r := cli("show", "call-home", "diagnostic-signature", "6050", "statistics")
		return strings.Contains(r.stdout, "Triggered:      1")
	})
	r := cli("show", "call-home", "diagnostic-signature")
	if !strings.Contains(r.stdout, "6050       AnyLinkDown") || !strings.Contains(r.stdout, "6030       ActCH                     1.1       pending") {
		t.Errorf("show call-home diagnostic-signature through the daemon:\n%s%s", r.stdout, r.stderr)
	}
	// The call-home message is delivered to the demo's embedded collector,
	// whose console address the daemon printed.
	if !strings.Contains(log.String(), "demo: console on http://127.0.0.1:") {
		t.Errorf("no console address printed:\n%s", log.String())
	}
	srvStore, err := serverstore.Open(context.Background(), filepath.Join(dir, "bootflash", "server", serverstore.SQLiteFile), serverstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srvStore.Close()
	eventually(t, "the DS 6050 message at the embedded collector", func() bool {
		l, err := srvStore.Messages(context.Background(), serverstore.Filter{DSID: "6050"})
		return err == nil && len(l) > 0
	})
	// An injected OIR removal completes DS 6032's correlation with the
	// link-down above (within its 120 s window).
	if r := cli("event", "oir", "--slot", "1", "remove"); r.code != exitOK {
		t.Fatalf("event oir: exit %d %s", r.code, r.stderr)
	}
	eventually(t, "DS 6032 to run", func() bool {
		r := cli("show", "call-home", "diagnostic-signature", "6032", "statistics")
		return strings.Contains(r.stdout, "Triggered:      1")
	})
	if r := cli("show", "event", "manager", "statistics"); !strings.Contains(r.stdout, "udp:127.0.0.1:5514                     1          1         0") {
		t.Errorf("show event manager statistics:\n%s%s", r.stdout, r.stderr)
	}
	immediate6042 := regexp.MustCompile(`(?m)^\d+ +6042 +immediate `)
	if r := cli("show", "event", "manager", "policy", "registered"); !strings.Contains(r.stdout, "6050       syslog     down") ||
		!immediate6042.MatchString(r.stdout) {
		t.Errorf("show event manager policy registered:\n%s%s", r.stdout, r.stderr)
	}
	// An `event none` applet runs by hand, with its arguments.
	if r := cli("event", "manager", "run", "HELLO", "world"); r.code != exitOK {
		t.Errorf("event manager run: exit %d %s", r.code, r.stderr)
	}
	eventually(t, "the HELLO applet's syslog message", func() bool {
		return strings.Contains(log.String(), "%HA_EM-6-LOG: HELLO: hello from world")
	})
	// The applet's own line came back to the detectors through the echo
	// queue, and its run is counted.
	if r := cli("show", "event", "manager", "statistics"); !regexp.MustCompile(`HELLO\s+1\s+0\n`).MatchString(r.stdout) ||
		!regexp.MustCompile(`engine messages\s+[1-9]`).MatchString(r.stdout) {
		t.Errorf("show event manager statistics after the applet ran:\n%s%s", r.stdout, r.stderr)
	}
	// Manual sends go through the daemon's rate limit and outbox.
	if r := cli("call-home", "test", "hello from the test", "profile", "demo"); r.code != exitOK || !strings.Contains(r.stdout, "queued") {
		t.Errorf("call-home test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := cli("call-home", "send", "alert-group", "inventory", "profile", "demo"); r.code != exitOK || !strings.Contains(r.stdout, "inventory") {
		t.Errorf("call-home send alert-group: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	after := cli("show", "call-home", "statistics")
	if after.stdout == before.stdout || !strings.Contains(after.stdout, "In-Queue") {
		t.Errorf("statistics did not change:\nbefore:\n%s\nafter:\n%s", before.stdout, after.stdout)
	}
	// A reload with a broken configuration keeps the running one.
	conf := filepath.Join(dir, "bootflash", "demo", "dsengine.conf")
	good, _ := os.ReadFile(conf)
	if err := os.WriteFile(conf, append(good, []byte(" rate-limit 61\n")...), 0o644); err == nil {
		if r := cli("reload"); r.code != exitFail || !strings.Contains(r.stderr, "the running configuration stays") {
			t.Errorf("bad reload: exit %d, %s", r.code, r.stderr)
		}
		os.WriteFile(conf, good, 0o644)
		if r := cli("reload"); r.code != exitOK {
			t.Errorf("good reload: exit %d, %s", r.code, r.stderr)
		}
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("daemon exit %d\n%s", code, log.String())
	}
	stopped = true
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
	if n := strings.Count(log.String(), `msg="ds trigger" ds=6042 type=immediate`); n != 1 {
		t.Errorf("the immediate DS 6042 ran %d times, want once", n)
	}

	// A restart on the same bootflash: the immediate DS does not run again.
	ctx2, cancel2 := context.WithCancel(context.Background())
	log2 := &syncBuffer{}
	done2 := make(chan int)
	go func() {
		e := &env{ctx: ctx2, stdin: strings.NewReader(""), stdout: log2, stderr: log2, getenv: func(string) string { return "" },
			now: time.Now, bootflash: filepath.Join(dir, "bootflash")}
		done2 <- run(e, []string{"run", "--demo"})
	}()
	// "dsengine running" comes after the DS are registered: 6042 is, but
	// not its immediate event, which fires only when registered (the
	// first daemon showed it).
	eventually(t, "the restarted daemon", func() bool { return strings.Contains(log2.String(), "dsengine running") })
	if r := cli("show", "event", "manager", "policy", "registered"); r.code != exitOK || immediate6042.MatchString(r.stdout) {
		t.Errorf("after a restart, show event manager policy registered: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`msg=registered ds="[^"]*\b6042\b`).MatchString(log2.String()) {
		t.Errorf("6042 is not registered after a restart:\n%s", log2.String())
	}
	cancel2()
	<-done2
	if strings.Contains(log2.String(), "ds=6042 type=immediate") {
		t.Errorf("the immediate DS ran again after a restart:\n%s", log2.String())
	}
}
