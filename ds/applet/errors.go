package applet

import (
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
)

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
