package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/server"
	"github.com/dsengine/dsengine/ds/server/collector"
	"github.com/dsengine/dsengine/ds/server/console"
	"github.com/dsengine/dsengine/ds/server/store"
	"github.com/emersion/go-smtp"
	"golang.org/x/term"
)

func serverStoreFlags(fs *flag.FlagSet) {
	fs.String("data", "", "the server's data `DIR`: the SQLite database and the DS repository (DIR/repo)")
	fs.String("database", "", "a PostgreSQL `URL` (postgres://user@host/db) instead of DIR's SQLite file")
}

func serverFlags(fs *flag.FlagSet) {
	serverStoreFlags(fs)
	fs.String("listen", "127.0.0.1:8443", "`ADDRESS` to listen on")
	fs.String("tls-cert", "", "TLS certificate `FILE` (PEM); without it the server speaks plain HTTP")
	fs.String("tls-key", "", "TLS private key `FILE` (PEM)")
	fs.String("client-ca", "", "CA certificates `FILE` (PEM): devices may authenticate with a client certificate it signed (with TLS)")
	fs.String("smtp-listen", "", "also take Call Home mail on `ADDRESS` (recipient TOKEN@ or callhome+TOKEN@ this server)")
}

// openServerStore opens the store of --data/--database.
func openServerStore(e *env, fs *flag.FlagSet) (*store.SQL, string, error) {
	dir, dsn := fs.Lookup("data").Value.String(), fs.Lookup("database").Value.String()
	if dir == "" {
		return nil, "", usagef("give the data directory with --data DIR")
	}
	if err := os.MkdirAll(filepath.Join(dir, server.RepoDir), 0o750); err != nil {
		return nil, "", err
	}
	if dsn == "" {
		dsn = filepath.Join(dir, store.SQLiteFile)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dsn, store.Options{Now: e.now})
	return st, dir, err
}

// runServer is `dsengine server`: repository, collector and console.
func runServer(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usagef("server takes no arguments (did you mean `server user add NAME`?)")
	}
	cert, key := fs.Lookup("tls-cert").Value.String(), fs.Lookup("tls-key").Value.String()
	if (cert == "") != (key == "") {
		return usagef("give both --tls-cert and --tls-key, or neither")
	}
	var tlsCfg *tls.Config
	if ca := fs.Lookup("client-ca").Value.String(); ca != "" {
		if cert == "" {
			return usagef("--client-ca needs TLS: give --tls-cert and --tls-key")
		}
		pem, err := os.ReadFile(ca)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s: no PEM certificate in it; give the CA that signs the devices' client certificates", ca)
		}
		tlsCfg = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	}
	st, dir, err := openServerStore(e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	l, err := net.Listen("tcp", fs.Lookup("listen").Value.String())
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv, err := server.New(server.Options{DataDir: dir, Store: st, Now: e.now, Logger: log, Secure: cert != ""})
	if err != nil {
		l.Close()
		return err
	}
	scheme := "http"
	if cert != "" {
		scheme = "https"
	} else if ap, err := netipAddrPort(l.Addr()); err == nil && !ap {
		fmt.Fprintf(e.stderr, "warning: plain HTTP on a non-loopback address: passwords and messages cross the network in clear; give --tls-cert and --tls-key\n")
	}
	if addr := fs.Lookup("smtp-listen").Value.String(); addr != "" {
		sl, err := net.Listen("tcp", addr)
		if err != nil {
			l.Close()
			return err
		}
		ms := collector.NewSMTP(srv.Collector, "dsengine")
		go func() { <-e.ctx.Done(); ms.Close() }()
		go func() {
			if err := ms.Serve(sl); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
				log.Error("smtp listener", "err", err)
			}
		}()
		fmt.Fprintf(e.stderr, "mail collector smtp://%s (recipient TOKEN@ or callhome+TOKEN@)\n", sl.Addr())
	}
	base := scheme + "://" + l.Addr().String()
	fmt.Fprintf(e.stderr, "dsengine server: console %s/\ncollector %s/ch/TOKEN (`dsengine server token add PROFILE --data %s`)\nrepository %s/repo/ (%s)\n",
		base, base, dir, base, filepath.Join(dir, server.RepoDir))
	return serveUntilDone(e.ctx, l, srv, cert, key, tlsCfg)
}

