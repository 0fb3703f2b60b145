package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// tmuxVTY is `dsengine cli` in a real terminal: a tmux session on a
// private server, typed into and read as a person would.
type tmuxVTY struct {
	t      *testing.T
	socket string
}

func startTmuxVTY(t *testing.T, dir string) *tmuxVTY {
	t.Helper()
	testserver.Require(t, "tmux")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	v := &tmuxVTY{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	cmd := fmt.Sprintf("env %s=cli %s --config %s --bootflash %s cli; echo CLI-EXITED $?; exec cat >/dev/null", testProcessEnv, self,
		filepath.Join(dir, "dsengine.conf"), filepath.Join(dir, "bootflash"))
	v.tmux("new-session", "-d", "-x", "200", "-y", "50", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", v.socket, "kill-server").Run() })
	return v
}

func (v *tmuxVTY) tmux(args ...string) string {
	v.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", v.socket}, args...)...).CombinedOutput()
	if err != nil {
		v.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is the pane's text, trailing blank lines dropped.
func (v *tmuxVTY) screen() string {
	return strings.TrimRight(v.tmux("capture-pane", "-p", "-S", "-"), "\n ")
}

// typeLine types text and Enter.
func (v *tmuxVTY) typeLine(text string) {
	v.t.Helper()
	if text != "" {
		v.tmux("send-keys", "-l", text)
	}
	v.tmux("send-keys", "Enter")
}

// waitLast waits until the screen's last line is want (a prompt), and
// returns the screen.
func (v *tmuxVTY) waitLast(want string) string {
	v.t.Helper()
	var scr string
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool {
		scr = v.screen()
		lines := strings.Split(scr, "\n")
		return strings.TrimRight(lines[len(lines)-1], " ") == want
	}) {
		v.t.Fatalf("the last line never became %q; the screen:\n%s", want, scr)
	}
	return scr
}

// waitFor waits until the screen holds want.
func (v *tmuxVTY) waitFor(want string) string {
	v.t.Helper()
	var scr string
	if !testserver.Poll(10*time.Second, 20*time.Millisecond, func() bool {
		scr = v.screen()
		return strings.Contains(scr, want)
	}) {
		v.t.Fatalf("the screen never showed %q:\n%s", want, scr)
	}
	return scr
}

// TestCLIInATerminal drives `dsengine cli` in tmux: configure terminal,
// an applet added line by line, end, write memory, show running-config,
// ? help and Tab completion, a refused line with its marker, and event
// manager run of the new applet.
func TestCLIInATerminal(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	conf := filepath.Join(dir, "dsengine.conf")
	data, _ := os.ReadFile(conf)
	if err := os.WriteFile(conf, append([]byte("! edge-1, managed with dsengine cli\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, dir)
	v := startTmuxVTY(t, dir)
	v.waitLast("edge-1#")

	v.typeLine("configure terminal")
	v.waitLast("edge-1(config)#")
	v.typeLine("event manager applet HELLO")
	v.waitLast("edge-1(config-applet)#")
	for _, l := range []string{"event none sync yes", `action 1.0 puts "Your name?"`, "action 2.0 gets name",
		`action 3.0 syslog msg "hello from $name"`, `action 4.0 puts "hello $name"`} {
		v.typeLine(l)
		v.waitLast("edge-1(config-applet)#")
	}
	v.typeLine("actoin 2.0 puts x")
	// The prompt before the line is already the last line: wait for the
	// refusal first.
	v.waitFor("% Invalid input detected")
	scr := v.waitLast("edge-1(config-applet)#")
	want := "edge-1(config-applet)#actoin 2.0 puts x\n" + strings.Repeat(" ", len("edge-1(config-applet)#")) + "^\n% Invalid input detected at '^' marker.\n"
	if !strings.Contains(scr, want) {
		t.Errorf("the refused line's marker; want\n%s\nthe screen:\n%s", want, scr)
	}
	// ? lists the event detectors from the parser's own command table.
	v.tmux("send-keys", "-l", "event ?")
	v.waitFor("\n  syslog")
	v.waitFor("\n  counter")
	v.tmux("send-keys", "C-u")
	v.typeLine("end")
	v.waitLast("edge-1#")

	v.typeLine("write memory")
	v.waitFor("Building configuration...\n[OK]\nedge-1#")
	saved, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(saved), "! edge-1, managed with dsengine cli\n") || strings.Count(string(saved), "managed with") != 1 ||
		!strings.Contains(string(saved), "event manager applet HELLO\n event none sync yes\n action 1.0 puts \"Your name?\"\n action 2.0 gets name\n") {
		t.Errorf("the saved configuration:\n%s", saved)
	}

	v.typeLine("show running-config")
	v.waitFor("action 4.0 puts \"hello $name\"\n!\nend\nedge-1#")

	v.tmux("send-keys", "-l", "show ?")
	v.waitFor("edge-1#show ?\n  call-home       the Call Home configuration, profiles, statistics and mail servers\n")
	v.waitFor("  running-config  the running configuration, as IOS prints it")
	v.tmux("send-keys", "C-u")
	v.tmux("send-keys", "-l", "conf")
	v.tmux("send-keys", "Tab")
	v.waitLast("edge-1#configure")
	v.tmux("send-keys", "C-u")

	// A sync yes applet runs in the command: its gets reads what is typed
	// in this terminal, its puts prints here.
	v.typeLine("event manager run HELLO")
	v.waitLast("Your name?")
	v.typeLine("vty")
	v.waitFor("Your name?\nvty\nhello vty\nedge-1#")
	eventually(t, "the applet's syslog line", func() bool { return strings.Contains(d.log.String(), "hello from vty") })

	v.typeLine("exit")
	v.waitFor("CLI-EXITED 0")
}

// TestCLIOneCommand: `dsengine cli -c` runs one exec command and exits
// with its status; from a pipe, lines are read one by one.
func TestCLIOneCommand(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	startDaemon(t, dir)
	r := dsengineNow(t, dir, "cli", "-c", "show running-config")
	if r.code != exitOK || !strings.Contains(r.stdout, "Current configuration : ") || !strings.HasSuffix(r.stdout, "end\n") {
		t.Errorf("cli -c show running-config: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = dsengineNow(t, dir, "cli", "-c", "show calls-home")
	if r.code != exitFail || !strings.Contains(r.stdout, "^\n% Invalid input detected at '^' marker.") {
		t.Errorf("cli -c with a bad word: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = dsengineNow(t, t.TempDir(), "cli", "-c", "show running-config")
	if r.code != exitFail || !strings.Contains(r.stderr, "start one with `dsengine run`") {
		t.Errorf("cli without a daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
