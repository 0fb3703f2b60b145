package testserver

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Exim is an exim MTA started for a test on 127.0.0.1: it accepts mail for
// any address of any domain and delivers each recipient's copy as one file
// in Maildir/new. Its recipient ACL refuses two local parts, so tests can
// provoke SMTP errors from a real MTA:
//
//	reject@...    550 (permanent)
//	tempfail@...  451 (temporary)
type Exim struct {
	*Process
	Port    int
	Maildir string // DIR/Maildir; copies land in Maildir/new
	Dir     string // state: exim.conf, spool/, log/
	// TLS is set by StartEximTLS: the server offers STARTTLS with a
	// certificate for 127.0.0.1 and localhost issued by a CA made in the
	// test, whose certificate is in TLS.CAFile and TLS.Pool.
	TLS *TestCA
}

// TestCA is a certificate authority made in-process for one test, and the
// server certificate it issued.
type TestCA struct {
	CAFile   string         // the CA certificate, PEM
	Pool     *x509.CertPool // holding only the CA
	CertFile string         // the server certificate (127.0.0.1, localhost), PEM
	KeyFile  string         // its private key, PEM
}

// Mail is one delivered copy, as exim wrote it into the Maildir.
type Mail struct {
	File   string
	Header mail.Header // with exim's Envelope-to, Return-path and Received
	Body   string      // decoded from quoted-printable when so encoded
	Raw    []byte
}

// eximUser is the account Debian's exim drops to.
const eximUser = "Debian-exim"

// StartExim starts exim as a catch-all MTA without TLS and waits until it
// listens. It is stopped, and its directory removed, when the test ends.
func StartExim(t testing.TB) *Exim { return startExim(t, false) }

// StartEximTLS is StartExim with STARTTLS offered (see Exim.TLS).
func StartEximTLS(t testing.TB) *Exim { return startExim(t, true) }

func startExim(t testing.TB, withTLS bool) *Exim {
	t.Helper()
	Require(t, "exim")
	// exim -C drops root and runs as Debian-exim, which must reach the
	// directory: t.TempDir's parent is private to root.
	dir, err := os.MkdirTemp("", "dsengine-exim-")
	if err != nil {
		t.Fatalf("exim: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("exim: %v", err)
	}
	e := &Exim{Port: FreePort(t), Maildir: filepath.Join(dir, "Maildir"), Dir: dir}
	for _, d := range []string{"spool", "log", "Maildir"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o750); err != nil {
			t.Fatalf("exim: %v", err)
		}
	}
	deliverAs := eximUser
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup(eximUser)
		if err != nil {
			t.Fatalf("exim: user %s: %v (is exim4-daemon-light installed?)", eximUser, err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	} else if u, err := user.Current(); err == nil {
		deliverAs = u.Username
	}
	chown := func(path string) {
		if uid < 0 {
			return
		}
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatalf("exim: chown %s: %v", path, err)
		}
	}
	for _, d := range []string{"spool", "log", "Maildir"} {
		chown(filepath.Join(dir, d))
	}
	tlsLines := "tls_advertise_hosts =\n"
	if withTLS {
		e.TLS = NewTestCA(t, dir)
		chown(e.TLS.KeyFile)
		tlsLines = fmt.Sprintf("tls_advertise_hosts = *\ntls_certificate = %s\ntls_privatekey = %s\n", e.TLS.CertFile, e.TLS.KeyFile)
	}
	conf := filepath.Join(dir, "exim.conf")
	WriteFile(t, conf, fmt.Sprintf(`primary_hostname = mail.test
qualify_domain = example.com
local_interfaces = 127.0.0.1
daemon_smtp_ports = %d
spool_directory = %s
log_file_path = %s/%%slog
keep_environment =
host_lookup =
rfc1413_hosts =
%sacl_smtp_rcpt = acl_rcpt

begin acl
acl_rcpt:
  deny    local_parts = reject
          message     = 5.7.1 recipient refused by policy
  defer   local_parts = tempfail
          message     = 4.3.0 try again later
  accept

begin routers
catchall:
  driver = accept
  transport = maildir

begin transports
maildir:
  driver = appendfile
  directory = %s
  maildir_format
  create_directory
  envelope_to_add
  return_path_add
  delivery_date_add
  user = %s
`, e.Port, filepath.Join(dir, "spool"), filepath.Join(dir, "log"), tlsLines, e.Maildir, deliverAs), 0o644)
	e.Process = Start(t, dir, "exim", "-C", conf, "-bdf", "-oX", strconv.Itoa(e.Port))
	e.WaitTCP(t, e.Addr())
	e.waitGreeting(t)
	return e
}

// waitGreeting waits for the first "220" banner: exim listens some tenths
// of a second before it serves connections (longer on a loaded machine),
// and a test's own SMTP timeouts must not measure that.
func (e *Exim) waitGreeting(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(StartTimeout)
	c, err := net.DialTimeout("tcp", e.Addr(), StartTimeout)
	if err != nil {
		t.Fatalf("exim: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(deadline)
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "220") {
		t.Fatalf("exim greeting %q, %v; output:\n%s", line, err, e.Output())
	}
	_, _ = c.Write([]byte("QUIT\r\n"))
}

// Addr is the server's 127.0.0.1:PORT.
func (e *Exim) Addr() string { return Addr(e.Port) }

// Log returns exim's main log so far (each accepted message is a "<="
// line; with TLS it carries "X=TLS1.3:...").
func (e *Exim) Log(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.Dir, "log", "mainlog"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("exim log: %v", err)
	}
	return string(b)
}

// Messages returns the copies delivered so far, oldest first.
func (e *Exim) Messages(t testing.TB) []Mail {
	t.Helper()
	newDir := filepath.Join(e.Maildir, "new")
	ents, err := os.ReadDir(newDir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("exim maildir: %v", err)
	}
	var out []Mail
	for _, ent := range ents {
		if !ent.Type().IsRegular() {
			continue
		}
		path := filepath.Join(newDir, ent.Name())
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("exim maildir: %v", err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("exim maildir %s: %v", path, err)
		}
		body, err := io.ReadAll(m.Body)
		if err != nil {
			t.Fatalf("exim maildir %s: %v", path, err)
		}
		if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			if body, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))); err != nil {
				t.Fatalf("exim maildir %s: quoted-printable: %v", path, err)
			}
		}
		out = append(out, Mail{File: path, Header: m.Header, Body: string(body), Raw: raw})
	}
	// Maildir names start with the delivery time in seconds; the rest
	// orders deliveries within one second well enough for tests.
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// WaitMessages waits until at least n copies have been delivered and
// returns them; it fails the test after StartTimeout.
func (e *Exim) WaitMessages(t testing.TB, n int) []Mail {
	t.Helper()
	deadline := time.Now().Add(StartTimeout)
	for {
		ms := e.Messages(t)
		if len(ms) >= n {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("exim: %d of %d messages delivered within %s; log:\n%s", len(ms), n, StartTimeout, e.Log(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// NewTestCA makes a CA and a server certificate for 127.0.0.1 and
// localhost (ECDSA P-256, valid for a day) and writes them as PEM files in
// dir.
func NewTestCA(t testing.TB, dir string) *TestCA {
	t.Helper()
	return newCA(t, dir, []string{"localhost", "127.0.0.1"})
}
