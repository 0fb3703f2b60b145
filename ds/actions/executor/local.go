package executor

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dsengine/dsengine/ds/config"
)

// waitDelay bounds how long a finished or killed command's output pipe may
// stay open, held by a process that left its process group.
const waitDelay = 2 * time.Second

// local runs IOS commands on this host as the sh scripts of the command
// map.
type local struct {
	commands *commandMap
	opts     Options
}

func newLocal(_ config.Executor, commandMap []config.CommandMapping, opts Options) (Executor, error) {
	m, err := newCommandMap(commandMap)
	if err != nil {
		return nil, fmt.Errorf("executor local: %w", err)
	}
	return &local{commands: m, opts: opts}, nil
}

// Close does nothing: a local executor holds no resources between
// commands.
func (l *local) Close() error { return nil }

// Run maps command to its sh script and runs it with /bin/sh -c in its own
// process group, the command's arguments as positional parameters. The
// group is killed at the timeout, when the output reaches the cap, and
// when the script ends (so background children do not outlive it).
func (l *local) Run(ctx context.Context, command string) (Output, error) {
	start := l.opts.Now()
	fail := func(kind error, detail string, err error) error {
		return &Error{Executor: "local", Command: command, Kind: kind, Detail: detail, Err: err}
	}
	base, filters, err := splitModifiers(command)
	if err != nil {
		return Output{}, fail(ErrRefused, "", err)
	}
	if base == "" {
		return Output{}, fail(ErrRefused, "empty command", nil)
	}
	m, args, ok := l.commands.lookup(base)
	if !ok {
		return Output{}, fail(ErrRefused, fmt.Sprintf(
			"no Linux command is mapped to %q; map it under call-home / diagnostic-signature with: command-map %q \"LINUX COMMAND\" (use {args} for its arguments)",
			base, base), nil)
	}

	runCtx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "/bin/sh", append([]string{"-c", m.script, "sh"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := newCapture(l.opts.MaxOutput)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		if ctx.Err() != nil {
			return Output{}, fail(ctx.Err(), "canceled", ctx.Err())
		}
		return Output{}, fail(ErrRefused, "cannot start /bin/sh", err)
	}
	pid := cmd.Process.Pid
	ended := make(chan struct{})
	go func() {
		select {
		case <-out.full:
			_ = killGroup(pid)
		case <-ended:
		}
	}()
	// Wait for the shell to exit without reaping it, so that its process
	// group still exists for the kill that ends whatever it left behind.
	waitExited(pid)
	_ = killGroup(pid)
	close(ended)
	err = cmd.Wait()

	text, truncated := out.result()
	o := Output{Text: applyFilters(text, filters), Truncated: truncated, ExitCode: cmd.ProcessState.ExitCode(), Duration: l.opts.Now().Sub(start)}
	switch {
	case truncated && o.ExitCode <= 0:
		// Stopped at the cap (or it ended by itself just then).
		return o, nil
	case ctx.Err() != nil:
		return o, fail(ctx.Err(), "canceled", ctx.Err())
	case runCtx.Err() != nil:
		return o, fail(ErrTimeout, fmt.Sprintf("timed out after %s, killed", l.opts.Timeout), nil)
	case o.ExitCode > 0:
		return o, &Error{Executor: "local", Command: command, Kind: ErrExit, ExitCode: o.ExitCode,
			Detail: exitDetail(o.ExitCode, text)}
	case o.ExitCode < 0:
		return o, fail(ErrExit, "killed by a signal", err)
	}
	// err may be exec.ErrWaitDelay: a process that escaped the group
	// kept the output open; the script itself succeeded.
	return o, nil
}

// exitDetail says how a command failed, with its first output line.
func exitDetail(code int, text string) string {
	if l := firstLine(text); l != "" {
		return fmt.Sprintf("exit status %d: %s", code, l)
	}
	return fmt.Sprintf("exit status %d", code)
}

// killGroup kills a process group; a group already gone is no error.
func killGroup(pgid int) error {
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// waitExited blocks until process pid has exited, leaving it a zombie for
// exec.Cmd.Wait to reap.
func waitExited(pid int) {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != syscall.EINTR {
			return
		}
	}
}
