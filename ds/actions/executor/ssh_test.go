package executor

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/testserver"
)

// sshConfig is the executor line for srv.
func sshConfig(srv *testserver.SSHD) config.Executor {
	return config.Executor{Kind: config.ExecutorSSH, Host: srv.Host, Port: srv.Port, User: srv.User,
		Key: srv.ClientKey, KnownHosts: srv.KnownHosts}
}

func newSSHT(t *testing.T, cfg config.Executor, opts Options) *sshExec {
	t.Helper()
	e, err := New(cfg, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e.(*sshExec)
}

func TestSSHRun(t *testing.T) {
	srv := testserver.StartSSHD(t)
	e := newSSHT(t, sshConfig(srv), Options{MaxOutput: 64 << 10, Timeout: 10 * time.Second})
	ctx := context.Background()

	out, err := e.Run(ctx, "echo hello; uname -s")
	if err != nil || out.Text != "hello\nLinux\n" || out.ExitCode != 0 || out.Truncated {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	first := e.client
	// stderr is part of the output (its order against stdout is not kept
	// over SSH: two streams).
	out, err = e.Run(ctx, "echo again >&2")
	if err != nil || out.Text != "again\n" {
		t.Fatalf("second Run = %+v, %v", out, err)
	}
	if e.client != first {
		t.Error("the connection was not reused")
	}

	// Non-zero exit: output and status.
	out, err = e.Run(ctx, "echo partial; exit 4")
	var xe *Error
	if !errors.Is(err, ErrExit) || !errors.As(err, &xe) || xe.ExitCode != 4 || out.ExitCode != 4 || out.Text != "partial\n" {
		t.Errorf("exit: %+v, %v", out, err)
	}

	// Output cap: the session is closed, the remote command dies, the
	// connection stays.
	start := time.Now()
	out, err = e.Run(ctx, "yes dsengine-ssh-flood")
	if err != nil || !out.Truncated || len(out.Text) != 64<<10 || !strings.HasPrefix(out.Text, "dsengine-ssh-flood\n") {
		t.Errorf("cap: truncated %v, %d bytes, %v", out.Truncated, len(out.Text), err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("cap: took %s", d)
	}
	noProcesses(t, "dsengine-ssh-flood")
	if e.client != first {
		t.Error("the cap dropped the connection")
	}

	if err := e.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := e.Run(ctx, "echo closed"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestSSHTimeout(t *testing.T) {
	srv := testserver.StartSSHD(t)
	const timeout = time.Second
	e := newSSHT(t, sshConfig(srv), Options{Timeout: timeout})
	ctx := context.Background()

	// A command that keeps printing: the session is closed at the timeout,
	// the command dies on the closed channel, the device confirms, and the
	// connection normally stays.
	out, err := e.Run(ctx, "echo started; while :; do echo tick-ssh-103; sleep 0.05; done")
	first := e.client
	if !errors.Is(err, ErrTimeout) || Retryable(err) || !strings.HasPrefix(out.Text, "started\ntick-ssh-103\n") || out.ExitCode != -1 {
		t.Errorf("timeout: %.40q, %v", out.Text, err)
	}
	if out.Duration < timeout || out.Duration > timeout+3*time.Second {
		t.Errorf("timeout: took %s", out.Duration)
	}
	noProcesses(t, "tick-ssh-103")
	if first == nil {
		// The device confirmed too late (a loaded machine): allowed.
		t.Logf("the connection was dropped: %v", err)
	}

	// sleep neither reads nor writes. OpenSSH refuses the SIGKILL signal
	// request on root logins and keeps the session until the command
	// exits, so the executor closes the connection after the grace.
	out, err = e.Run(ctx, "echo started; sleep 102.5")
	if !errors.Is(err, ErrTimeout) || out.Text != "started\n" || !strings.Contains(err.Error(), "so the connection was closed too") {
		t.Errorf("sleep: %+v, %v", out, err)
	}
	if out.Duration < timeout+waitDelay || out.Duration > timeout+waitDelay+3*time.Second {
		t.Errorf("sleep: took %s", out.Duration)
	}
	if e.client != nil {
		t.Error("the connection was kept")
	}
	if out, err := e.Run(ctx, "echo after"); err != nil || out.Text != "after\n" {
		t.Errorf("after timeout: %+v, %v", out, err)
	}
	// Stopping the server (a PID namespace) ends the left-over sleep.
	srv.Stop()
	noProcesses(t, "sleep 102.5")
}

// writeKnownHosts writes a known_hosts file with the given lines.
func writeKnownHosts(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func randomHostKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

func TestSSHHostKeyRefused(t *testing.T) {
	srv := testserver.StartSSHD(t)
	host := fmt.Sprintf("[127.0.0.1]:%d", srv.Port)
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string
	}{
		{"mismatch", []string{host + " " + randomHostKey(t)}, []string{
			"host key of " + host + " does not match known_hosts", "known_hosts:1 has ssh-ed25519 SHA256:",
			"ssh-keygen -R '" + host + "' -f "}},
		{"unknown", []string{"[127.0.0.1]:1 " + srv.HostKey}, []string{
			"host key of " + host + " is unknown", "the device offered ssh-ed25519 SHA256:",
			fmt.Sprintf("ssh-keyscan -p %d -t ed25519 127.0.0.1 >> ", srv.Port)}},
		{"revoked", []string{"@revoked " + host + " " + srv.HostKey, host + " " + srv.HostKey}, []string{"@revoked"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sshConfig(srv)
			cfg.KnownHosts = writeKnownHosts(t, tc.lines...)
			e := newSSHT(t, cfg, Options{})
			out, err := e.Run(context.Background(), "touch /tmp/dsengine-must-not-run")
			if !errors.Is(err, ErrRefused) || Retryable(err) || out.Text != "" {
				t.Fatalf("err %v; want ErrRefused", err)
			}
			for _, w := range append(tc.want, cfg.KnownHosts) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := os.Stat("/tmp/dsengine-must-not-run"); err == nil {
		_ = os.Remove("/tmp/dsengine-must-not-run")
		t.Error("a command ran on an untrusted host")
	}
}

func TestSSHAuth(t *testing.T) {
	srv := testserver.StartSSHD(t)
	ctx := context.Background()

	// A key the server does not know: refused, not retryable.
	stranger := filepath.Join(t.TempDir(), "stranger")
	keygen(t, stranger, "")
	cfg := sshConfig(srv)
	cfg.Key = stranger
	_, err := newSSHT(t, cfg, Options{}).Run(ctx, "true")
	if !errors.Is(err, ErrRefused) || Retryable(err) || !strings.Contains(err.Error(), "refused the login of") {
		t.Errorf("unknown key: %v", err)
	}

	// A passphrase-protected key: its passphrase is the password line.
	locked := filepath.Join(t.TempDir(), "locked")
	keygen(t, locked, "s3 cret")
	pub, err := os.ReadFile(locked + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(srv.Dir, "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write(pub)
	f.Close()
	cfg.Key = locked
	cfg.Password = "s3 cret"
	if out, err := newSSHT(t, cfg, Options{}).Run(ctx, "echo unlocked"); err != nil || out.Text != "unlocked\n" {
		t.Errorf("encrypted key: %+v, %v", out, err)
	}
	cfg.Password = ""
	if _, err := New(cfg, nil, Options{}); err == nil || !strings.Contains(err.Error(), "is encrypted: give its passphrase with `password`") {
		t.Errorf("encrypted key without passphrase: %v", err)
	}
	cfg.Password = "wrong"
	if _, err := New(cfg, nil, Options{}); err == nil || !strings.Contains(err.Error(), "key "+locked) {
		t.Errorf("wrong passphrase: %v", err)
	}
}

func keygen(t *testing.T, path, passphrase string) {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
}

func TestSSHConfigErrors(t *testing.T) {
	dir := t.TempDir()
	kh := writeKnownHosts(t, "[127.0.0.1]:2222 "+randomHostKey(t))
	for _, tc := range []struct {
		cfg  config.Executor
		want string
	}{
		{config.Executor{Kind: config.ExecutorSSH}, "no host; usage: executor ssh HOST"},
		{config.Executor{Kind: config.ExecutorSSH, Host: "127.0.0.1", Port: 2222, KnownHosts: filepath.Join(dir, "none"), Password: "x"},
			"known-hosts: open " + filepath.Join(dir, "none") + ": no such file or directory (create it with: ssh-keyscan -p 2222 127.0.0.1 > "},
		{config.Executor{Kind: config.ExecutorSSH, Host: "127.0.0.1", KnownHosts: kh}, "neither key nor password given"},
		{config.Executor{Kind: config.ExecutorSSH, Host: "127.0.0.1", KnownHosts: kh, Key: filepath.Join(dir, "nokey")}, "key: open "},
	} {
		_, err := New(tc.cfg, nil, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v; want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestSSHConnectionRefusedAndReconnect(t *testing.T) {
	srv := testserver.StartSSHD(t)
	ctx := context.Background()
	e := newSSHT(t, sshConfig(srv), Options{Timeout: 10 * time.Second, DialTimeout: 2 * time.Second})
	if out, err := e.Run(ctx, "echo one"); err != nil || out.Text != "one\n" {
		t.Fatalf("first: %+v, %v", out, err)
	}
	first := e.client

	// Server gone: the kept connection is dead and the redial is refused.
	srv.Stop()
	_, err := e.Run(ctx, "echo two")
	if !errors.Is(err, ErrConnection) || !Retryable(err) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("server stopped: %v; want a retryable connection error", err)
	}
	// A fresh executor gets the same.
	_, err = newSSHT(t, sshConfig(srv), Options{}).Run(ctx, "echo three")
	if !errors.Is(err, ErrConnection) || !Retryable(err) || !strings.Contains(err.Error(), "cannot connect") {
		t.Fatalf("fresh executor: %v", err)
	}

	// Server back: the next command reconnects.
	srv.Restart(t)
	if out, err := e.Run(ctx, "echo four"); err != nil || out.Text != "four\n" {
		t.Fatalf("after restart: %+v, %v", out, err)
	}
	if e.client == first || e.client == nil {
		t.Error("no new connection")
	}

	// Restarted under a live connection: reconnect once, transparently.
	second := e.client
	srv.Restart(t)
	if out, err := e.Run(ctx, "echo five"); err != nil || out.Text != "five\n" {
		t.Fatalf("second restart: %+v, %v", out, err)
	}
	if e.client == second {
		t.Error("still the old connection")
	}
}

func TestSSHLostDuringCommand(t *testing.T) {
	srv := testserver.StartSSHD(t)
	e := newSSHT(t, sshConfig(srv), Options{Timeout: 20 * time.Second})
	if _, err := e.Run(context.Background(), "true"); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() {
		// Stop the server once the command runs and its "started" has
		// reached the executor.
		defer close(stopped)
		defer srv.Stop()
		if !waitProcess(t, "sleep 102.7") {
			t.Error(`"sleep 102.7" did not start`)
			return
		}
		// "started" was in sshd's pipe before sleep began. In each turn
		// of its loop sshd reads the pipes before the socket, and in the
		// next one answers the requests it read, then sends the output
		// it read: the reply to a first request may come before
		// "started", the reply to a second one, sent after that reply,
		// comes after it. The client takes packets in order, so
		// "started" is then in the session's buffer, which Run reads to
		// its end.
		e.mu.Lock()
		client := e.client
		e.mu.Unlock()
		for range 2 {
			if _, _, err := client.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				t.Errorf("keepalive: %v", err)
				return
			}
		}
	}()
	out, err := e.Run(context.Background(), "echo started; sleep 102.7")
	<-stopped
	if !errors.Is(err, ErrConnection) || !Retryable(err) || !strings.Contains(err.Error(), "connection lost during the command") {
		t.Fatalf("err %v; want a connection error", err)
	}
	if out.Text != "started\n" {
		t.Errorf("output %q", out.Text)
	}
	if out.Duration > 10*time.Second {
		t.Errorf("took %s", out.Duration)
	}
	if e.client != nil {
		t.Error("the lost connection was kept")
	}
	noProcesses(t, "sleep 102.7")
}

func TestSSHSilentServer(t *testing.T) {
	// A TCP server that accepts and never speaks SSH.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		var held []net.Conn
		for {
			c, err := l.Accept()
			if err != nil {
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
	}()
	defer func() { l.Close(); <-served }()

	port := l.Addr().(*net.TCPAddr).Port
	cfg := config.Executor{Kind: config.ExecutorSSH, Host: "127.0.0.1", Port: port, Password: "x",
		KnownHosts: writeKnownHosts(t, fmt.Sprintf("[127.0.0.1]:%d %s", port, randomHostKey(t)))}
	e := newSSHT(t, cfg, Options{DialTimeout: 300 * time.Millisecond})
	start := time.Now()
	_, err = e.Run(context.Background(), "show version")
	if !errors.Is(err, ErrConnection) || !Retryable(err) || !strings.Contains(err.Error(), "no SSH handshake within 300ms") {
		t.Errorf("silent server: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}
