// Package testserver starts the real servers tests talk to (rsyslog, nginx,
// exim, OpenSSH, net-snmp) on 127.0.0.1 with their state in a temporary directory,
// and stops them when the test ends. Recipes: ../shared/TEST-SERVERS.md.
package testserver

import (
	"context"
	"fmt"
	"math/rand/v2"
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
// It is picked below the kernel's ephemeral range: the tests running
// beside take the ports of their outgoing connections and ":0" listeners
// from that range, so a port from it could be taken between this probe
// and the server's own bind (seen: a nats-server's route port).
func FreePort(t testing.TB) int {
	t.Helper()
	return freePort(t, func(addr string) (int, error) {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return 0, err
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port, nil
	})
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago,
// picked as FreePort picks.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	return freePort(t, func(addr string) (int, error) {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	})
}

// firstPort is the lowest port freePort picks.
const firstPort = 10000

// freePort binds random ports between firstPort and the ephemeral range
// until one is free, else lets the kernel pick (a range configured to
// leave no room below it).
func freePort(t testing.TB, bind func(addr string) (int, error)) int {
	t.Helper()
	if end := ephemeralStart(); end-firstPort >= 1000 {
		for range 200 {
			if p, err := bind(fmt.Sprintf("127.0.0.1:%d", firstPort+rand.IntN(end-firstPort))); err == nil {
				return p
			}
		}
	}
	p, err := bind("127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	return p
}

// ephemeralStart is the first port of the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), 32768 if it cannot be read.
func ephemeralStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	var lo, hi int
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil {
		return 32768
	}
	return lo
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
