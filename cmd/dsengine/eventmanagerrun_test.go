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
event manager applet LATER
 event none
 action 1.0 syslog msg "later $_none_arg1"
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
