package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/verify"
	"github.com/dsengine/dsengine/internal/english"
)

// assignFlag collects repeated --assign PROFILE=ID,ID.
type assignFlag map[string][]string

func (a assignFlag) String() string { return "" }
func (a assignFlag) Set(v string) error {
	profile, ids, ok := strings.Cut(v, "=")
	if !ok || profile == "" || ids == "" {
		return fmt.Errorf("--assign takes PROFILE=ID,ID..., not %q", v)
	}
	a[profile] = append(a[profile], strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ' ' })...)
	return nil
}

func repoBuildFlags(fs *flag.FlagSet) {
	fs.String("key", "", "the publisher's armoured secret key `SECRET.asc` (passphrase in $DSENGINE_KEY_PASSPHRASE)")
	fs.Duration("expires", repo.DefaultExpires, "how long devices accept the index")
	fs.Var(assignFlag{}, "assign", "give a profile its DS: `PROFILE=ID,ID` (repeatable; none: every DS to everyone)")
}

// runRepoBuild writes the signed index of a directory of signed DS files.
func runRepoBuild(e *env, fs *flag.FlagSet, args []string) error {
	keyPath := fs.Lookup("key").Value.String()
	if keyPath == "" || len(args) != 1 {
		return usagef("give --key SECRET.asc and one DIR")
	}
	key, err := verify.LoadSigningKey(keyPath, []byte(e.getenv("DSENGINE_KEY_PASSPHRASE")))
	if err != nil {
		return err
	}
	opts := repo.BuildOptions{Now: e.now, Expires: fs.Lookup("expires").Value.(flag.Getter).Get().(time.Duration),
		Assign: fs.Lookup("assign").Value.(assignFlag)}
	idx, err := repo.Build(args[0], key, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: index version %d with %s, expires %s\n", args[0], idx.Version,
		english.Plural(len(idx.DS), "DS"), idx.Expires.UTC().Format(time.DateTime+" MST"))
	return nil
}

func repoServeFlags(fs *flag.FlagSet) {
	fs.String("listen", "127.0.0.1:8443", "`ADDRESS` to listen on")
	fs.String("cert", "", "TLS certificate `FILE` (PEM)")
	fs.String("key", "", "TLS private key `FILE` (PEM)")
}

// runRepoServe serves a repository over HTTPS and answers regular
// download requests.
func runRepoServe(e *env, fs *flag.FlagSet, args []string) error {
	cert, key := fs.Lookup("cert").Value.String(), fs.Lookup("key").Value.String()
	if len(args) != 1 {
		return usagef("name the repository DIR")
	}
	if cert == "" || key == "" {
		return usagef("devices download over HTTPS only: give --cert and --key")
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv, err := repo.NewServer(args[0], repo.ServerOptions{Now: e.now, Logger: log})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", fs.Lookup("listen").Value.String())
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-e.ctx.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}()
	fmt.Fprintf(e.stderr, "serving %s on https://%s\n", args[0], l.Addr())
	if err := hs.ServeTLS(l, cert, key); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
