package executor

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/dsengine/dsengine/ds/config"
)

// sshExec runs commands on a device over SSH, one session per command on
// a client connection it keeps between commands.
type sshExec struct {
	addr       string // host:port
	name       string // "ssh host:port", for errors
	user       string
	auth       []ssh.AuthMethod
	knownHosts string
	opts       Options

	mu     sync.Mutex
	client *ssh.Client
	dead   chan struct{} // closed when client's connection has ended
	closed bool
}

func newSSH(cfg config.Executor, _ []config.CommandMapping, opts Options) (Executor, error) {
	if cfg.Host == "" {
		return nil, errors.New("executor ssh: no host; usage: executor ssh HOST [port N] [user NAME] [key PATH] [password TEXT] [known-hosts PATH]")
	}
	port := cfg.Port
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	s := &sshExec{addr: addr, name: "ssh " + addr, user: cfg.User, knownHosts: cfg.KnownHosts, opts: opts}
	if s.user == "" {
		u, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("executor %s: no user given and the current user is unknown: %w", s.name, err)
		}
		s.user = u.Username
	}
	if s.knownHosts == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("executor %s: no known-hosts file given and no home directory: %w", s.name, err)
		}
		s.knownHosts = filepath.Join(home, ".ssh", "known_hosts")
	}
	if _, err := knownhosts.New(s.knownHosts); err != nil {
		return nil, fmt.Errorf("executor %s: known-hosts: %w (create it with: ssh-keyscan -p %d %s > %s, after checking the key's fingerprint)",
			s.name, err, port, cfg.Host, s.knownHosts)
	}
	auth, err := sshAuth(cfg)
	if err != nil {
		return nil, fmt.Errorf("executor %s: %w", s.name, err)
	}
	s.auth = auth
	return s, nil
}

// sshAuth builds the authentication methods: the private key (its
// passphrase, if it has one, is the password of the configuration),
// then the password, also for keyboard-interactive logins.
func sshAuth(cfg config.Executor) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	password := cfg.Password
	if cfg.Key != "" {
		pem, err := os.ReadFile(cfg.Key)
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(pem)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			if cfg.Password == "" {
				return nil, fmt.Errorf("key %s is encrypted: give its passphrase with `password`", cfg.Key)
			}
			signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(cfg.Password))
			password = "" // the passphrase is not sent to the device
		}
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", cfg.Key, err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if password != "" {
		methods = append(methods, ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	if len(methods) == 0 {
		return nil, errors.New("neither key nor password given")
	}
	return methods, nil
}

