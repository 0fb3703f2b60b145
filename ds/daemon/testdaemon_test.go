package daemon

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
	"github.com/dsengine/dsengine/ds/vty"
)

// daemonSetup is how a test's daemon differs from the default: the real
// clock, an empty store on the wall clock, commands that print nothing.
type daemonSetup struct {
	clock       ds.Clock         // the daemon's clock
	storeNow    func() time.Time // the store's and the lifecycle's clock
	commands    func(context.Context, *Daemon, control.Request) control.Response
	vtyCommands []vty.Command
}

// runDaemon runs a daemon on the configuration conf (written to a
// file of the test's, which a reload reads again) and an empty store,
// waits until it runs, and stops it when the test ends. It returns the
// daemon, its log, the configuration's path and a channel that gets Run's
// end.
func runDaemon(t testing.TB, conf string, o daemonSetup) (*Daemon, *logBuffer, string, <-chan error) {
	t.Helper()
	if o.clock == nil {
		o.clock = ds.RealClock{}
	}
	if o.storeNow == nil {
		o.storeNow = time.Now
	}
	if o.commands == nil {
		o.commands = func(context.Context, *Daemon, control.Request) control.Response { return control.Response{} }
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.conf")
	if err := os.WriteFile(path, []byte(conf), 0o640); err != nil {
		t.Fatal(err)
	}
	load := func(p string) (*config.Config, error) {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		return iosconfig.Parse(p, data)
	}
	cfg, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	check := lifecycle.Checker(nil, o.storeNow)
	store, err := bootflash.Open(filepath.Join(dir, "bootflash"), bootflash.Options{Check: check, Now: o.storeNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log := &logBuffer{}
	d, err := New(Options{
		ConfigPath: path, Config: cfg, LoadConfig: load,
		Store: store, Manager: lifecycle.New(store, check, lifecycle.Host{Hostname: "edge-1"}, nil, o.storeNow),
		Bootflash: filepath.Join(dir, "bootflash"), Clock: o.clock,
		Log:         slog.New(slog.NewTextHandler(log, nil)),
		VTYCommands: o.vtyCommands,
		Commands:    o.commands,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the daemon", func() bool { return strings.Contains(log.String(), "dsengine running") })
	return d, log, path, done
}

// startVTYDaemon runs a daemon on a configuration file of the test's,
// with a command table that echoes its arguments.
func startVTYDaemon(t testing.TB, conf string) (*Daemon, string) {
	t.Helper()
	d, _, path, _ := runDaemon(t, conf, daemonSetup{
		storeNow:    func() time.Time { return t0 },
		vtyCommands: []vty.Command{{Words: []string{"reload"}, Summary: "re-read the configuration"}},
		commands: func(ctx context.Context, _ *Daemon, req control.Request) control.Response {
			return control.Response{Stdout: "ran " + strings.Join(req.Args, " ") + "\n"}
		},
	})
	return d, path
}

// startClockDaemon runs a daemon on conf with the virtual clock clk.
func startClockDaemon(t *testing.T, conf string, clk *clock.Virtual) (*Daemon, *logBuffer) {
	t.Helper()
	d, log, _, _ := runDaemon(t, conf, daemonSetup{clock: clk, storeNow: func() time.Time { return t0 }})
	return d, log
}

// startConfDaemon runs a daemon on conf with the real clock and returns
// it, its log and a channel that gets Run's end.
func startConfDaemon(t *testing.T, conf string) (*Daemon, *logBuffer, <-chan error) {
	t.Helper()
	d, log, _, done := runDaemon(t, conf, daemonSetup{})
	return d, log, done
}
