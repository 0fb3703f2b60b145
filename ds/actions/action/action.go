package action

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/vars"
)

// Action is one action type: it renders its ds.Action for the run and
// acts on the device. The result is a short line for the records ("show
// version (12 lines)", "queued diagnostic-signature/6030 …").
type Action interface {
	Run(ctx context.Context, run *engine.Run, a ds.Action, dev Device) (string, error)
}

// Device is what actions, scripts and applets act on. Each method that
// does something returns a line saying what it did (or, on a dry run,
// what it would do). The ctx of a run carries its events.Origin (the
// engine and the applets set it): Log marks the lines it logs with it,
// and SaveContext charges the contexts to its owner.
type Device interface {
	// Command runs a CLI command and returns its output.
	Command(ctx context.Context, command string) (string, error)
	// Log writes a syslog line, already formatted ("%DS-5-MSG: text"), at
	// severity sev; the detectors see it too.
	Log(ctx context.Context, sev ds.Severity, line string) (string, error)
	// Broadcast writes text to the logged-in terminals.
	Broadcast(ctx context.Context, text string) (string, error)
	// Mail sends a mail at once, not through the outbox.
	Mail(ctx context.Context, m Mail) (string, error)
	// CallHome sends a call-home message to the DS profile's destinations,
	// through the rate limit and the outbox.
	CallHome(ctx context.Context, m *callhome.Message) (string, error)
	// Value returns what SetValue kept under key, across runs and
	// restarts (a script's appl_setinfo).
	Value(ctx context.Context, key string) (string, bool, error)
	SetValue(ctx context.Context, key, value string) error
	// SaveContext keeps variables under a name for another run or applet
	// (EEM context_save), charged to the DS or applet whose run ctx
	// belongs to (events.OriginFrom) and refused over its caps;
	// RetrieveContext returns them once and forgets them.
	SaveContext(ctx context.Context, name string, v map[string]string) error
	RetrieveContext(ctx context.Context, name string) (map[string]string, bool, error)
}

// Mail is one mail: a DS emailto action, a script's smtp_send_email, an
// applet's `action mail`.
type Mail struct {
	// Servers and From are the mail servers and sender an applet or a
	// script names, tried in order; empty means the call-home mail
	// servers and sender.
	Servers []string
	From    string
	To      []string
	Subject string
	Body    string
	// Outputs are command outputs the mail carries as parts after the
	// body: a DS emailto's, the run's so far (emailto.Compose).
	Outputs []callhome.Attachment
}

// String describes the mail: "mail to A, B: SUBJECT".
func (m Mail) String() string {
	return fmt.Sprintf("mail to %s: %q", strings.Join(m.To, ", "), m.Subject)
}

// Render substitutes the run's variables in s. A regex variable s refers
// to is resolved first, running its command on dev once per run. A
// variable with no value is an error naming it.
func Render(ctx context.Context, run *engine.Run, dev Device, what, s string) (string, error) {
	if err := ResolveRegex(ctx, run, dev, s); err != nil {
		return "", err
	}
	if !strings.Contains(s, "${") {
		return s, nil // the run's variables are built only when named
	}
	out, missing := vars.Substitute(s, run.Values())
	if len(missing) > 0 {
		return out, fmt.Errorf("%s: no value for %s", what, strings.Join(missing, ", "))
	}
	return out, nil
}

// ResolveRegex gives each regex variable s refers to its value: the
// first capture group of its pattern over its command's output. The
// command runs once per run, when a value is first needed.
func ResolveRegex(ctx context.Context, run *engine.Run, dev Device, s string) error {
	for _, v := range run.Sig.Variables {
		if v.Source != ds.SourceRegex || !strings.Contains(s, "${"+v.Name+"}") {
			continue
		}
		if _, done := run.Values()[v.Name]; done {
			continue
		}
		out, err := dev.Command(ctx, v.Command)
		if err != nil {
			return fmt.Errorf("variable %s: command %q: %w", v.Name, v.Command, err)
		}
		re, err := regexp.Compile(v.Pattern)
		if err != nil {
			return fmt.Errorf("variable %s: %w", v.Name, err)
		}
		m := re.FindStringSubmatch(out)
		if len(m) < 2 {
			return fmt.Errorf("variable %s: /%s/ does not match the output of %q", v.Name, v.Pattern, v.Command)
		}
		run.Values()[v.Name] = strings.TrimSpace(m[1])
	}
	return nil
}

// ResolveAllRegex resolves every regex variable of the run's DS: a
// script reads the variables itself.
func ResolveAllRegex(ctx context.Context, run *engine.Run, dev Device) error {
	for _, v := range run.Sig.Variables {
		if v.Source == ds.SourceRegex {
			if err := ResolveRegex(ctx, run, dev, "${"+v.Name+"}"); err != nil {
				return err
			}
		}
	}
	return nil
}
