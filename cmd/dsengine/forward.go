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
