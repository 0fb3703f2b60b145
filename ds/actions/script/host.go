package script

import (
	"context"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
)

// Host is what a script's API calls reach: the engine's executors, syslog,
// mail, call-home and persistent storage, scoped to the DS the script
// belongs to. Every method gets the run's context (it carries the run's
// deadline); a Host must return when it is done. An error becomes a Lua
// error named after the API ("CLI_ERR: cli_exec: <err>") that the script
// may catch with pcall; uncaught, it ends the run with a *ScriptError that
// wraps it.
type Host interface {
	// CLIOpen opens a CLI session (cli_open, cli_run).
	CLIOpen(ctx context.Context) (CLISession, error)
	// Syslog logs a message (action_syslog), as IOS logs
	// %HA_EM-<sev>-LOG: <policy>: <msg>.
	Syslog(ctx context.Context, m SyslogMessage) error
	// SendMail sends an e-mail (smtp_send_email).
	SendMail(ctx context.Context, m Mail) error
	// CallHome sends a call-home message to the DS profile's destinations
	// (call_home_send).
	CallHome(ctx context.Context, m CallHomeMessage) error
	// ApplGet returns data saved under key by an earlier run of the same DS
	// (appl_reqinfo); ok is false when there is none.
	ApplGet(ctx context.Context, key string) (data string, ok bool, err error)
	// ApplSet saves data under key for later runs of the same DS
	// (appl_setinfo); it replaces what was there.
	ApplSet(ctx context.Context, key, data string) error
	// ContextSave saves variables under a name (context_save), for
	// another policy to retrieve.
	ContextSave(ctx context.Context, name string, vars map[string]string) error
	// ContextRetrieve returns the variables saved under name and forgets
	// them, as EEM does (context_retrieve); ok is false when there are none.
	ContextRetrieve(ctx context.Context, name string) (vars map[string]string, ok bool, err error)
}

// CLISession is one open CLI session of a script (an EEM vty).
type CLISession interface {
	// Exec runs one command and returns its output.
	Exec(ctx context.Context, cmd string) (string, error)
	// Close ends the session. The runner closes every session a script
	// left open when the run ends.
	Close() error
}

// SyslogMessage is what action_syslog logs.
type SyslogMessage struct {
	Severity ds.Severity // from priority=, default informational
	Facility string      // from facility=, "" for the engine's default (HA_EM)
	Msg      string
}

// Mail is what smtp_send_email sends, parsed from its header lines
// (Mailservername:, From:, To:, Cc:, Subject:), a blank line and the body.
type Mail struct {
	Servers []string          // Mailservername:, "" entries dropped; empty means the configured mail servers
	From    string            // empty means the configured sender
	To      []string          // at least one
	Cc      []string          //
	Subject string            //
	Headers map[string]string // any other "Name: value" header lines, by name as written
	Body    string
}

// CallHomeMessage is what call_home_send sends: a diagnostic-signature
// message to the DS profile, as the call-home action sends.
type CallHomeMessage struct {
	Description string               // description=, "" for the text of the event that fired
	Severity    config.AlertSeverity // severity=, default notification
	Message     string               // message= (or msg=), attached as "script <DS id>"; "" for none
	// Outputs are the commands the script ran before the call, with
	// outputs = true: each is an attachment, before Message's.
	Outputs []engine.CommandOutput
}

// UnimplementedHost answers every Host method with ErrUnsupported. Embed
// it in a Host that implements only some of the API.
type UnimplementedHost struct{}

// CLIOpen returns ErrUnsupported.
func (UnimplementedHost) CLIOpen(context.Context) (CLISession, error) { return nil, ErrUnsupported }

// Syslog returns ErrUnsupported.
func (UnimplementedHost) Syslog(context.Context, SyslogMessage) error { return ErrUnsupported }

// SendMail returns ErrUnsupported.
func (UnimplementedHost) SendMail(context.Context, Mail) error { return ErrUnsupported }

// CallHome returns ErrUnsupported.
func (UnimplementedHost) CallHome(context.Context, CallHomeMessage) error { return ErrUnsupported }

// ApplGet returns ErrUnsupported.
func (UnimplementedHost) ApplGet(context.Context, string) (string, bool, error) {
	return "", false, ErrUnsupported
}

// ApplSet returns ErrUnsupported.
func (UnimplementedHost) ApplSet(context.Context, string, string) error { return ErrUnsupported }

// ContextSave returns ErrUnsupported.
func (UnimplementedHost) ContextSave(context.Context, string, map[string]string) error {
	return ErrUnsupported
}

// ContextRetrieve returns ErrUnsupported.
func (UnimplementedHost) ContextRetrieve(context.Context, string) (map[string]string, bool, error) {
	return nil, false, ErrUnsupported
}
