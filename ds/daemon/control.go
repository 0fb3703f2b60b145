package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds/control"
)

// Do runs one command with the daemon's state, one at a time, and then
// registers or deregisters what the command changed: what SIGHUP calls,
// and, with the files the CLI sent, the control socket. A command waits
// for the one running to finish, unless ctx ends first (its client went
// away, the daemon is stopping): then it is not run, and says so.
func (d *Daemon) Do(ctx context.Context, args []string) control.Response {
	return d.do(ctx, control.Request{Args: args})
}

func (d *Daemon) handle(ctx context.Context, req control.Request) control.Response {
	return d.do(ctx, req)
}

func (d *Daemon) do(ctx context.Context, req control.Request) control.Response {
	name := commandName(req.Args)
	ctx, release, err := d.acquire(ctx)
	if err != nil {
		d.log.Warn("command not run", "command", name, "why", stopReason(ctx))
		return control.Response{Stderr: fmt.Sprintf("dsengine: %s was not run: %s\n", name, stopReason(ctx)), Code: 1}
	}
	defer release()
	d.stats.flush() // a command sees every finished run
	resp := d.opts.Commands(ctx, d, req)
	if ctx.Err() != nil {
		d.log.Warn("command aborted", "command", name, "why", stopReason(ctx), "exit", resp.Code)
	}
	d.resync()
	return resp
}

// acquire takes the state lock, or gives up when ctx ends: an ended ctx
// never gets it, even when the lock is free at the same moment. It
// returns ctx marked as holding the lock, and the function that releases
// it. A ctx already so marked gets the lock at once and a release that
// does nothing: a sync applet that `event manager run` started runs inside
// that command, and its `cli` actions (a show, a configuration line) must
// not wait for the lock their own command holds.
func (d *Daemon) acquire(ctx context.Context) (context.Context, func(), error) {
	if ctx.Value(lockHeld{d}) != nil {
		return ctx, func() {}, nil
	}
	select {
	case d.lock <- struct{}{}:
		if err := ctx.Err(); err != nil {
			d.release()
			return ctx, nil, err
		}
		return context.WithValue(ctx, lockHeld{d}, true), d.release, nil
	case <-ctx.Done():
		return ctx, nil, ctx.Err()
	}
}

// lockHeld marks a context whose command holds d's state lock.
type lockHeld struct{ d *Daemon }

func (d *Daemon) release() { <-d.lock }

// ControlRefused is the number of control socket clients refused because
// they run as a user other than the daemon's and root.
func (d *Daemon) ControlRefused() uint64 {
	if srv := d.control.Load(); srv != nil {
		return srv.Refused()
	}
	return 0
}

// commandName is a command's words and positional arguments, for the log:
// flags and what follows them (prompt answers may be secrets) are left out.
func commandName(args []string) string {
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			args = args[:i]
			break
		}
	}
	return strings.Join(args, " ")
}

// stopReason says why a command's context ended.
func stopReason(ctx context.Context) string {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, control.ErrClientGone):
		return "its client went away (Ctrl-C)"
	case cause != nil && !errors.Is(cause, context.Canceled):
		return cause.Error()
	}
	return "the daemon is stopping"
}
