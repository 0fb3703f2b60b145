package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandWhileDaemonRestarts: a daemon that accepts the connection but
// goes away before answering (it is restarting) gives a clear error and
// exit 1, never a hang or a partial answer. A stand-in listener plays the
// dying daemon: a real one cannot be stopped at exactly that moment.
func TestCommandWhileDaemonRestarts(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	if err := os.MkdirAll(filepath.Join(dir, "bootflash"), 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(dir, "bootflash", "dsengine.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	r := dsengine(t, dir, "show", "call-home", "diagnostic-signature")
	if r.code != exitFail || !strings.Contains(r.stderr, "may be restarting; try again") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	// Without anything on the socket, the command acts on the bootflash.
	l.Close()
	os.Remove(filepath.Join(dir, "bootflash", "dsengine.sock"))
	if r := dsengine(t, dir, "show", "call-home", "diagnostic-signature"); r.code != exitOK {
		t.Errorf("without a daemon: exit %d, %s", r.code, r.stderr)
	}
}