// Close closes the connection; Run fails with ErrClosed afterwards.
func (s *sshExec) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.client == nil {
		return nil
	}
	err := s.client.Close()
	s.client = nil
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// Run opens a session on the kept connection (connecting first if there is
// none, and reconnecting once if it dropped), runs the command and
// collects its combined output up to the cap. At the timeout or the cap the
// remote command is sent SIGKILL and the session closed. The timeout
// covers connecting and opening the session too.
func (s *sshExec) Run(ctx context.Context, command string) (Output, error) {
	start := s.opts.Now()
	fail := func(kind error, detail string, err error) error {
		return &Error{Executor: s.name, Command: command, Kind: kind, Detail: detail, Err: err}
	}
	if strings.TrimSpace(command) == "" {
		return Output{}, fail(ErrRefused, "empty command", nil)
	}
	runCtx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	out := newCapture(s.opts.MaxOutput)
	client, dead, sess, err := s.start(runCtx, command, out)
	if err != nil {
		if ctx.Err() != nil {
			return Output{}, fail(ctx.Err(), "canceled", ctx.Err())
		}
		return Output{}, withCommand(err, command)
	}
	defer sess.Close()

	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	lost, unconfirmed := false, false
	select {
	case err = <-done:
	case <-out.full:
		unconfirmed, err = s.stop(client, sess, done)
	case <-runCtx.Done():
		unconfirmed, err = s.stop(client, sess, done)
	case <-dead:
		lost = true
		err = <-done
	}

	text, truncated := out.result()
	o := Output{Text: text, Truncated: truncated, ExitCode: -1, Duration: s.opts.Now().Sub(start)}
	var exit *ssh.ExitError
	if errors.As(err, &exit) && exit.Signal() == "" {
		o.ExitCode = exit.ExitStatus()
	} else if err == nil {
		o.ExitCode = 0
	}
	var missing *ssh.ExitMissingError
	switch {
	case truncated:
		return o, nil
	case ctx.Err() != nil:
		return o, fail(ctx.Err(), "canceled", ctx.Err())
	case runCtx.Err() != nil:
		detail := fmt.Sprintf("timed out after %s; sent SIGKILL and closed the session", s.opts.Timeout)
		if unconfirmed {
			detail += "; the device did not confirm the end of the command within " + waitDelay.String() +
				", so the connection was closed too (a remote process that neither reads nor writes may outlive it)"
		}
		return o, fail(ErrTimeout, detail, nil)
	case lost || (err != nil && exit == nil && !s.alive(client)):
		s.drop(client)
		return o, fail(ErrConnection, "connection lost during the command", err)
	case o.ExitCode > 0:
		return o, &Error{Executor: s.name, Command: command, Kind: ErrExit, ExitCode: o.ExitCode, Detail: exitDetail(o.ExitCode, text)}
	case exit != nil:
		return o, fail(ErrExit, "killed by signal "+exit.Signal(), nil)
	case errors.As(err, &missing):
		return o, nil // the device did not report an exit status
	case err != nil:
		return o, fail(ErrConnection, "", err)
	}
	return o, nil
}

