package testserver

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RsyslogForward is one omfwd action of a test rsyslogd: every message it
// receives is forwarded there.
type RsyslogForward struct {
	Protocol string // "udp" or "tcp"
	Addr     string // 127.0.0.1:PORT
	// OctetCounted frames TCP messages as "LEN SP MSG" (RFC 6587) instead
	// of ending them with LF.
	OctetCounted bool
}

// Rsyslog is an rsyslogd started for a test: it receives on a Unix datagram
// socket in its state directory (imuxsock, `logger -u Socket`) and forwards
// in the traditional format (`<13>Nov 23 14:46:17 host tag: msg`).
type Rsyslog struct {
	*Process
	Socket string // the imuxsock socket
	Conf   string // the configuration file
}

// StartRsyslog starts rsyslogd forwarding to fwd, in a new temporary
// directory, and waits until its socket exists. Start the listeners it
// forwards to first: it sends as soon as it receives. rsyslogd's own start
// message is forwarded too, so tests look for their own lines among what
// arrives. It is stopped when the test ends.
func StartRsyslog(t testing.TB, fwd ...RsyslogForward) *Rsyslog {
	t.Helper()
	Require(t, "rsyslogd")
	dir := t.TempDir()
	sock := filepath.Join(dir, "log.sock")
	var b strings.Builder
	fmt.Fprintf(&b, "global(workDirectory=%q maxMessageSize=\"64k\")\n", dir)
	b.WriteString("module(load=\"imuxsock\" SysSock.Use=\"off\")\n")
	fmt.Fprintf(&b, "input(type=\"imuxsock\" Socket=%q CreatePath=\"on\" RateLimit.Interval=\"0\")\n", sock)
	for _, f := range fwd {
		host, port, err := net.SplitHostPort(f.Addr)
		if err != nil {
			t.Fatalf("rsyslog forward %q: %v", f.Addr, err)
		}
		framing := "traditional"
		if f.OctetCounted {
			framing = "octet-counted"
		}
		fmt.Fprintf(&b, "action(type=\"omfwd\" target=%q port=%q protocol=%q TCP_Framing=%q)\n", host, port, f.Protocol, framing)
	}
	conf := filepath.Join(dir, "rsyslog.conf")
	WriteFile(t, conf, b.String(), 0o644)
	p := Start(t, dir, "rsyslogd", "-n", "-f", conf, "-i", filepath.Join(dir, "rsyslogd.pid"))
	r := &Rsyslog{Process: p, Socket: sock, Conf: conf}
	r.waitRsyslogSocket(t)
	return r
}

// waitRsyslogSocket waits until rsyslogd has created its socket.
func (r *Rsyslog) waitRsyslogSocket(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(StartTimeout)
	for {
		if fi, err := os.Stat(r.Socket); err == nil && fi.Mode().Type() == os.ModeSocket {
			return
		}
		if rsyslogExited(r.Process) || time.Now().After(deadline) {
			t.Fatalf("rsyslogd did not create %s within %s:\n%s", r.Socket, StartTimeout, r.Output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rsyslogExited reports whether p's process has ended: nobody waits for it
// before Stop, so an early exit shows as a zombie in /proc.
func rsyslogExited(p *Process) bool {
	if p.Cmd.ProcessState != nil {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Cmd.Process.Pid))
	if err != nil {
		return true
	}
	// "PID (COMM) STATE ...": the state follows the last ')'.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z'
}