// netipAddrPort reports whether a listener's address is loopback.
func netipAddrPort(a net.Addr) (bool, error) {
	t, ok := a.(*net.TCPAddr)
	if !ok {
		return false, errors.New("not TCP")
	}
	return t.IP.IsLoopback(), nil
}

// serveUntilDone serves h on l until ctx ends.
func serveUntilDone(ctx context.Context, l net.Listener, h http.Handler, cert, key string, tlsCfg *tls.Config) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: tlsCfg}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	var err error
	if cert != "" {
		err = hs.ServeTLS(l, cert, key)
	} else {
		err = hs.Serve(l)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func serverUserFlags(fs *flag.FlagSet) {
	serverStoreFlags(fs)
	fs.String("role", store.RoleReadOnly, "`ROLE`: admin (edits DS assignments) or read-only")
}

// readPassword reads a password: twice from a terminal without echo, else
// the first line of standard input.
func readPassword(e *env) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ; run the command again")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// runServerUserAdd creates or replaces a console user.
func runServerUserAdd(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 || args[0] == "" {
		return usagef("name one user")
	}
	role := fs.Lookup("role").Value.String()
	if role != store.RoleAdmin && role != store.RoleReadOnly {
		return usagef("--role is admin or read-only, not %q", role)
	}
	pw, err := readPassword(e)
	if err != nil {
		return err
	}
	if len(pw) < 8 {
		return errors.New("refused: the password has fewer than 8 characters; give a longer one on standard input")
	}
	hash, err := console.HashPassword(pw)
	if err != nil {
		return err
	}
	st, _, err := openServerStore(e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.PutUser(e.ctx, store.User{Name: args[0], Hash: hash, Role: role}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s (%s) saved\n", args[0], role)
	return nil
}

// newToken returns a random device token.
func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// runServerTokenAdd makes a token for a profile's devices and prints it.
func runServerTokenAdd(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 || args[0] == "" {
		return usagef("name one profile")
	}
	st, _, err := openServerStore(e, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	tok := newToken()
	if err := st.PutToken(e.ctx, args[0], tok); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token for profile %s: %s\nin the profile: destination address http https://SERVER/ch/%s\n", args[0], tok, tok)
	return nil
}

// DemoServerAddr is where `run --demo` serves its embedded collector and
// console (README, "Try it"); when it is taken, a free port is used and
// printed.
const DemoServerAddr = "127.0.0.1:8470"

// DemoProfileToken names the token of the demo profile in the demo
// configuration.
const demoCollectorPlaceholder = "http://127.0.0.1:9/callhome"

// startDemoServer runs the embedded server of `run --demo` in dataDir
// until ctx ends: it makes a token for the demo profile and a console user
// "demo" with a new password, prints where to log in, and returns the
// collector URL the demo profile posts to.
func startDemoServer(e *env, ctx context.Context, dataDir string) (string, error) {
	if err := os.MkdirAll(filepath.Join(dataDir, server.RepoDir), 0o700); err != nil {
		return "", err
	}
	st, err := store.Open(ctx, filepath.Join(dataDir, store.SQLiteFile), store.Options{Now: e.now})
	if err != nil {
		return "", fmt.Errorf("demo server: %w", err)
	}
	tok, pw := newToken(), newToken()[:12]
	hash, err := console.HashPassword(pw)
	if err == nil {
		err = st.PutToken(ctx, "demo", tok)
	}
	if err == nil {
		err = st.PutUser(ctx, store.User{Name: "demo", Hash: hash, Role: store.RoleAdmin})
	}
	if err != nil {
		st.Close()
		return "", fmt.Errorf("demo server: %w", err)
	}
	l, err := net.Listen("tcp", DemoServerAddr)
	if err != nil {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		st.Close()
		return "", fmt.Errorf("demo server: %w", err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(server.Options{DataDir: dataDir, Store: st, Now: e.now, Logger: log})
	if err != nil {
		l.Close()
		st.Close()
		return "", err
	}
	go func() {
		defer st.Close()
		if err := serveUntilDone(ctx, l, srv, "", "", nil); err != nil {
			log.Error("demo server", "err", err)
		}
	}()
	base := "http://" + l.Addr().String()
	fmt.Fprintf(e.stderr, "demo: console on %s/ (user demo, password %s); the demo profile posts to its collector\n", base, pw)
	return base + "/ch/" + tok, nil
}
