package message

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/syslog"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/internal/english"
)

// MaxText caps a message: syslog relays cut longer lines anyway.
const MaxText = 4096

// MaxLine caps every syslog line the engine logs (a DS's message, a
// script's action_syslog, an applet's syslog): a longer one is cut, and
// ends "… (N bytes cut)".
const MaxLine = 4096

// CapLine names the line cap to Options.OnCap.
const CapLine = "log-line"

// Options configure a Messenger.
type Options struct {
	// Syslog writes an entry to the local syslog; nil uses the system
	// logger (/dev/log) when there is one.
	Syslog func(sev ds.Severity, line string) error
	// Echo receives every syslog entry as the engine logged it, with the
	// origin of the run that logged it, so other DS and applets can match
	// the engine's own messages, as IOS EEM matches lines in the logging
	// buffer. May be nil.
	Echo func(sev ds.Severity, line string, from events.Origin)
	// OnCap, when set, is called with CapLine for each line cut at
	// MaxLine.
	OnCap func(cap string)
	// Wall is the broadcast program; default "wall".
	Wall string
	// Timeout bounds a broadcast; default 10s.
	Timeout time.Duration
}

// Messenger runs message actions.
type Messenger struct {
	opts Options

	mu     sync.Mutex
	system *syslog.Writer // lazily dialled system logger
}

// New returns a Messenger.
func New(opts Options) *Messenger {
	if opts.Wall == "" {
		opts.Wall = "wall"
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	return &Messenger{opts: opts}
}

// Line formats a syslog entry the way IOS writes a DS message.
func Line(sev ds.Severity, text string) string {
	if sev < 0 || sev > 7 {
		sev = 5
	}
	return fmt.Sprintf("%%DS-%d-MSG: %s", sev, oneLine(text))
}

// Action is the message action.
type Action struct{}

// Run renders the text and sends it where the action says: "syslog" (the
// default) or "terminals".
func (Action) Run(ctx context.Context, run *engine.Run, a ds.Action, dev action.Device) (string, error) {
	text, err := action.Render(ctx, run, dev, string(a.Type), a.Text)
	if err != nil {
		return "", err
	}
	text = strings.TrimSpace(text)
	text = english.Cut(text, MaxText)
	switch a.To {
	case "", "syslog":
		res, err := dev.Log(ctx, a.Severity, Line(a.Severity, text))
		if err != nil {
			return "", fmt.Errorf("message to syslog: %w", err)
		}
		return res, nil
	case "terminals":
		res, err := dev.Broadcast(ctx, text)
		if err != nil {
			return "", fmt.Errorf("message to terminals: %w", err)
		}
		return res, nil
	}
	return "", fmt.Errorf("message: unknown destination %q; expected syslog or terminals", a.To)
}

// Broadcast writes text to the logged-in terminals with wall(1).
func (m *Messenger) Broadcast(ctx context.Context, text string) error { return m.wall(ctx, text) }

// Log writes a ready-made syslog line (a DS message, a script's
// action_syslog, an applet's syslog action) to the local syslog and to
// Echo, cut at MaxLine; Echo gets the origin of ctx's run
// (events.OriginFrom).
func (m *Messenger) Log(ctx context.Context, sev ds.Severity, line string) error {
	if len(line) > MaxLine {
		line = english.Cut(line, MaxLine)
		if m.opts.OnCap != nil {
			m.opts.OnCap(CapLine)
		}
	}
	line = oneLine(line)
	if m.opts.Echo != nil {
		m.opts.Echo(sev, line, events.OriginFrom(ctx))
	}
	return m.syslog(sev, line)
}

func (m *Messenger) syslog(sev ds.Severity, line string) error {
	if m.opts.Syslog != nil {
		return m.opts.Syslog(sev, line)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.system == nil {
		w, err := syslog.New(syslog.LOG_LOCAL7|syslog.LOG_NOTICE, "dsengine")
		if err != nil {
			// No system logger on this host: the entry is still in the
			// engine's own log (Echo), which is where an operator looks.
			return nil
		}
		m.system = w
	}
	write := map[ds.Severity]func(string) error{
		0: m.system.Emerg, 1: m.system.Alert, 2: m.system.Crit, 3: m.system.Err,
		4: m.system.Warning, 5: m.system.Notice, 6: m.system.Info, 7: m.system.Debug,
	}[sev]
	if write == nil {
		write = m.system.Notice
	}
	return write(line)
}

// wall broadcasts text on wall's standard input: given as an argument, a
// text that names a readable file would broadcast that file instead.
func (m *Messenger) wall(ctx context.Context, text string) error {
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, m.opts.Wall)
	cmd.Stdin = strings.NewReader(text + "\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%s did not finish within %s", m.opts.Wall, m.opts.Timeout)
		}
		return fmt.Errorf("%s: %v: %s", m.opts.Wall, err, strings.TrimSpace(out.String()))
	}
	return nil
}

// Close releases the system logger.
func (m *Messenger) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.system != nil {
		return m.system.Close()
	}
	return nil
}

// oneLine keeps a syslog entry on one line: a newline would start a new,
// forged message at the receiver.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r < 0x20 && r != '\t' {
			return ' '
		}
		return r
	}, s)
}