// start connects if needed, opens a session and starts the command with
// its output going to out. A kept connection on which no session opens
// is replaced once. A device that does not answer before ctx ends loses
// the connection.
func (s *sshExec) start(ctx context.Context, command string, out io.Writer) (*ssh.Client, chan struct{}, *ssh.Session, error) {
	fail := func(kind error, detail string, err error) error {
		return &Error{Executor: s.name, Command: command, Kind: kind, Detail: detail, Err: err}
	}
	for attempt := 0; ; attempt++ {
		client, dead, reused, err := s.connect(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		// NewSession and Start wait for the device's answers: bound them
		// by ctx, and by the connection's end (x/crypto/ssh can leave a
		// channel request waiting forever on a connection that ended just
		// before it was made).
		sess, answered, err := openSession(ctx, client, dead, command, out)
		if !answered {
			s.drop(client)
			if ctx.Err() != nil {
				return nil, nil, nil, fail(ErrConnection, "no answer to the session request in time; connection closed", ctx.Err())
			}
			err = io.ErrUnexpectedEOF // the connection ended: reconnect once below
		}
		switch {
		case err == nil:
			return client, dead, sess, nil
		case sess != nil && !isDead(dead) && s.alive(client):
			// A session, but no command: the device said no.
			return nil, nil, nil, fail(ErrRefused, "the device refused to run it", err)
		case reused && attempt == 0:
			// The kept connection has dropped (device reloaded, idle
			// timeout): connect once more.
			s.drop(client)
			continue
		}
		s.drop(client)
		return nil, nil, nil, fail(ErrConnection, "cannot open a session", err)
	}
}

// openSession opens a session on client and starts command in it, its
// output going to out. answered is false when ctx or the connection ended
// first: the request is then abandoned, and a session that opens later is
// closed.
func openSession(ctx context.Context, client *ssh.Client, dead <-chan struct{}, command string, out io.Writer) (*ssh.Session, bool, error) {
	type opened struct {
		sess *ssh.Session
		err  error
	}
	ch := make(chan opened, 1)
	go func() {
		sess, err := client.NewSession()
		if err == nil {
			sess.Stdout, sess.Stderr = out, out
			if err = sess.Start(command); err != nil {
				_ = sess.Close()
			}
		}
		ch <- opened{sess, err}
	}()
	select {
	case o := <-ch:
		return o.sess, true, o.err
	case <-ctx.Done():
	case <-dead:
		// An answer may have come just before the end.
		select {
		case o := <-ch:
			return o.sess, true, o.err
		default:
		}
	}
	go func() {
		if o := <-ch; o.sess != nil && o.err == nil {
			_ = o.sess.Close()
		}
	}()
	return nil, false, nil
}

// stop kills the remote command and closes the session, then waits a
// bounded time for the device to confirm that the command ended. A device
// that does not (OpenSSH refuses signals on root logins and keeps the
// session until the command exits) loses the connection, so nothing stays
// attached to it; unconfirmed reports that.
func (s *sshExec) stop(client *ssh.Client, sess *ssh.Session, done <-chan error) (unconfirmed bool, err error) {
	_ = sess.Signal(ssh.SIGKILL)
	_ = sess.Close()
	wait, cancel := context.WithTimeout(context.Background(), waitDelay)
	defer cancel()
	select {
	case err = <-done:
		return false, err
	case <-wait.Done():
		s.drop(client)
		return true, <-done
	}
}

// alive asks the device whether the connection still works, waiting at
// most waitDelay for the answer.
func (s *sshExec) alive(client *ssh.Client) bool {
	answer := make(chan error, 1)
	go func() {
		_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
		answer <- err
	}()
	wait, cancel := context.WithTimeout(context.Background(), waitDelay)
	defer cancel()
	select {
	case err := <-answer:
		return err == nil
	case <-wait.Done():
		return false
	}
}

// connect returns the kept client, or dials a new one; reused says the
// client was kept from an earlier command.
func (s *sshExec) connect(ctx context.Context) (*ssh.Client, chan struct{}, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, false, &Error{Executor: s.name, Kind: ErrClosed}
	}
	if s.client != nil && !isDead(s.dead) {
		return s.client, s.dead, true, nil
	}
	if s.client != nil {
		_ = s.client.Close()
		s.client = nil
	}
	client, err := s.dial(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	dead := make(chan struct{})
	go func() { _ = client.Wait(); close(dead) }()
	s.client, s.dead = client, dead
	return client, dead, false, nil
}

// drop forgets client (if it is still the kept one) and closes it.
func (s *sshExec) drop(client *ssh.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == client {
		s.client = nil
	}
	_ = client.Close()
}

// dial connects and authenticates within DialTimeout, checking the host
// key against the known_hosts file (read again at every connection).
func (s *sshExec) dial(ctx context.Context) (*ssh.Client, error) {
	fail := func(kind error, detail string, err error) error {
		return &Error{Executor: s.name, Kind: kind, Detail: detail, Err: err}
	}
	check, err := knownhosts.New(s.knownHosts)
	if err != nil {
		return nil, fail(ErrRefused, "known-hosts", err)
	}
	dctx, cancel := context.WithTimeout(ctx, s.opts.DialTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", s.addr)
	if err != nil {
		return nil, fail(ErrConnection, "cannot connect", err)
	}
	// The handshake is bounded by closing the connection when dctx ends.
	stop := context.AfterFunc(dctx, func() { _ = conn.Close() })
	cfg := &ssh.ClientConfig{
		User:              s.user,
		Auth:              s.auth,
		HostKeyCallback:   s.hostKeyCallback(check),
		HostKeyAlgorithms: hostKeyAlgorithms(check, s.addr, conn.RemoteAddr()),
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, s.addr, cfg)
	if !stop() && err == nil {
		// dctx ended just as the handshake finished: the connection is
		// closed.
		_ = c.Close()
		err = dctx.Err()
	}
	if err != nil {
		_ = conn.Close()
		var hk *hostKeyError
		switch {
		case errors.As(err, &hk):
			return nil, fail(ErrRefused, hk.Error(), nil)
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, fail(ErrRefused, fmt.Sprintf("the device refused the login of %q", s.user), err)
		case dctx.Err() != nil && ctx.Err() == nil:
			return nil, fail(ErrConnection, fmt.Sprintf("no SSH handshake within %s", s.opts.DialTimeout), err)
		}
		return nil, fail(ErrConnection, "SSH handshake failed", err)
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// hostKeyError is a host key the known_hosts file does not vouch for.
type hostKeyError struct {
	host       string // [host]:port as known_hosts writes it
	knownHosts string
	key        ssh.PublicKey
	want       []knownhosts.KnownKey // empty: unknown host
	revoked    bool
}

// Error says what is wrong and how to fix it.
func (e *hostKeyError) Error() string {
	offered := e.key.Type() + " " + ssh.FingerprintSHA256(e.key)
	host, port, _ := net.SplitHostPort(strings.NewReplacer("[", "", "]", "").Replace(e.host))
	if port == "" {
		host, port = e.host, "22"
	}
	switch {
	case e.revoked:
		return fmt.Sprintf("host key of %s (%s) is marked @revoked in %s; refusing to connect", e.host, offered, e.knownHosts)
	case len(e.want) == 0:
		return fmt.Sprintf("host key of %s is unknown: %s has no entry for it (the device offered %s); "+
			"check that fingerprint with the device's administrator, then add it with: "+
			"ssh-keyscan -p %s -t %s %s >> %s",
			e.host, e.knownHosts, offered, port, keyscanType(e.key.Type()), host, e.knownHosts)
	}
	var had []string
	for _, w := range e.want {
		had = append(had, fmt.Sprintf("%s:%d has %s %s", w.Filename, w.Line, w.Key.Type(), ssh.FingerprintSHA256(w.Key)))
	}
	return fmt.Sprintf("host key of %s does not match known_hosts: the device offered %s, but %s; "+
		"the device's key changed or someone is in the middle. If the change is expected, remove the old entry with: "+
		"ssh-keygen -R '%s' -f %s, and add the new key after checking its fingerprint",
		e.host, offered, strings.Join(had, ", "), e.host, e.knownHosts)
}

// keyscanType is ssh-keyscan's -t name for a key type.
func keyscanType(t string) string {
	switch {
	case t == ssh.KeyAlgoRSA:
		return "rsa"
	case t == ssh.KeyAlgoED25519:
		return "ed25519"
	case strings.HasPrefix(t, "ecdsa-"):
		return "ecdsa"
	}
	return t
}

// hostKeyCallback checks the host key with knownhosts, turning its errors
// into a hostKeyError that explains the fix.
func (s *sshExec) hostKeyCallback(check ssh.HostKeyCallback) ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := check(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case errors.As(err, &ke):
			return &hostKeyError{host: knownhosts.Normalize(hostname), knownHosts: s.knownHosts, key: key, want: ke.Want}
		case errors.As(err, &re):
			return &hostKeyError{host: knownhosts.Normalize(hostname), knownHosts: s.knownHosts, key: key, revoked: true}
		}
		return err
	}
}

// hostKeyAlgorithms lists the algorithms of the keys known_hosts holds for
// the host, so the device presents one of those rather than another type
// that would not match; nil (Go's defaults) when it holds none.
func hostKeyAlgorithms(check ssh.HostKeyCallback, addr string, remote net.Addr) []string {
	// A key no entry has: knownhosts then lists the entries it has.
	probe, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public())
	if err != nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if !errors.As(check(addr, remote, probe), &ke) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, w := range ke.Want {
		list := []string{w.Key.Type()}
		if w.Key.Type() == ssh.KeyAlgoRSA {
			list = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
		}
		for _, a := range list {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// isDead reports whether ch is closed.
func isDead(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// withCommand sets the command of an error made before it was known.
func withCommand(err error, command string) error {
	var e *Error
	if errors.As(err, &e) {
		e.Command = command
	}
	return err
}
