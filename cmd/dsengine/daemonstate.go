package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds/alertgroup"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/notify/outbox"
)

// daemonState is what commands run inside the daemon share: its open
// store (the daemon holds the lock), its configuration, and hooks into the
// running engine.
type daemonState struct {
	mu     sync.Mutex // one command at a time changes the state
	store  *bootflash.Store
	mgr    *lifecycle.Manager
	cfg    func() *config.Config
	reload func() error
	// changed is called after a command may have changed DS statuses, so
	// the engine registers and deregisters detectors.
	changed func()
	// outboxStats are the running outbox's counters.
	outboxStats func() outbox.Statistics
	events      *eventState
	// rescheduled re-plans the periodic download after a reload.
	rescheduled func(*config.Config)
	// applets re-registers the EEM applets after a reload.
	applets func(*config.Config)
	// alerts sends the alert-group messages and the manual sends.
	alerts *alertgroup.Sender
}

// handler runs a command that arrived on the control socket, with the
// daemon's state, and returns its output.
func (d *daemonState) handler(base *env) control.Handler {
	return func(ctx context.Context, req control.Request) control.Response {
		d.mu.Lock()
		defer d.mu.Unlock()
		var out, errOut bytes.Buffer
		e := &env{ctx: ctx, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			getenv: base.getenv, now: base.now, daemon: d, config: base.config, bootflash: base.bootflash}
		code := run(e, req.Args)
		if d.changed != nil {
			d.changed()
		}
		return control.Response{Stdout: out.String(), Stderr: errOut.String(), Code: code}
	}
}

// runReload is `reload`: inside the daemon it re-reads the configuration;
// outside, no daemon answered the socket.
func runReload(e *env, _ *flag.FlagSet, args []string) error {
	if e.daemon == nil {
		return fmt.Errorf("no dsengine daemon is running on %s; start one with `dsengine run`", e.socketPath())
	}
	if err := e.daemon.reload(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "configuration reloaded")
	return nil
}
