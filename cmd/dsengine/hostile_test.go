package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/testserver"
)

// hostileDS is a DS with one event and the given actions, as a signed
// repository would hold it.
func hostileDS(id, event, actions string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id=%q revision="1.0">
  <Name>Hostile%s</Name>
  <Events>%s</Events>
  <Actions>%s</Actions>
</DiagnosticSignature>
`, id, id, event, actions)
}

// installHostile signs and installs the DS (by id) in dir with the demo
// key, under a configuration that trusts it, listens for syslog on a
// free UDP port, and adds conf's lines; it returns the port.
func installHostile(t *testing.T, dir string, sigs map[string]string, conf string) int {
	t.Helper()
	port := testserver.FreeUDPPort(t)
	cfg := `hostname edge-1
call-home
 contact-email-addr noc@example.com
 diagnostic-signature
  trust-key ` + repoFile(t, "signatures/keys/demo-public.asc") + `
dsengine
 syslog listen udp ` + testserver.Addr(port) + "\n" + conf
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for id, xml := range sigs {
		if err := os.WriteFile(filepath.Join(dir, id+".xml"), []byte(xml), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := dsengineNow(t, dir, "ds", "sign", "--key", repoFile(t, "signatures/keys/demo-secret.asc"), id+".xml"); r.code != exitOK {
			t.Fatalf("sign %s: %s", id, r.stderr)
		}
		if r := dsengineNow(t, dir, "call-home", "diagnostic-signature", "install", id, "--file", id+".xml"); r.code != exitOK {
			t.Fatalf("install %s: %s%s", id, r.stdout, r.stderr)
		}
	}
	return port
}

// sendSyslog sends one line to the daemon's UDP input.
func sendSyslog(t *testing.T, port int, line string) {
	t.Helper()
	c, err := net.Dial("udp", testserver.Addr(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
}

// TestDaemonCapsScriptLogVolume: a signed script that logs 1,000 lines
// and one that raises a 16 MiB error write at most 256 syslog lines and
// no log line over a few KiB, and the caps are counted.
func TestDaemonCapsScriptLogVolume(t *testing.T) {
	dir := t.TempDir()
	immediate := `<Event type="immediate"/>`
	installHostile(t, dir, map[string]string{
		"7701": hostileDS("7701", immediate, `<Action type="script" lang="lua"><![CDATA[
for i = 1, 1000 do action_syslog{msg = string.rep("y", 1000)} end]]></Action>`),
		"7702": hostileDS("7702", immediate, `<Action type="script" lang="lua"><![CDATA[
error(string.rep("x", 16 * 1024 * 1024))]]></Action>`),
		"7703": hostileDS("7703", immediate, `<Action type="script" lang="lua"><![CDATA[
action_syslog{msg = string.rep("z", 200000)}]]></Action>`),
	}, "")
	log := startDaemon(t, dir).log
	eventually(t, "the three DS to run", func() bool {
		s := log.String()
		return strings.Contains(s, `ds=7701 type=script`) && strings.Contains(s, `ds=7702 type=script`) &&
			strings.Contains(s, `ds=7703 type=script`)
	})
	s := log.String()
	if n := strings.Count(s, `msg=syslog line="%HA_EM-6-LOG: 7701:`); n == 0 || n > 256 {
		t.Errorf("DS 7701 logged %d syslog lines, want 1 to 256", n)
	}
	if !strings.Contains(s, "SYSLOG_ERR: action_syslog: this run has logged 256 lines") {
		t.Errorf("no error names the 256-line cap")
	}
	for _, line := range strings.Split(s, "\n") {
		if len(line) > 10<<10 {
			t.Errorf("a log line of %d bytes: %.200s…", len(line), line)
		}
	}
	if !regexp.MustCompile(`%HA_EM-6-LOG: 7703: z+… \(\d+ bytes cut\)`).MatchString(s) {
		t.Errorf("DS 7703's 200 kB line is not cut with a note")
	}
	r := dsengineNow(t, dir, "show", "call-home", "diagnostic-signature", "7702", "statistics")
	if len(r.stdout) > 16<<10 {
		t.Errorf("the statistics of DS 7702 are %d bytes", len(r.stdout))
	}
}
