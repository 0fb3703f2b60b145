// Package testserver starts the real servers tests talk to (rsyslog, nginx,
// exim, OpenSSH, net-snmp) on 127.0.0.1 with their state in a temporary directory,
// and stops them when the test ends. Recipes: ../shared/TEST-SERVERS.md.
package testserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds how long a server may take to become ready.
const StartTimeout = 10 * time.Second

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free udp port: %v", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// RequireRoot fails the test unless it runs as root (network namespaces,
// veth pairs, /dev/kmsg): `make test` runs as root.
func RequireRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("this test needs root (%s); run it as root, as `make test` does", why)
	}
}

// Require fails the test when a program the test needs is not installed;
// `make test` installs them all, so a missing one is a broken setup, never a
// reason to skip.
func Require(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err == nil {
			continue
		}
		if _, err := os.Stat("/usr/sbin/" + p); err == nil {
			continue
		}
		t.Fatalf("%s is not installed; run `make deps` (it installs the Debian packages the tests use)", p)
	}
}

// Process is a server started for a test.
type Process struct {
	Cmd  *exec.Cmd
	Name string
	Dir  string // its state directory
	out  *strings.Builder
}

// Start runs a server in the background; it is stopped with SIGTERM (then
// SIGKILL) when the test ends. Its output is kept for failure messages.
func Start(t testing.TB, dir, name string, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out := &strings.Builder{}
	cmd.Stdout = &lockedWriter{b: out}
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &Process{Cmd: cmd, Name: name, Dir: dir, out: out}
	t.Cleanup(p.Stop)
	return p
}

// Stop ends the server and its children.
func (p *Process) Stop() {
	if p.Cmd.Process == nil || p.Cmd.ProcessState != nil {
		return
	}
	pgid := -p.Cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.Cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-done
	}
}

// Output is what the server printed so far.
func (p *Process) Output() string {
	if lw, ok := p.Cmd.Stdout.(*lockedWriter); ok {
		return lw.String()
	}
	return ""
}

// WaitTCP waits until addr accepts connections, failing the test with the
// server's output if it does not within StartTimeout.
func (p *Process) WaitTCP(t testing.TB, addr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if p.Cmd.ProcessState != nil {
			t.Fatalf("%s exited before listening on %s:\n%s", p.Name, addr, p.Output())
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not listen on %s within %s:\n%s", p.Name, addr, StartTimeout, p.Output())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// WriteFile writes a file for a server's configuration, failing the test on
// error.
func WriteFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

// Addr formats 127.0.0.1:port.
func Addr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
