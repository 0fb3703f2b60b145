package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/daemon"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/signatures"
)

func runFlags(fs *flag.FlagSet) {
	fs.Bool("demo", false, "run the bundled example signatures with the demo key, a syslog listener on "+
		"127.0.0.1:5514 (UDP and TCP), and an embedded collector and console on "+DemoServerAddr+" the demo profile posts to")
	fs.String("jetstream", "", "run as a fleet worker on this NATS JetStream (URLs comma separated): see `dsengine relay`")
	fs.String("role", "both", "with --jetstream: worker (evaluate partitions), executor (run action intents) or both")
	fs.Int("replicas", 1, "with --jetstream: replicas of the buckets (3 on a three-node cluster)")
	fs.String("worker-id", "", "with --jetstream: this worker's name in the leases (default the host name)")
}

// demoConfig is the embedded default of `run --demo`. Its collector
// address is replaced by the embedded server's (startDemoServer).
const demoConfig = `hostname dsengine-demo
service call-home
call-home
 contact-email-addr demo@dsengine.invalid
 rate-limit 60
 profile "demo"
  destination transport-method http
  no destination transport-method email
  destination address http http://127.0.0.1:9/callhome
 diagnostic-signature
  profile demo
  environment ds_noc_email noc@dsengine.invalid
  environment ds_audit_to audit@dsengine.invalid
  trust-key DEMO_KEY_PATH
  command-map "show inventory" "lscpu; lsblk -d -o NAME,SIZE,MODEL"
dsengine
 syslog listen udp 127.0.0.1:5514
 syslog listen tcp 127.0.0.1:5514
event manager applet LINKFLAP
 event syslog pattern "%LINK-3-UPDOWN: .* down" occurs 2 period 60
 action 1.0 cli command "show ip interface brief"
 action 2.0 syslog msg "a link went down twice in a minute"
event manager applet HELLO
 event none
 action 1.0 syslog msg "hello from $_none_arg1"
`

// runDaemon is `dsengine run`: it reads the configuration, opens the
// store, and runs the daemon (ds/daemon) until SIGTERM or SIGINT; SIGHUP
// is the `reload` command.
func runDaemon(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usagef("run takes no arguments")
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	demo := fs.Lookup("demo").Value.(flag.Getter).Get().(bool)
	var cfgPath string
	ctx, stop := context.WithCancel(e.ctx)
	defer stop()
	if demo {
		e.bootflash = e.demoBootflash()
		p, err := writeDemo(e.bootflashDir(), demoCollectorPlaceholder)
		if err != nil {
			return err
		}
		cfgPath = p
	} else if p, ok := e.configPath(); ok {
		cfgPath = p
	} else {
		return errors.New("no configuration found; give one with --config FILE, or try `dsengine run --demo`")
	}
	cfg, err := readConfig(cfgPath)
	if err != nil {
		return err
	}
	logWarnings(log, cfg)
	store, mgr, err := e.openStore(cfg, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if demo {
		// Now that the store is ours, start the embedded server and point
		// the demo profile at it.
		collector, err := startDemoServer(e, ctx, filepath.Join(e.bootflashDir(), "server"))
		if err != nil {
			return err
		}
		if _, err := writeDemo(e.bootflashDir(), collector); err != nil {
			return err
		}
		if cfg, err = readConfig(cfgPath); err != nil {
			return err
		}
		if err := installDemo(e, store, mgr, filepath.Dir(cfgPath)); err != nil {
			return err
		}
	}
	base := *e
	base.config = cfgPath
	fleetRun, err := fleetFlag(fs, log)
	if err != nil {
		return err
	}
	d, err := daemon.New(daemon.Options{Fleet: fleetRun, ConfigPath: cfgPath, LoadConfig: readConfig, Config: cfg, Store: store, Manager: mgr,
		Bootflash: e.bootflashDir(), Log: log, Clock: ds.RealClock{}, VTYCommands: vtyCommands(),
		Commands: func(ctx context.Context, d *daemon.Daemon, req control.Request) control.Response {
			var out, errOut bytes.Buffer
			ce := &env{ctx: ctx, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
				getenv: base.getenv, now: base.now, daemon: d, config: base.config, bootflash: base.bootflash, files: req.Files}
			code := run(ce, req.Args)
			return control.Response{Stdout: out.String(), Stderr: errOut.String(), Code: code}
		}})
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for {
		select {
		case err := <-done:
			return err
		case <-hup:
			resp := d.Do(ctx, []string{"reload"})
			if resp.Code != 0 {
				log.Error("reload", "err", strings.TrimSpace(resp.Stderr))
			} else {
				log.Info("configuration reloaded", "config", cfgPath)
			}
		}
	}
}

// demoBootflash is the demo's store: the one named, else its own state
// directory, away from a production store.
func (e *env) demoBootflash() string {
	if e.bootflash == "" && e.getenv("DSENGINE_BOOTFLASH") == "" {
		return filepath.Join(userStateDir(e.getenv), "demo")
	}
	return e.bootflashDir()
}

// writeDemo writes the demo configuration and the demo key under the
// bootflash directory and returns the configuration's path.
func writeDemo(bootflashDir, collector string) (string, error) {
	dir := filepath.Join(bootflashDir, "demo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	key, err := fs.ReadFile(signatures.Files, signatures.DemoKey)
	if err != nil {
		return "", err
	}
	keyPath := filepath.Join(dir, "demo-public.asc")
	if err := os.WriteFile(keyPath, key, 0o644); err != nil {
		return "", err
	}
	cfgPath := filepath.Join(dir, "dsengine.conf")
	abs, err := filepath.Abs(keyPath)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(cfgPath, []byte(strings.NewReplacer("DEMO_KEY_PATH", abs, demoCollectorPlaceholder, collector).Replace(demoConfig)), 0o644); err != nil {
		return "", err
	}
	return cfgPath, nil
}

// installDemo installs each bundled signature not installed yet, from the
// embedded files, verified like any other.
func installDemo(e *env, store *bootflash.Store, mgr *lifecycle.Manager, dir string) error {
	names, err := fs.Glob(signatures.Files, "*.xml")
	if err != nil {
		return err
	}
	for _, name := range names {
		id := strings.TrimSuffix(name, ".xml")
		if _, ok := store.Get(id); ok {
			continue
		}
		for _, f := range []string{name, name + ".asc"} {
			data, err := fs.ReadFile(signatures.Files, f)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
				return err
			}
		}
		res, err := mgr.InstallFile(filepath.Join(dir, name), nil, nil)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		fmt.Fprintf(e.stderr, "demo: DS %s installed, %s %s\n", id, res.Status, res.Reason)
	}
	return nil
}
