package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/dsengine/dsengine/ds/control"
)

// socketPath is where the daemon listens: `control-socket PATH` in the
// dsengine block, or dsengine.sock in the bootflash directory.
func (e *env) socketPath() string {
	if cfg, err := e.loadConfig(); err == nil && cfg.Host.ControlSocket != "" {
		return cfg.Host.ControlSocket
	}
	return filepath.Join(e.bootflashDir(), "dsengine.sock")
}

// forward sends a command, with the files it names (read by the CLI), to
// the running daemon. It returns false when no daemon runs, so the command
// acts on the bootflash itself. Ctrl-C (e.ctx) cancels the command in the
// daemon too.
func (e *env) forward(args []string, files []control.File) (int, bool) {
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Minute)
	defer cancel()
	resp, err := control.Call(ctx, e.socketPath(), control.Request{Args: args, Files: files})
	if errors.Is(err, control.ErrNoDaemon) {
		return 0, false
	}
	if err != nil && e.ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "dsengine: interrupted; the daemon stops the command\n")
		return exitFail, true
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "dsengine: %v\n", err)
		return exitFail, true
	}
	fmt.Fprint(e.stdout, resp.Stdout)
	fmt.Fprint(e.stderr, resp.Stderr)
	return resp.Code, true
}

// forwardSplit forwards a command with its attached files, in several
// requests when the command splits them (a batch install of thousands of
// DS files is more than one request may carry), saying on stderr how far
// it got. It stops at the first request that fails; what the requests
// before it did stays done.
func (e *env) forwardSplit(cmd *command, args []string) (int, bool) {
	if cmd.split == nil {
		return e.forward(args, e.files)
	}
	parts := cmd.split(e.files)
	for i, part := range parts {
		code, ok := e.forward(args, part)
		if !ok {
			return 0, false // no daemon: the command runs here, on all the files
		}
		if len(parts) > 1 {
			fmt.Fprintf(e.stderr, "dsengine: request %d of %d done\n", i+1, len(parts))
		}
		if code != exitOK {
			if i+1 < len(parts) {
				fmt.Fprintf(e.stderr, "dsengine: stopped after request %d of %d; the files of the requests before it are installed, those after it were not sent\n", i+1, len(parts))
			}
			return code, true
		}
	}
	return exitOK, true
}
