package actions

import (
	"context"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/internal/english"
)

// TestDevice is the device the dry run's call-home messages describe: a
// replay runs offline, away from the device the DS will run on.
var TestDevice = callhome.Device{Product: "dsengine", BuilderVersion: callhome.AMLBuilderVersion, Brand: callhome.DeviceBrand,
	Series: callhome.DeviceSeries, PID: "Linux", Serial: "DSTEST", SoftwareVersion: Version}

// Dry is the device of `ds test`: commands answer from canned outputs,
// and everything else says what it would do, composed exactly as the
// daemon would (the call-home message is rendered), without side effects.
type Dry struct {
	// Exec answers commands (a sim executor over --device); nil answers
	// every command with no output.
	Exec executor.Executor
	// Config is the configuration whose DS profile the call-home messages
	// are composed for; nil means the defaults.
	Config *config.Config
	// Notify composes the call-home messages and enqueues nothing.
	Notify *notify.Notifier

	// Contexts are capped as the daemon's are.
	Contexts Contexts

	values map[string]string
}

var _ action.Device = (*Dry)(nil)

// Command answers from the canned outputs.
func (d *Dry) Command(ctx context.Context, command string) (string, error) {
	if d.Exec == nil {
		return "", nil
	}
	out, err := d.Exec.Run(ctx, command)
	return out.Text, err
}

// Log says what it would log.
func (d *Dry) Log(ctx context.Context, sev ds.Severity, line string) (string, error) {
	return "would log " + line, nil
}

// Broadcast says what it would broadcast.
func (d *Dry) Broadcast(ctx context.Context, text string) (string, error) {
	return "would broadcast to terminals: " + text, nil
}

// Mail says what it would mail.
func (d *Dry) Mail(ctx context.Context, m action.Mail) (string, error) {
	return fmt.Sprintf("would mail %s: %q (%d bytes)", strings.Join(m.To, ", "), m.Subject, len(m.Body)), nil
}

// CallHome composes the message the daemon would send to the DS profile
// (a profile with the defaults when the configuration has none).
func (d *Dry) CallHome(ctx context.Context, m *callhome.Message) (string, error) {
	cfg := d.Config
	if cfg == nil {
		cfg = config.Default()
	}
	p := cfg.DSProfile()
	if p == nil {
		p = config.NewProfile("", 0)
	}
	msg, err := d.Notify.Compose(cfg, p, m, "")
	if err != nil {
		return "", fmt.Errorf("call-home: %w", err)
	}
	return fmt.Sprintf("would send %s/%s (%s, %d bytes, %s)", m.Type, m.SubType, notify.Format(p), len(msg.Body),
		english.Plural(len(m.Attachments), "attachment")), nil
}

// Value reads a value kept during the dry run.
func (d *Dry) Value(ctx context.Context, key string) (string, bool, error) {
	v, ok := d.values[key]
	return v, ok, nil
}

// SetValue keeps a value for the rest of the dry run.
func (d *Dry) SetValue(ctx context.Context, key, value string) error {
	if d.values == nil {
		d.values = map[string]string{}
	}
	d.values[key] = value
	return nil
}

// SaveContext keeps variables for the rest of the dry run, within the
// daemon's caps.
func (d *Dry) SaveContext(ctx context.Context, name string, v map[string]string) error {
	return d.Contexts.Save(ctx, name, v)
}

// RetrieveContext returns saved variables once.
func (d *Dry) RetrieveContext(ctx context.Context, name string) (map[string]string, bool, error) {
	v, ok := d.Contexts.Retrieve(name)
	return v, ok, nil
}
