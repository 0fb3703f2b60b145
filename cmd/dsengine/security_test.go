package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/internal/testserver"
)

// copySigned copies a bundled signed DS file and its signature into dir.
func copySigned(t *testing.T, dir, id string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{id + ".xml", id + ".xml.asc"} {
		data, err := os.ReadFile(repoFile(t, "signatures/"+f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInstallFileIsReadByTheCLI: with a daemon running, `install --file`
// is read by the CLI, in its own directory, and sent: a relative path is
// the user's, not the daemon's; a named pipe is refused by the CLI at
// once; and a request naming a path without its content (not from the
// CLI) is refused by the daemon without opening the path, so the daemon
// never blocks in open() holding the command lock: other commands, and
// stopping, go on.
func TestInstallFileIsReadByTheCLI(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	d := startDaemon(t, dir)
	conf, bootflash := filepath.Join(dir, "dsengine.conf"), filepath.Join(dir, "bootflash")
	work := filepath.Join(dir, "work")
	copySigned(t, filepath.Join(work, "ds"), "6015")
	fifo := filepath.Join(work, "ds", "6030.xml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	unblockFIFO(t, fifo) // before the daemon's stop, if it blocked

	// A relative path, from the CLI's directory (the daemon's is the
	// package's).
	cli := startProcess(t, nil, work, "cli", "--config", conf, "--bootflash", bootflash,
		"call-home", "diagnostic-signature", "install", "6015", "--file", "ds/6015.xml")
	if code := cli.wait(t, "install --file ds/6015.xml"); code != exitOK || !strings.Contains(cli.out.String(), "DS 6015 installed, registered") {
		t.Errorf("install of a relative path: exit %d\n%s", code, cli.out.String())
	}
	// A named pipe: the CLI refuses it without opening it for long.
	cli = startProcess(t, nil, work, "cli", "--config", conf, "--bootflash", bootflash,
		"call-home", "diagnostic-signature", "install", "6030", "--file", "ds/6030.xml")
	if code := cli.wait(t, "install --file of a named pipe"); code != exitFail || !strings.Contains(cli.out.String(), "ds/6030.xml is a named pipe, not a regular file") {
		t.Errorf("install of a named pipe: exit %d\n%s", code, cli.out.String())
	}
	// A request that names the pipe, without its content, straight to the
	// socket: the daemon refuses it without opening the path.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := control.Call(ctx, filepath.Join(bootflash, "dsengine.sock"),
		control.Request{Args: []string{"call-home", "diagnostic-signature", "install", "6030", "--file", fifo}})
	if err != nil || resp.Code != exitFail || !strings.Contains(resp.Stderr, "the daemon never opens a path named on the command line") {
		t.Errorf("install --file without the content: %+v, %v", resp, err)
	}
	// The command lock is free: another command runs.
	show := startProcess(t, nil, dir, "cli", "--config", conf, "--bootflash", bootflash, "show", "call-home", "diagnostic-signature")
	if code := show.wait(t, "show after"); code != exitOK || !strings.Contains(show.out.String(), "6015       CronInterval") {
		t.Errorf("show after: exit %d\n%s", code, show.out.String())
	}
	stopped := make(chan int, 1)
	go func() { stopped <- d.stop() }()
	select {
	case code := <-stopped:
		if code != exitOK {
			t.Errorf("daemon exit %d\n%s", code, d.log.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the daemon did not stop:\n%s", d.log.String())
	}
}

// TestCtrlCCancelsAForwardedCommand: SIGINT to the CLI while the daemon
// runs its `download all` (from a repository that never answers) ends the
// CLI at once; the daemon stops the download (the repository sees its
// client go), logs the abort, installs nothing, and takes the next command.
func TestCtrlCCancelsAForwardedCommand(t *testing.T) {
	repo := startHangingRepo(t)
	dir := t.TempDir()
	writeConfig(t, dir, "  repository "+repo.URL+"\n  repository-ca "+repo.CAFile+"\n")
	d := startDaemon(t, dir)
	conf, bootflash := filepath.Join(dir, "dsengine.conf"), filepath.Join(dir, "bootflash")
	cli := startProcess(t, nil, dir, "cli", "--config", conf, "--bootflash", bootflash,
		"call-home", "diagnostic-signature", "download", "all")
	await(t, repo.arrived, "the download's request")
	if err := cli.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := cli.wait(t, "the CLI after SIGINT"); code != exitFail || !strings.Contains(cli.out.String(), "interrupted; the daemon stops the command") {
		t.Errorf("the CLI after SIGINT: exit %d\n%s", code, cli.out.String())
	}
	select {
	case <-repo.left: // the download really stopped, not just the CLI
	case <-time.After(10 * time.Second):
		t.Fatalf("the daemon did not stop the download:\n%s", d.log.String())
	}
	eventually(t, "the daemon's log of the abort", func() bool {
		return strings.Contains(d.log.String(), `msg="command aborted" command="call-home diagnostic-signature download all" why="its client went away (Ctrl-C)"`)
	})
	r := dsengineNow(t, dir, "--config", conf, "--bootflash", bootflash, "show", "call-home", "diagnostic-signature")
	if r.code != exitOK || strings.Contains(r.stdout, "registered") || strings.Contains(r.stdout, "downloaded") {
		t.Errorf("show after the abort: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestSIGTERMStopsTheDaemonDuringACommand: the daemon, a real process,
// stops on SIGTERM while it runs a download that would wait for minutes.
func TestSIGTERMStopsTheDaemonDuringACommand(t *testing.T) {
	repo := startHangingRepo(t)
	dir := t.TempDir()
	writeConfig(t, dir, "  repository "+repo.URL+"\n  repository-ca "+repo.CAFile+"\n")
	conf, bootflash := filepath.Join(dir, "dsengine.conf"), filepath.Join(dir, "bootflash")
	daemon := startProcess(t, nil, dir, "cli", "--config", conf, "--bootflash", bootflash, "run")
	daemon.waitLine(t, "dsengine running")
	cli := startProcess(t, nil, dir, "cli", "--config", conf, "--bootflash", bootflash,
		"call-home", "diagnostic-signature", "download", "all")
	await(t, repo.arrived, "the download's request")
	if err := daemon.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := daemon.wait(t, "the daemon after SIGTERM"); code != exitOK {
		t.Errorf("daemon exit %d\n%s", code, daemon.out.String())
	}
	if !strings.Contains(daemon.out.String(), `msg="command aborted" command="call-home diagnostic-signature download all" why="the daemon is stopping"`) {
		t.Errorf("daemon log:\n%s", daemon.out.String())
	}
	if code := cli.wait(t, "the CLI"); code != exitFail {
		t.Errorf("the CLI whose daemon stopped: exit %d\n%s", code, cli.out.String())
	}
}

// TestSquattedSocketGetsNothing: another user's process listening at the
// CLI's socket path, in a shared sticky directory, gets nothing of root's
// command — its prompt answers may be secrets — and its fake success is
// not printed.
func TestSquattedSocketGetsNothing(t *testing.T) {
	other := testserver.AddUser(t)
	sock := filepath.Join(testserver.SharedDir(t), "dsengine.sock")
	squatter := startProcess(t, other, "/", "squatter", sock)
	squatter.waitLine(t, "listening")
	dir := t.TempDir()
	writeConfig(t, dir, "dsengine\n control-socket "+sock+"\n")
	r := dsengine(t, dir, "call-home", "diagnostic-signature", "install", "6030", "--set", "ds_intf=SECRET")
	if r.code != exitFail || !strings.Contains(r.stderr, "is not a dsengine daemon of the expected user") || strings.Contains(r.stdout, "FAKE") {
		t.Errorf("command to a squatted socket: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if l := squatter.waitLine(t, "read "); l != `read 0 bytes: ""` {
		t.Errorf("the squatter %s", l)
	}
}

// TestUserPathsMustBeRegularFiles: every command that reads a file a user
// names refuses a named pipe at once, instead of blocking in open().
func TestUserPathsMustBeRegularFiles(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	copySigned(t, dir, "6015")
	fifo := filepath.Join(dir, "6099.xml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	unblockFIFO(t, fifo)
	keyFifo := filepath.Join(dir, "key.asc")
	if err := syscall.Mkfifo(keyFifo, 0o644); err != nil {
		t.Fatal(err)
	}
	unblockFIFO(t, keyFifo)
	cases := [][]string{
		{"ds", "lint", fifo},
		{"ds", "test", fifo},
		{"ds", "sign", "--key", repoFile(t, "signatures/keys/demo-secret.asc"), fifo},
		{"ds", "sign", "--key", keyFifo, "6015.xml"},
		{"ds", "verify", "--trust", repoFile(t, "signatures/keys/demo-public.asc"), fifo},
		{"ds", "verify", "--trust", keyFifo, "6015.xml"},
		{"config", "check", fifo},
		{"call-home", "diagnostic-signature", "install", "6099", "--file", fifo},
	}
	for _, args := range cases {
		done := make(chan result, 1)
		go func() { done <- dsengine(t, dir, args...) }()
		select {
		case r := <-done:
			if r.code != exitFail || !strings.Contains(r.stdout+r.stderr, "a named pipe, not a regular file") {
				t.Errorf("%s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s blocked on a named pipe", strings.Join(args, " "))
		}
	}
}
