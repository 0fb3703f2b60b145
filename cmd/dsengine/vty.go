package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/vty"
	"golang.org/x/term"
)

func cliFlags(fs *flag.FlagSet) {
	fs.String("c", "", "run one exec `COMMAND` and exit with its status")
}

// vtyCommands are the commands of the table a vty offers: those that act
// on the running daemon (SPEC §6's IOS commands).
func vtyCommands() []vty.Command {
	var out []vty.Command
	for _, c := range commands {
		if c.live {
			out = append(out, vty.Command{Words: c.words, Args: c.args, Summary: c.summary})
		}
	}
	return out
}

// runCLI is `dsengine cli`: a vty session on the running daemon, in the
// terminal (line editing, history, ? and Tab) or, from a pipe, a line at
// a time; with -c, one command.
func runCLI(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("cli takes no arguments; quote a command for -c")
	}
	one := fs.Lookup("c").Value.String()
	c, err := control.Open(e.ctx, e.socketPath(), control.SessionVTY)
	if errors.Is(err, control.ErrNoDaemon) {
		return fmt.Errorf("no daemon answers on %s; start one with `dsengine run`", e.socketPath())
	}
	if err != nil {
		return err
	}
	defer c.Close()
	// Ctrl-C of a -c command, or the end of the process, closes the session.
	stop := context.AfterFunc(e.ctx, func() { c.Close() })
	defer stop()
	var in lineReader
	if one != "" {
		in = &oneLine{line: one, w: e.stdout}
	} else if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		t, restore, err := newTerminal(f, e.stdout, c)
		if err != nil {
			return err
		}
		defer restore()
		in = t
	} else {
		in = &pipeLines{r: bufio.NewReader(e.stdin), w: e.stdout}
	}
	code, err := session(c, in, e.stdout, e.stderr)
	if err != nil {
		return err
	}
	if code != 0 {
		return errSilent
	}
	return nil
}

// lineReader is where the session's lines come from.
type lineReader interface {
	// readLine returns the next line typed after prompt; io.EOF ends.
	readLine(prompt string) (string, error)
	// write prints the daemon's output.
	write(text string)
}

// session runs the frames of a vty session and returns the exit status:
// the last command's with -c, else 0.
func session(c *control.Conn, in lineReader, stdout, stderr io.Writer) (int, error) {
	_, isOne := in.(*oneLine)
	code := 0
	for {
		f, err := c.Recv()
		if err != nil {
			return 1, fmt.Errorf("the daemon closed the session: %w", err)
		}
		switch f.Kind {
		case control.FrameOutput:
			in.write(f.Text)
		case control.FrameExit:
			if f.Text != "" {
				fmt.Fprint(stderr, f.Text)
			}
			if isOne {
				return code, nil
			}
			return f.Code, nil
		case control.FramePrompt, control.FrameGets:
			if f.Kind == control.FramePrompt {
				code = f.Code
			}
			line, err := in.readLine(f.Text)
			if errors.Is(err, io.EOF) {
				if f.Kind == control.FramePrompt && isOne {
					return code, nil
				}
				line = "exit"
			} else if err != nil {
				return 1, err
			}
			if err := c.Send(control.Frame{Kind: control.FrameLine, Text: line}); err != nil {
				return 1, fmt.Errorf("the daemon closed the session: %w", err)
			}
		}
	}
}

// oneLine is -c: one line, then EOF.
type oneLine struct {
	line string
	sent bool
	w    io.Writer
}

func (o *oneLine) readLine(string) (string, error) {
	if o.sent {
		return "", io.EOF
	}
	o.sent = true
	return o.line, nil
}

func (o *oneLine) write(text string) { fmt.Fprint(o.w, text) }

// pipeLines reads lines from a pipe, without editing, and echoes each
// after its prompt so that a transcript reads as a session.
type pipeLines struct {
	r *bufio.Reader
	w io.Writer
}

func (p *pipeLines) readLine(prompt string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	fmt.Fprintf(p.w, "%s%s\n", prompt, line)
	return line, nil
}

func (p *pipeLines) write(text string) { fmt.Fprint(p.w, text) }

// vtyTerm is a terminal in raw mode: line editing, history, and ? and Tab
// answered by the daemon from its command table and modes.
type vtyTerm struct {
	t      *term.Terminal
	c      *control.Conn
	prompt string
}

func newTerminal(in *os.File, out io.Writer, c *control.Conn) (*vtyTerm, func(), error) {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, nil, fmt.Errorf("terminal: %w", err)
	}
	v := &vtyTerm{t: term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, out}, ""), c: c}
	if w, h, err := term.GetSize(fd); err == nil {
		_ = v.t.SetSize(w, h)
	}
	v.t.AutoCompleteCallback = v.complete
	return v, func() { _ = term.Restore(fd, old) }, nil
}

func (v *vtyTerm) readLine(prompt string) (string, error) {
	v.prompt = prompt
	v.t.SetPrompt(prompt)
	return v.t.ReadLine()
}

func (v *vtyTerm) write(text string) { _, _ = v.t.Write([]byte(text)) }

// complete answers ? with the daemon's help list, the line shown again
// under it as IOS does, and Tab with the completed word.
func (v *vtyTerm) complete(line string, pos int, key rune) (string, int, bool) {
	switch key {
	case '?':
		if strings.Count(line[:pos], `"`)%2 == 1 {
			return "", 0, false // inside a quoted string, a ? is text
		}
		if err := v.c.Send(control.Frame{Kind: control.FrameHelp, Text: line[:pos]}); err != nil {
			return line, pos, true
		}
		f, err := v.c.Recv()
		if err != nil {
			return line, pos, true
		}
		cands := make([]vty.Candidate, len(f.Items))
		for i, it := range f.Items {
			cands[i] = vty.Candidate{Word: it.Word, Help: it.Help}
		}
		v.write(v.prompt + line + "?\n" + vty.FormatHelp(cands) + "\n")
		return line, pos, true
	case '\t':
		if err := v.c.Send(control.Frame{Kind: control.FrameComplete, Text: line[:pos]}); err != nil {
			return line, pos, true
		}
		f, err := v.c.Recv()
		if err != nil {
			return line, pos, true
		}
		return f.Text + line[pos:], len(f.Text), true
	}
	return "", 0, false
}
