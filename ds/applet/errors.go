package applet

import (
	"context"
	"errors"
	"fmt"
)

// Errors a run can end with, wrapped in an *Error naming the action.
var (
	// ErrMaxRun: the run outlived the applet's maxrun.
	ErrMaxRun = errors.New("maxrun exceeded")
	// ErrMaxSteps: the run executed more actions than Limits.MaxSteps.
	ErrMaxSteps = errors.New("too many actions executed")
	// ErrUnsupported: the verb is valid IOS but dsengine does not run it.
	ErrUnsupported = errors.New("not supported")
	// ErrRefused: the verb is valid IOS but acts on hardware or services
	// a Linux host does not have (cns-event, force-switchover).
	ErrRefused = errors.New("refused")
	// ErrPolicyDepth: "action policy" nested deeper than MaxPolicyDepth.
	ErrPolicyDepth = errors.New("policies nest too deeply")
	// ErrNoTerminal: "action gets" in a run no terminal started.
	ErrNoTerminal = errors.New("gets: no terminal; run the applet with `event manager run` from `dsengine cli`")
)

// The IOS names of the errors "handle-error type ignore" leaves in
// $_error (the FH_ codes of the EEM Tcl extensions).
const (
	// CodeSysErr: a generic error, as IOS reports one from the system.
	CodeSysErr = "FH_ESYSERR"
	// CodeMemory: an action read a variable nothing set (IOS reports
	// FMPD_UNKNOWN_ENV with this code).
	CodeMemory = "FH_EMEMORY"
	// CodeNoSuchEID: "action policy" named an applet that is not
	// registered with "event none".
	CodeNoSuchEID = "FH_ENOSUCHEID"
	// CodeNoSuchKey: "context retrieve" found no saved context.
	CodeNoSuchKey = "FH_ENOSUCHKEY"
)

// codeError is an action error with its IOS code.
type codeError struct {
	code string
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

func withCode(code string, err error) error { return &codeError{code: code, err: err} }

// ErrorCode returns the IOS error name of err, as $_error holds it:
// CodeSysErr unless a more precise one applies, "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var c *codeError
	if errors.As(err, &c) {
		return c.code
	}
	return CodeSysErr
}

// fatal reports whether err ends the run even under
// "handle-error type ignore": maxrun, the step limit, the policy depth, a
// cancelled run.
func fatal(err error) bool {
	return errors.Is(err, ErrMaxRun) || errors.Is(err, ErrMaxSteps) || errors.Is(err, ErrPolicyDepth) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Error is an error of one action: found by Check before anything runs, or
// met while running.
type Error struct {
	Applet string
	Label  string // the action's label; empty for an error of the applet as a whole
	Verb   string
	Line   int // configuration line, 0 when unknown
	Err    error
}

// Error formats the error as "applet NAME: action LABEL VERB (line N): ...".
func (e *Error) Error() string {
	s := fmt.Sprintf("applet %s", e.Applet)
	if e.Label != "" {
		s += fmt.Sprintf(": action %s %s", e.Label, e.Verb)
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
