package actions

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/script"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"golang.org/x/sys/unix"
)

// Version is what the host reports as its software version.
const Version = "dsengine 0.1"

// HostDevice describes this Linux host the way a Call Home message
// describes a device: PID "Linux", the machine id as serial number, and
// the kernel as hardware and system description.
func HostDevice() callhome.Device {
	d := callhome.Device{Product: "dsengine", BuilderVersion: callhome.AMLBuilderVersion, Brand: "Linux",
		Series: "Linux host", PID: "Linux", SoftwareVersion: Version}
	if id, err := os.ReadFile("/etc/machine-id"); err == nil {
		d.Serial = strings.TrimSpace(string(id))
	}
	if d.Serial == "" {
		d.Serial = "unknown"
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		sys, rel, mach := unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:])
		d.HardwareVersion = mach
		d.SystemDescription = strings.Join([]string{sys, rel, mach}, " ")
	}
	return d
}

// DSMessage is the call-home message of a DS run: type
// diagnostic-signature, subtype the DS id, the command outputs attached.
// The sender (customer, device), its number and its creation time are
// left to notify.Notifier.Compose.
func DSMessage(run *engine.Run) *callhome.Message {
	desc := run.Sig.Name
	if n := len(run.Trigger.Events); n > 0 && run.Trigger.Events[n-1].Text != "" {
		desc = run.Trigger.Events[n-1].Text
	}
	m := &callhome.Message{
		Type: callhome.TypeDiagnosticSignature, SubType: run.Sig.ID, Name: run.Sig.Name,
		Severity: config.SeverityNotification, EventTime: run.Trigger.Time, Description: desc,
	}
	for _, o := range run.Outputs {
		out := o.Output
		if o.Err != "" {
			out += "\n*** " + o.Err + " ***\n"
		}
		m.Attachments = append(m.Attachments, callhome.Attachment{Command: o.Command, Output: out})
	}
	return m
}

// ScriptEnv is what a script of the run sees: the variables and the events
// that triggered it.
func ScriptEnv(run *engine.Run) script.Env {
	env := script.Env{Vars: run.Values}
	for i, ev := range run.Trigger.Events {
		info := script.EventInfo{ID: i + 1, Tag: ev.ID, Type: ev.Type, Time: ev.Time, Msg: ev.Text, Fields: ev.Info}
		env.Events = append(env.Events, info)
		env.Event = info
	}
	return env
}

// ScriptName names a script action in errors: "<ds id>#<action number>".
func ScriptName(run *engine.Run, a ds.Action) string {
	for i := range run.Sig.Actions {
		if run.Sig.Actions[i] == a {
			return run.Sig.ID + "#" + strconv.Itoa(i+1)
		}
	}
	return run.Sig.ID
}

// Session is a script's CLI session on an executor (cli_open).
type Session struct{ Executor executor.Executor }

// Exec runs one command (cli_exec).
func (s Session) Exec(ctx context.Context, cmd string) (string, error) {
	out, err := s.Executor.Run(ctx, cmd)
	return out.Text, err
}

// Close ends the session; the executor stays open for other runs.
func (Session) Close() error { return nil }
