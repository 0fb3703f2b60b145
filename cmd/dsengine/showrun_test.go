package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/golden"
	"github.com/dsengine/dsengine/internal/testserver"
)

const showRunConf = `service call-home
hostname edge-1
call-home
 contact-email-addr noc@example.com
 rate-limit 10
 profile "user1"
  destination transport-method http
  no destination transport-method email
  destination address http https://collector.example.com/callhome
  subscribe-to-alert-group inventory periodic daily 14:00
 diagnostic-signature
  profile user1
event manager applet LINKDOWN
 event syslog pattern "%LINK-3-UPDOWN: .* down" occurs 2 period 60
 action 1.0 cli command "show interfaces"
 action 2.0 syslog msg "link flapped"
`

// checkSize checks the "Current configuration : N bytes" line against
// what follows it.
func checkSize(t *testing.T, out string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)^Building configuration\.\.\.\n\nCurrent configuration : (\d+) bytes\n(.*)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no IOS header:\n%s", out)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(m[2]) || !strings.HasPrefix(m[2], "!\n") || !strings.HasSuffix(m[2], "\nend\n") {
		t.Errorf("header says %s bytes; the configuration from ! to end has %d:\n%s", m[1], len(m[2]), out)
	}
}

// TestShowRunningConfig: without a daemon, the configuration file as IOS
// prints it: the SPEC's defaults left out, service call-home shown.
func TestShowRunningConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(showRunConf), 0o644); err != nil {
		t.Fatal(err)
	}
	r := dsengine(t, dir, "--config", "dsengine.conf", "show", "running-config")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkSize(t, r.stdout)
	golden.Check(t, "testdata/show-running-config.golden", []byte(r.stdout))

	if r := dsengine(t, dir, "--config", "dsengine.conf", "show", "running-config", "all"); r.code != exitUsage || !strings.Contains(r.stderr, "takes no arguments") {
		t.Errorf("with an argument: exit %d, stderr %q; want exit 2", r.code, r.stderr)
	}
	os.WriteFile(filepath.Join(dir, "bad.conf"), []byte("call-home\n rate-limit 99\n"), 0o644)
	if r := dsengine(t, dir, "--config", "bad.conf", "show", "running-config"); r.code != exitFail || !strings.Contains(r.stderr, "bad.conf:2: rate-limit 99 out of range") {
		t.Errorf("bad configuration: exit %d, stderr %q; want exit 1 and the line", r.code, r.stderr)
	}
}

// TestShowRunningConfigFromDaemon: a running daemon answers with the
// configuration it runs, not the file edited since.
func TestShowRunningConfigFromDaemon(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.conf")
	listen := "dsengine\n syslog listen udp " + testserver.Addr(testserver.FreeUDPPort(t)) + "\n"
	if err := os.WriteFile(path, []byte(showRunConf+listen), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, dir)
	edited := strings.Replace(showRunConf, " rate-limit 10\n", " rate-limit 30\n", 1)
	if err := os.WriteFile(path, []byte(edited+listen), 0o644); err != nil {
		t.Fatal(err)
	}
	r := dsengineNow(t, dir, "--config", path, "--bootflash", filepath.Join(dir, "bootflash"), "show", "running-config")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkSize(t, r.stdout)
	if !strings.Contains(r.stdout, "\n rate-limit 10\n") || !strings.Contains(r.stdout, "\n syslog listen udp ") {
		t.Errorf("the daemon's configuration (rate-limit 10) expected:\n%s", r.stdout)
	}
}
