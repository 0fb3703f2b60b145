package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/vty"
)

// MaxVTY is how many vty sessions the daemon holds at once: IOS has 16
// vty lines (line vty 0 15).
const MaxVTY = 16

// vtyHost is the daemon as a vty acts on it.
type vtyHost struct{ d *Daemon }

var _ vty.Host = vtyHost{}

func (h vtyHost) Hostname() string { return lifecycle.HostOf(h.d.Config()).Hostname }

// Configure applies one line to the CURRENT running configuration, not a
// copy the session took, under the state lock: two vtys configuring at
// once each see the other's lines, and the last line wins.
func (h vtyHost) Configure(ctx context.Context, path vty.Path, line string) (vty.Path, error) {
	d := h.d
	ctx, release, err := d.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("refused: %s", stopReason(ctx))
	}
	defer release()
	cur := d.Config()
	next, after, err := d.opts.Modes.Apply(cur, path, line)
	if err != nil {
		return nil, err
	}
	if next != cur {
		if err := d.applyConfig(next); err != nil {
			return nil, err
		}
		d.log.Info("configured from a vty", "line", strings.TrimSpace(line))
	}
	return after, nil
}

// Save writes the running configuration to the configuration file,
// keeping the file's leading comment lines, atomically and under the
// state lock, so that two `write memory` never interleave.
func (h vtyHost) Save(ctx context.Context) error {
	d := h.d
	_, release, err := d.acquire(ctx)
	if err != nil {
		return fmt.Errorf("refused: %s", stopReason(ctx))
	}
	defer release()
	path := d.opts.ConfigPath
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: %w; the file is unchanged", path, err)
	}
	data := append(header(old), d.opts.Modes.Format(d.Config())...)
	data = append(data, "end\n"...)
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("%s: %w; the file is unchanged, check the directory's permissions and space", path, err)
	}
	d.log.Info("configuration saved", "file", path, "bytes", len(data))
	return nil
}

// header is the comment lines (`!`) at the top of a configuration file.
func header(data []byte) []byte {
	var out []byte
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("!")) {
			break
		}
		out = append(out, l...)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

// writeAtomic replaces path with data: a temporary file in the same
// directory, fsynced, renamed over path, the directory fsynced; the file
// keeps its mode.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly after the rename
	if _, err := f.Write(data); err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return err
	}
	if dh, err := os.Open(dir); err == nil {
		defer dh.Close()
		return dh.Sync()
	}
	return nil
}

func (h vtyHost) Commands() []vty.Command { return h.d.opts.VTYCommands }

func (h vtyHost) Exec(ctx context.Context, args []string) (string, int) {
	resp := h.d.do(ctx, control.Request{Args: args})
	return resp.Stdout + resp.Stderr, resp.Code
}

// gate runs the EEM `event cli` detectors on a command typed in a vty:
// skip yes blocks it, and a sync yes applet runs first, its $_exit_status
// deciding (0 skips the command, as in IOS).
func (d *Daemon) gate(ctx context.Context, command string) (string, bool) {
	run := true
	var out strings.Builder
	for _, v := range d.detect.hub.CLI(command) {
		if v.Skip {
			run = false
		}
		if v.Sync == nil {
			continue
		}
		res, err := d.runSync(ctx, *v.Sync)
		out.WriteString(res.Output)
		status, ok := res.Vars["_exit_status"]
		if !ok {
			status = strconv.Itoa(res.Exit)
		}
		if err != nil || strings.TrimSpace(status) == "0" {
			run = false
		}
		if err != nil {
			fmt.Fprintf(&out, "%% %v\n", err)
		}
	}
	return out.String(), run
}

// runSync runs the applet that owns f in the caller's goroutine and
// waits for it, with the vty's terminal (ctx) for gets and puts.
func (d *Daemon) runSync(ctx context.Context, f detect.Fired) (applet.Result, error) {
	name := strings.TrimPrefix(f.Owner, AppletOwnerPrefix)
	a := d.detect.applets
	ap := a.lookup(name)
	if ap == nil {
		return applet.Result{}, fmt.Errorf("applet %s is no longer registered; the command runs", name)
	}
	env := applet.Env{Vars: a.now().env, Event: detect.Builtins(f), Clock: d.clock}
	if t := vty.TerminalFrom(ctx); t != nil {
		env.Terminal = t
	}
	ctx = events.WithOrigin(ctx, events.Origin{Owner: f.Owner, Depth: 1})
	return a.runOne(ctx, ap, env)
}

