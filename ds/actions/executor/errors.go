package executor

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of failure; every error Run returns wraps one of them, so
// callers test with errors.Is.
var (
	// ErrTimeout: the command ran longer than Options.Timeout and was
	// stopped; the output printed until then is returned.
	ErrTimeout = errors.New("timed out")
	// ErrExit: the command ran and exited with a non-zero status; the
	// output and the status are returned.
	ErrExit = errors.New("exited with non-zero status")
	// ErrConnection: the executor could not reach the device or lost it
	// during the command. The only retryable kind.
	ErrConnection = errors.New("connection failed")
	// ErrRefused: the command cannot run as configured (no mapping, no
	// canned output, host key not trusted, authentication refused, bad
	// key file); retrying does not help until the configuration changes.
	ErrRefused = errors.New("refused")
	// ErrClosed: Run was called after Close.
	ErrClosed = errors.New("executor closed")
)

// Error is a failed command.
type Error struct {
	Executor string // "local", "sim", "ssh 192.0.2.1:22"
	Command  string // the IOS command
	Kind     error  // ErrTimeout, ErrExit, ErrConnection, ErrRefused, ErrClosed, or ctx.Err() when the caller gave up
	ExitCode int    // for ErrExit
	Detail   string // what happened, for people
	Err      error  // the underlying error, if any
}

// Error returns "executor KIND: "COMMAND": DETAIL: ERR".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "executor %s: %q: ", e.Executor, e.Command)
	if e.Detail != "" {
		b.WriteString(e.Detail)
	} else {
		b.WriteString(e.Kind.Error())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Retryable reports whether err is worth retrying later unchanged: only
// connection failures are.
func Retryable(err error) bool { return errors.Is(err, ErrConnection) }

// firstLine returns the first non-empty line of s, at most 200 bytes, for
// error messages.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if len(l) > 200 {
			l = l[:200] + "..."
		}
		return l
	}
	return ""
}
