package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// TestDaemonCutsEchoLoops: a DS whose message matches its own pattern
// runs once per outside line, not endlessly; two DS whose messages fire
// each other stop after the echo depth, and the cut is logged.
func TestDaemonCutsEchoLoops(t *testing.T) {
	dir := t.TempDir()
	message := func(text string) string { return `<Action type="message">` + text + `</Action>` }
	syslog := func(pattern string) string { return `<Event type="syslog" pattern="` + pattern + `"/>` }
	port := installHostile(t, dir, map[string]string{
		"7711": hostileDS("7711", syslog("%DS-5-MSG: selfloop"), message("selfloop again")),
		"7712": hostileDS("7712", syslog("%DS-5-MSG: ping"), message("pong")),
		"7713": hostileDS("7713", syslog("%DS-5-MSG: pong"), message("ping")),
	}, "")
	log := startDaemon(t, dir).log
	triggers := func(id string) int { return strings.Count(log.String(), `msg="ds trigger" ds=`+id+" ") }

	sendSyslog(t, port, "<189>%DS-5-MSG: selfloop from outside")
	// The DS's own line comes back through the echo queue and is not
	// delivered to it: wait for that (or for the loop the old code ran).
	eventually(t, "DS 7711's own line to come back", func() bool {
		return strings.Contains(log.String(), `msg="own echo not delivered" origin=7711`) || triggers("7711") > 1
	})
	if n := triggers("7711"); n != 1 {
		t.Errorf("DS 7711 ran %d times on one outside line, want once", n)
	}

	sendSyslog(t, port, "<189>%DS-5-MSG: ping from outside")
	eventually(t, "the ping-pong cycle to be cut", func() bool {
		return strings.Contains(log.String(), `msg="echo cycle cut"`) || triggers("7712")+triggers("7713") > 8
	})
	// outside ping → 7712 pong (depth 1) → 7713 ping (2) → 7712 pong (3)
	// → 7713 ping (4): cut.
	if a, b := triggers("7712"), triggers("7713"); a != 2 || b != 2 {
		t.Errorf("the ping-pong DS ran %d and %d times, want 2 and 2", a, b)
	}
	if !regexp.MustCompile(`msg="echo cycle cut" origin=7713 depth=4 line="%DS-5-MSG: ping"`).MatchString(log.String()) {
		t.Errorf("the cut is not logged with its origin and depth:\n%s", log.String())
	}
}

// TestDaemonFailsDSOverMatchBudget: a DS within the pattern limits whose
// patterns are slow on long lines goes over its match-time budget and is
// moved to failed with the reason; another DS keeps running.
func TestDaemonFailsDSOverMatchBudget(t *testing.T) {
	dir := t.TempDir()
	var events, ids []string
	for i := 1; i <= 8; i++ {
		events = append(events, fmt.Sprintf(`<Event id="e%d" type="syslog" pattern="[a-z]+[0-9]+[a-z]+[0-9]+q%d"/>`, i, i))
		ids = append(ids, fmt.Sprintf("e%d", i))
	}
	port := installHostile(t, dir, map[string]string{
		"7721": hostileDS("7721", strings.Join(events, "")+"<Correlate>"+strings.Join(ids, " or ")+"</Correlate>",
			`<Action type="message">slow</Action>`),
		"7722": hostileDS("7722", `<Event type="syslog" pattern="%SYS-5-RESTART"/>`, `<Action type="message">restarted</Action>`),
	}, " match time-budget 1\n")
	log := startDaemon(t, dir).log
	// Each pattern scans the whole line before its class filter's
	// sequence at the end lets it match: a few ms a line, charged 16
	// times over when the hub times the line (one in 16, at random).
	long := "<189>%LINK-9-X: " + strings.Repeat("ab12", 5000) + "q1q2q3q4q5q6q7q8"
	defer func() {
		if t.Failed() {
			s := log.String()
			t.Log(s[max(0, len(s)-3000):])
		}
	}()
	// A timed line takes 7721 over its budget; the chance that none of
	// the first 200 lines is timed is (15/16)^200, 2e-6.
	deadline := time.Now().Add(60 * time.Second)
	for sent := 0; ; sent++ {
		if sent < 200 || sent%20 == 0 {
			sendSyslog(t, port, long)
		}
		if sent%10 == 0 && regexp.MustCompile(`7721 .* failed`).MatchString(dsengineNow(t, dir, "show", "call-home", "diagnostic-signature").stdout) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DS 7721 did not fail after %d lines", sent)
		}
	}
	r := dsengineNow(t, dir, "show", "call-home", "diagnostic-signature", "7721", "failure")
	if !strings.Contains(r.stdout, "match-time budget") {
		t.Errorf("the failure does not say why:\n%s", r.stdout)
	}
	sendSyslog(t, port, "<189>%SYS-5-RESTART: System restarted")
	eventually(t, "DS 7722 to run", func() bool { return strings.Contains(log.String(), `msg="ds trigger" ds=7722`) })
	if !strings.Contains(log.String(), `msg="over its match-time budget" owner=7721`) {
		t.Errorf("the log does not say DS 7721 went over its budget")
	}
}

// TestDaemonRefusesPatternsOverHostLimit: the DS whose patterns without a
// literal would take the host past `match literal-free-patterns` is
// refused at registration and marked failed with the reason; the others
// register.
func TestDaemonRefusesPatternsOverHostLimit(t *testing.T) {
	dir := t.TempDir()
	free := func(id, p1, p2 string) string {
		return hostileDS(id, `<Event id="a" type="syslog" pattern="`+p1+`"/><Event id="b" type="syslog" pattern="`+p2+`"/>`+
			`<Correlate>a or b</Correlate>`, `<Action type="message">x</Action>`)
	}
	installHostile(t, dir, map[string]string{
		"7731": free("7731", `\d+\.\d+`, `%SYS-5-RESTART`),
		"7732": free("7732", `(a|b)c`, `x\d`),
		"7733": free("7733", `%LINK-3-UPDOWN`, `%SYS-5-RELOAD`),
	}, " match literal-free-patterns 2\n")
	startDaemon(t, dir)
	var list string
	eventually(t, "DS 7732 to fail", func() bool {
		list = dsengineNow(t, dir, "show", "call-home", "diagnostic-signature").stdout
		return regexp.MustCompile(`7732 .* failed`).MatchString(list)
	})
	if !regexp.MustCompile(`7731 .* registered`).MatchString(list) || !regexp.MustCompile(`7733 .* registered`).MatchString(list) {
		t.Errorf("the others are not registered:\n%s", list)
	}
	r := dsengineNow(t, dir, "show", "call-home", "diagnostic-signature", "7732", "failure")
	if !strings.Contains(r.stdout, "3 syslog patterns without a literal on the host would be over the limit of 2") {
		t.Errorf("the failure does not say why:\n%s", r.stdout)
	}
}