// serveVTY runs one `dsengine cli` session on the control socket.
func (d *Daemon) serveVTY(ctx context.Context, c *control.Conn) {
	s := vty.New(vtyHost{d}, vty.Options{Help: d.opts.Modes.Help, Prompt: d.opts.Modes.Prompt, Gate: d.gate})
	ctx = vty.WithTerminal(ctx, vtyTerminal{c})
	code := 0
	for {
		if err := c.Send(control.Frame{Kind: control.FramePrompt, Text: s.Prompt(), Code: code}); err != nil {
			return
		}
		f, err := d.nextLine(c, s)
		if errors.Is(err, control.ErrFrameTooLong) {
			code = 1
			_ = c.Send(control.Frame{Kind: control.FrameOutput, Text: fmt.Sprintf("%% Line refused: over the %d bytes a vty line takes; split it.\n", vty.MaxLine)})
			continue
		}
		if err != nil {
			return
		}
		res := s.Line(ctx, f.Text)
		code = res.Code
		if res.Output != "" {
			if err := c.Send(control.Frame{Kind: control.FrameOutput, Text: res.Output}); err != nil {
				return
			}
		}
		if res.Exit {
			_ = c.Send(control.Frame{Kind: control.FrameExit})
			return
		}
	}
}

func items(cs []vty.Candidate) []control.Item {
	out := make([]control.Item, len(cs))
	for i, c := range cs {
		out[i] = control.Item{Word: c.Word, Help: c.Help}
	}
	return out
}

// nextLine answers help and completion requests until the client sends
// a line; they get no prompt after them.
func (d *Daemon) nextLine(c *control.Conn, s *vty.Session) (control.Frame, error) {
	for {
		f, err := c.Recv()
		if err != nil {
			return f, err
		}
		switch f.Kind {
		case control.FrameHelp:
			err = c.Send(control.Frame{Kind: control.FrameHelp, Items: items(s.Help(f.Text))})
		case control.FrameComplete:
			err = c.Send(control.Frame{Kind: control.FrameComplete, Text: s.Complete(f.Text)})
		default:
			return f, nil
		}
		if err != nil {
			return f, err
		}
	}
}

// vtyTerminal is a vty session's terminal, for an applet's gets and puts.
type vtyTerminal struct{ c *control.Conn }

// Gets asks the client for a line.
func (t vtyTerminal) Gets(ctx context.Context) (string, error) {
	if err := t.c.Send(control.Frame{Kind: control.FrameGets}); err != nil {
		return "", err
	}
	f, err := t.c.Recv()
	if err != nil {
		return "", fmt.Errorf("gets: the vty closed: %w", err)
	}
	return f.Text, nil
}

// Puts prints text on the client's terminal.
func (t vtyTerminal) Puts(ctx context.Context, text string) error {
	return t.c.Send(control.Frame{Kind: control.FrameOutput, Text: text})
}

// AppletSession is one applet run's vty for its `action cli` commands: it
// starts in user EXEC (HOST>), `enable` makes it privileged, and a command
// the vty does not know goes to other: the applet host's CLI, the
// executor with its command map.
type AppletSession struct {
	d *Daemon
	s *vty.Session
}

var _ applet.VTY = (*AppletSession)(nil)

// NewAppletSession returns the vty of one applet run.
func (d *Daemon) NewAppletSession(other func(ctx context.Context, command string) (string, error)) *AppletSession {
	a := &AppletSession{d: d}
	a.s = vty.New(vtyHost{d}, vty.Options{Help: d.opts.Modes.Help, Prompt: d.opts.Modes.Prompt, User: true, Other: other})
	return a
}

// CLI runs one command and returns what it printed; $_cli_result is that
// followed by Prompt, as IOS fills it. `event manager environment NAME
// VALUE` is a configuration line, applied at once, from exec mode too.
func (a *AppletSession) CLI(ctx context.Context, command string) (string, error) {
	var res vty.Result
	if f := strings.Fields(command); !a.s.InConfig() && len(f) > 2 && f[0] == "event" && f[1] == "manager" && f[2] == "environment" {
		if _, err := (vtyHost{a.d}).Configure(ctx, nil, command); err != nil {
			res.Output = "% " + err.Error() + "\n"
		}
	} else {
		res = a.s.Line(ctx, command)
	}
	return res.Output, nil
}

// Prompt is the session's prompt.
func (a *AppletSession) Prompt() string { return a.s.Prompt() }
