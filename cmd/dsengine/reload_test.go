package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/testserver"
)

// TestReloadAppliesEverySetting: a reload applies what it reads — the
// command map, the syslog listeners, the metrics address, the rate limit —
// or, for what needs a restart, refuses and names the line, keeping the
// running configuration.
func TestReloadAppliesEverySetting(t *testing.T) {
	testserver.Require(t, "logger")
	dir := t.TempDir()
	conf := func(host, marker string, udpPort int, metrics string, rateLimit int) {
		t.Helper()
		text := `hostname ` + host + `
service call-home
call-home
 contact-email-addr noc@example.com
 rate-limit ` + strconv.Itoa(rateLimit) + `
 profile "user1"
  destination transport-method http
  no destination transport-method email
  destination address http http://127.0.0.1:9/callhome
 diagnostic-signature
  profile user1
  command-map "show marker" "echo ` + marker + `"
event manager applet MARK
 event syslog pattern "MARKME"
 action 1.0 cli command "show marker"
 action 2.0 syslog msg "marker is $_cli_result"
dsengine
 syslog listen udp ` + testserver.Addr(udpPort) + `
 metrics listen ` + metrics + "\n"
		if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	send := func(port int, msg string) {
		t.Helper()
		if out, err := exec.Command("logger", "-n", "127.0.0.1", "-P", strconv.Itoa(port), "-d", msg).CombinedOutput(); err != nil {
			t.Fatalf("logger: %v %s", err, out)
		}
	}
	scrape := func(addr string) error {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	cli := func(args ...string) result {
		return dsengineNow(t, dir, append([]string{"--config", filepath.Join(dir, "dsengine.conf"), "--bootflash",
			filepath.Join(dir, "bootflash")}, args...)...)
	}

	port1, port2 := testserver.FreeUDPPort(t), testserver.FreeUDPPort(t)
	metrics1, metrics2 := testserver.Addr(testserver.FreePort(t)), testserver.Addr(testserver.FreePort(t))
	conf("edge-1", "one", port1, metrics1, 60)
	d := startDaemon(t, dir)
	send(port1, "MARKME first")
	eventually(t, "the applet with the first command map", func() bool { return strings.Contains(d.log.String(), "marker is one") })
	if err := scrape(metrics1); err != nil {
		t.Fatalf("metrics before the reload: %v", err)
	}

	conf("edge-1", "two", port2, metrics2, 2)
	if r := cli("reload"); r.code != exitOK || !strings.Contains(r.stdout, "configuration reloaded") {
		t.Fatalf("reload: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The new listener takes lines and runs the new command; the old one
	// is gone.
	send(port2, "MARKME second")
	eventually(t, "the applet with the new command map", func() bool { return strings.Contains(d.log.String(), "marker is two") })
	st := cli("show", "event", "manager", "statistics").stdout
	if !strings.Contains(st, "udp:"+testserver.Addr(port2)) || strings.Contains(st, "udp:"+testserver.Addr(port1)) {
		t.Errorf("inputs after the reload:\n%s", st)
	}
	// A shard a core, each of syslog queue-size lines (the default here).
	queue := fmt.Sprintf("Queue to the detectors: 0 of %d", config.DefaultSyslogQueueSize*runtime.GOMAXPROCS(0))
	if n := runtime.GOMAXPROCS(0); n > 1 {
		queue += fmt.Sprintf(" (%d shards by device, one a core)", n)
	}
	if !strings.Contains(st, queue+"\n") {
		t.Errorf("no %q in:\n%s", queue, st)
	}
	// The metrics moved.
	if err := scrape(metrics2); err != nil {
		t.Errorf("metrics at the new address: %v", err)
	}
	if err := scrape(metrics1); err == nil {
		t.Errorf("metrics still served at the old address %s", metrics1)
	}
	// The rate limit is 2 a minute now: the third message is dropped.
	for i := range 3 {
		r := cli("call-home", "test", "probe", "profile", "user1")
		if (i < 2) != (r.code == exitOK) {
			t.Errorf("call-home test %d: exit %d %s%s", i+1, r.code, r.stdout, r.stderr)
		}
	}

	// A new host name needs a restart: the reload is refused, naming the
	// line, and the running configuration stays.
	conf("edge-2", "three", port2, metrics2, 2)
	r := cli("reload")
	if r.code != exitFail || !strings.Contains(r.stderr, `dsengine.conf:1: hostname "edge-2"`) ||
		!strings.Contains(r.stderr, "restart the daemon") {
		t.Errorf("reload with a new control socket: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	send(port2, "MARKME third")
	eventually(t, "the applet, still with the second command map", func() bool {
		return strings.Count(d.log.String(), "marker is two") >= 2
	})
	if strings.Contains(d.log.String(), "marker is three") {
		t.Errorf("a refused reload applied the new command map")
	}
}
