package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// PostgresBin is where Debian's PostgreSQL 15 keeps its programs.
const PostgresBin = "/usr/lib/postgresql/15/bin"

// Postgres is a throwaway PostgreSQL cluster on 127.0.0.1, owned by the
// postgres user, trust authentication for user "dse".
type Postgres struct {
	Port int
	URL  string // postgres://dse@127.0.0.1:PORT/postgres?sslmode=disable
	Dir  string
}

// StartPostgres initialises a cluster in a temporary directory, starts it
// and waits until it accepts connections; it is stopped and removed when
// the test ends.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	Require(t, PostgresBin+"/pg_ctl", "runuser")
	// t.TempDir is private to root; the server runs as postgres.
	dir, err := os.MkdirTemp("", "dsengine-pg-")
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if u, err := user.Lookup("postgres"); err == nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		_ = os.Chown(dir, uid, gid)
	}
	p := &Postgres{Port: FreePort(t), Dir: dir}
	p.URL = fmt.Sprintf("postgres://dse@127.0.0.1:%d/postgres?sslmode=disable", p.Port)
	p.pg(t, "initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "dse", "-N")
	p.Start(t)
	t.Cleanup(func() { _ = p.ctl("stop", "-m", "immediate") })
	return p
}

func (p *Postgres) pg(t testing.TB, prog string, args ...string) {
	t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(PostgresBin, prog)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("postgres: %s %v: %v\n%s", prog, args, err, out)
	}
}

func (p *Postgres) ctl(args ...string) error {
	args = append([]string{"-u", "postgres", "--", filepath.Join(PostgresBin, "pg_ctl"), "-D", filepath.Join(p.Dir, "data"), "-t", "30"}, args...)
	out, err := exec.Command("runuser", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

// Start starts the cluster (again) and waits until it is ready.
func (p *Postgres) Start(t testing.TB) {
	t.Helper()
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=off", p.Dir, p.Port)
	if err := p.ctl("-o", opts, "-l", filepath.Join(p.Dir, "pg.log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.Dir, "pg.log"))
		t.Fatalf("postgres: start: %v\n%s", err, log)
	}
}

// Stop stops the cluster, closing every connection (fast shutdown).
func (p *Postgres) Stop(t testing.TB) {
	t.Helper()
	if err := p.ctl("-m", "fast", "-w", "stop"); err != nil {
		t.Fatalf("postgres: stop: %v", err)
	}
}
