package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// SSHD is an OpenSSH server started for a test on 127.0.0.1, accepting
// public-key logins of the current user with ClientKey.
type SSHD struct {
	Host       string // 127.0.0.1
	Port       int
	User       string // the user running the test; its home directory is empty for the server
	ClientKey  string // private key (ed25519, no passphrase) whose public half is authorized
	KnownHosts string // known_hosts with the pinned line "[127.0.0.1]:PORT <host key>"
	HostKey    string // the server's public host key, "ssh-ed25519 AAAA..."
	Dir        string // state directory: keys, sshd_config, pid file
	Proc       *Process

	config string
	home   string // the user's home directory, hidden inside the namespace
}

// StartSSHD starts /usr/sbin/sshd in its own mount namespace (so that
// /run/sshd is a private tmpfs and the host's /run stays untouched) and PID
// namespace, waits until it listens and writes the pinned known_hosts line.
// The server, its connections and their commands are stopped when the test
// ends.
func StartSSHD(t testing.TB) *SSHD {
	t.Helper()
	Require(t, "sshd", "ssh-keygen", "unshare")
	u, err := user.Current()
	if err != nil {
		t.Fatalf("sshd: current user: %v", err)
	}
	dir := t.TempDir()
	s := &SSHD{
		Host:       "127.0.0.1",
		Port:       FreePort(t),
		User:       u.Username,
		ClientKey:  filepath.Join(dir, "client_key"),
		KnownHosts: filepath.Join(dir, "known_hosts"),
		Dir:        dir,
		config:     filepath.Join(dir, "sshd_config"),
		home:       u.HomeDir,
	}
	hostKey := filepath.Join(dir, "host_key")
	for _, k := range []string{hostKey, s.ClientKey} {
		keygen(t, k)
	}
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatalf("sshd: %v", err)
	}
	// "ssh-ed25519 AAAA... comment": keep type and key.
	f := strings.Fields(string(pub))
	if len(f) < 2 {
		t.Fatalf("sshd: bad host public key %q", pub)
	}
	s.HostKey = f[0] + " " + f[1]

	authorized := filepath.Join(dir, "authorized_keys")
	clientPub, err := os.ReadFile(s.ClientKey + ".pub")
	if err != nil {
		t.Fatalf("sshd: %v", err)
	}
	WriteFile(t, authorized, string(clientPub), 0o600)
	WriteFile(t, s.config, fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
LogLevel VERBOSE
`, s.Port, hostKey, filepath.Join(dir, "sshd.pid"), authorized), 0o600)
	WriteFile(t, s.KnownHosts, fmt.Sprintf("[%s]:%d %s\n", s.Host, s.Port, s.HostKey), 0o600)
	s.start(t)
	return s
}

// keygen makes an ed25519 key pair without a passphrase at path and
// path.pub.
func keygen(t testing.TB, path string) {
	t.Helper()
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dsengine-test", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen %s: %v\n%s", path, err, out)
	}
}

// start runs sshd in new mount and PID namespaces. The mount namespace
// gives it a private /run/sshd and an empty home directory for the user,
// so the user's shell start-up files neither slow the sessions down nor
// get interrupted half-way (a killed ~/.bashrc can leave stale locks
// behind). In the PID namespace sshd is process 1, so
// when it ends the kernel kills everything it started, including the
// per-connection processes and the commands of open sessions (which run in
// sessions of their own and would otherwise outlive the server).
func (s *SSHD) start(t testing.TB) {
	t.Helper()
	script := "mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && "
	if hideable(s.home, s.Dir) {
		script += "mount -t tmpfs tmpfs " + shellQuote(s.home) + " && "
	}
	script += "exec /usr/sbin/sshd -D -e -f " + shellQuote(s.config)
	s.Proc = Start(t, s.Dir, "unshare", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script)
	s.Proc.WaitTCP(t, s.Addr())
}

// hideable reports whether the home directory can be covered by an empty
// file system without hiding the system or the server's own files.
func hideable(home, dir string) bool {
	home = filepath.Clean(home)
	if !filepath.IsAbs(home) || home == "/" {
		return false
	}
	if st, err := os.Stat(home); err != nil || !st.IsDir() {
		return false
	}
	rel, err := filepath.Rel(home, dir)
	return err == nil && strings.HasPrefix(rel, "..")
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Addr is the server's 127.0.0.1:PORT.
func (s *SSHD) Addr() string { return Addr(s.Port) }

// Stop ends the server, the connections it serves and the commands they
// run.
func (s *SSHD) Stop() { s.Proc.Stop() }

// Restart stops the server if it runs and starts it again on the same port
// with the same keys, so a client's known_hosts line still holds.
func (s *SSHD) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	s.start(t)
}
