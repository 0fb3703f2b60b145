package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEventManagerRunSync: `event manager run` of a `sync yes` applet
// waits for the run, prints what it puts, and exits with its status; an
// applet without sync starts and returns at once.
func TestEventManagerRunSync(t *testing.T) {
	dir := t.TempDir()
	conf := `hostname edge-1
event manager applet GREET
 event none sync yes
 action 1.0 puts "hello $_none_arg1 ($_none_argc)"
event manager applet FAILS
 event none sync yes
 action 1.0 puts "giving up"
 action 2.0 exit 3
event manager applet CONF
 event none sync yes
 action 1.0 cli command "show marker"
 action 1.1 puts "$_cli_result"
 action 2.0 cli command "enable"
 action 3.0 cli command "configure terminal"
 action 4.0 cli command "event manager environment q_site lab-3"
 action 5.0 cli command "end"
 action 6.0 cli command "show marker"
 action 6.1 puts "$_cli_result"
event manager applet LATER
 event none
 action 1.0 syslog msg "later $_none_arg1"
call-home
 diagnostic-signature
  command-map "show marker" "echo marked"
dsengine
 control-socket ` + filepath.Join(dir, "ctl.sock") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, dir)
	cli := func(args ...string) result {
		return dsengineNow(t, dir, append([]string{"--config", filepath.Join(dir, "dsengine.conf"), "--bootflash",
			filepath.Join(dir, "bootflash")}, args...)...)
	}
	if r := cli("event", "manager", "run", "GREET", "world"); r.code != exitOK || r.stdout != "hello world (1)\n" {
		t.Errorf("sync run: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := cli("event", "manager", "run", "FAILS"); r.code != exitFail || !strings.Contains(r.stdout, "giving up") ||
		!strings.Contains(r.stderr, "3") {
		t.Errorf("sync run with exit 3: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	// The applet's cli actions type into one vty: user EXEC first, then
	// enable and a configuration line that changes the running
	// configuration; a command the vty does not know runs on the executor.
	// A sync run holds the daemon's command lock: the vty's configuration
	// line must not wait for it.
	if r := cli("event", "manager", "run", "CONF"); r.code != exitOK || r.stdout != "marked\nedge-1>\nmarked\nedge-1#\n" {
		t.Errorf("applet cli actions: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := cli("show", "running-config"); !strings.Contains(r.stdout, "event manager environment q_site lab-3\n") {
		t.Errorf("the applet's configuration line is not in the running configuration:\n%s", r.stdout)
	}
	if r := cli("event", "manager", "run", "LATER", "on"); r.code != exitOK {
		t.Errorf("async run: exit %d %s", r.code, r.stderr)
	}
	eventually(t, "the LATER applet's message", func() bool {
		return strings.Contains(d.log.String(), "%HA_EM-6-LOG: LATER: later on")
	})
	r := cli("show", "event", "manager", "history", "events")
	for _, name := range []string{"GREET", "FAILS", "LATER"} {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("history lacks %s:\n%s", name, r.stdout)
		}
	}
}
