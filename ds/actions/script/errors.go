package script

import (
	"errors"
	"fmt"
)

// LimitKind names the limit that stopped a script.
type LimitKind string

// The limits a Runner enforces.
const (
	LimitTime         LimitKind = "time"         // the run's timeout (Script.Timeout or Options.Timeout)
	LimitMemory       LimitKind = "memory"       // the string cap, the live-heap budget or the coroutine cap
	LimitInstructions LimitKind = "instructions" // Options.MaxInstructions
)

// Sentinels for errors.Is: a *LimitError matches the one of its kind.
var (
	ErrTimeLimit        = errors.New("script time limit exceeded")
	ErrMemoryLimit      = errors.New("script memory limit exceeded")
	ErrInstructionLimit = errors.New("script instruction limit exceeded")
)

// LimitError reports that a script was stopped because it ran into a
// limit. A script cannot catch it for good: once a limit is hit, every
// further instruction fails, so pcall only delays the end by one statement.
type LimitError struct {
	Script string    // Script.Name
	Kind   LimitKind // which limit
	Detail string    // what exceeded it, e.g. "string.rep: result of 200000000 bytes is over the 16777216-byte string limit"
}

// Error says which script hit which limit and how.
func (e *LimitError) Error() string {
	return fmt.Sprintf("script %s: %s limit: %s", e.Script, e.Kind, e.Detail)
}

// Is matches the sentinel of the error's kind (ErrTimeLimit, ErrMemoryLimit,
// ErrInstructionLimit).
func (e *LimitError) Is(target error) bool {
	switch target {
	case ErrTimeLimit:
		return e.Kind == LimitTime
	case ErrMemoryLimit:
		return e.Kind == LimitMemory
	case ErrInstructionLimit:
		return e.Kind == LimitInstructions
	}
	return false
}

// ScriptError is an error the script raised and did not catch: a call to
// error(), a runtime error (indexing nil, bad arguments), or a failed API
// call ("CLI_ERR: ..."). When the error came from a Host method, Err is the
// Host's error, so errors.Is and errors.As see it.
type ScriptError struct {
	Script    string
	Message   string // the Lua error value as text, with its "name:line:" prefix
	Traceback string // the Lua stack traceback, if any
	Err       error  // the Host error behind Message, or nil
}

// Error returns the script name and the Lua message.
func (e *ScriptError) Error() string { return "script " + e.Script + ": " + e.Message }

// Unwrap returns the Host error behind the script error, if any.
func (e *ScriptError) Unwrap() error { return e.Err }

// CompileError is a syntax error in a script. Line and Col are 1-based
// within the script text; Col is 0 when the compiler does not know it.
type CompileError struct {
	Script string
	Line   int
	Col    int
	Msg    string
}

// Error formats the error as name:line:col: message.
func (e *CompileError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.Script, e.Msg)
	case e.Col == 0:
		return fmt.Sprintf("%s:%d: %s", e.Script, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Script, e.Line, e.Col, e.Msg)
}

// The EEM-style error names that prefix the Lua errors the API raises, so
// a script can tell them apart ("CLI_ERR: cli_exec: ...").
const (
	errCLI      = "CLI_ERR"
	errSyslog   = "SYSLOG_ERR"
	errSMTP     = "SMTP_ERR"
	errAppl     = "APPL_ERR"
	errCallHome = "CALLHOME_ERR"
	errContext  = "CONTEXT_ERR"
)

// ErrUnsupported is what UnimplementedHost returns; the API raises it as
// "<NAME>_ERR: ...: not supported by this host".
var ErrUnsupported = errors.New("not supported by this host")
