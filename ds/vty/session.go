package vty

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxLine is the longest line a vty takes, in bytes.
const MaxLine = 4096

// Host is what a session acts on: the daemon.
type Host interface {
	// Hostname is the device's name, the start of every prompt.
	Hostname() string
	// Configure applies one configuration line in mode path to the
	// running configuration and returns the mode after it; a refused
	// line is an *InputError.
	Configure(ctx context.Context, path Path, line string) (Path, error)
	// Save writes the running configuration to the configuration file.
	Save(ctx context.Context) error
	// Commands are the exec commands of the command table.
	Commands() []Command
	// Exec runs one command of the table and returns what it printed and
	// its exit code.
	Exec(ctx context.Context, args []string) (string, int)
}

// Options are a session's settings.
type Options struct {
	// Help is the configuration modes' help (Modes.Help) and Prompt their
	// prompts (Modes.Prompt).
	Help   func(path Path, typed string) []Candidate
	Prompt func(path Path) string
	// User starts the session in user EXEC mode (HOST>), as an applet's
	// `action cli` starts; else it starts privileged (HOST#), the daemon's
	// user being privileged already.
	User bool
	// Gate, optional, is asked before each typed command runs (EEM
	// `event cli`): run false blocks it; out is printed first.
	Gate func(ctx context.Context, command string) (out string, run bool)
	// Other, optional, runs an exec command the vty does not know (an
	// applet's commands go to the executor's command map); without it such
	// a command is invalid input.
	Other func(ctx context.Context, command string) (string, error)
}

// Session is one vty: its mode and what it runs commands on. It is used
// by one goroutine at a time.
type Session struct {
	host       Host
	opt        Options
	privileged bool
	config     bool // in a configuration mode
	path       Path
}

// New returns a session in exec mode.
func New(host Host, opt Options) *Session {
	if opt.Prompt == nil {
		opt.Prompt = func(Path) string { return "config" }
	}
	if opt.Help == nil {
		opt.Help = func(Path, string) []Candidate { return nil }
	}
	return &Session{host: host, opt: opt, privileged: !opt.User}
}

// Prompt is the prompt for the next line: HOST#, HOST>, HOST(config)#, ...
func (s *Session) Prompt() string {
	h := s.host.Hostname()
	switch {
	case s.config:
		return h + "(" + s.opt.Prompt(s.path) + ")#"
	case s.privileged:
		return h + "#"
	}
	return h + ">"
}

// InConfig says whether the session is in a configuration mode.
func (s *Session) InConfig() bool { return s.config }

// Result is what one line did.
type Result struct {
	Output string
	Code   int  // 0, or 1 when the line was refused or its command failed
	Exit   bool // the session ends (exit, logout)
}

// Line runs one typed line and returns what it printed. A refused word is
// marked with `^` under it, counted from the start of the prompt the line
// was typed after.
func (s *Session) Line(ctx context.Context, line string) Result {
	prompt := s.Prompt()
	if len(line) > MaxLine {
		return Result{Output: fmt.Sprintf("%% Line refused: %d bytes, over the %d a vty line takes; split it.\n", len(line), MaxLine), Code: 1}
	}
	line = strings.TrimRight(line, " \t\r\n")
	if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "!") {
		return Result{}
	}
	if s.config {
		return s.configLine(ctx, prompt, line)
	}
	return s.execLine(ctx, prompt, line)
}

// execCommands are the exec commands of this mode: the vty's own and the
// host's table (privileged), or those but configure, write and copy (user).
func (s *Session) execCommands() []Command {
	cmds := append(slices.Clone(builtins), s.host.Commands()...)
	if s.privileged {
		return cmds
	}
	return slices.DeleteFunc(cmds, func(c Command) bool {
		switch c.Words[0] {
		case "configure", "write", "copy", "disable":
			return true
		}
		return false
	})
}

func (s *Session) execLine(ctx context.Context, prompt, line string) Result {
	toks := split(line)
	r := resolve(s.execCommands(), toks)
	if r.cmd == nil {
		if s.opt.Other != nil && !r.ambiguous {
			return s.other(ctx, strings.TrimSpace(line))
		}
		return invalid(prompt, line, toks, r)
	}
	name := strings.Join(r.cmd.Words, " ")
	args := make([]string, len(r.args))
	for i, t := range r.args {
		args[i] = t.text
	}
	command := strings.TrimSpace(name + " " + strings.Join(args, " "))
	out, run := s.gate(ctx, command)
	if !run {
		return skipped(out)
	}
	return after(out, s.exec(ctx, r.cmd, name, args))
}

// exec runs a resolved exec command.
func (s *Session) exec(ctx context.Context, cmd *Command, name string, args []string) Result {
	switch name {
	case "configure terminal":
		s.config, s.path = true, nil
		return Result{Output: "Enter configuration commands, one per line.  End with CNTL/Z.\n"}
	case "write memory", "copy running-config startup-config":
		if err := s.host.Save(ctx); err != nil {
			return Result{Output: fmt.Sprintf("Building configuration...\n%% %v\n", err), Code: 1}
		}
		return Result{Output: "Building configuration...\n[OK]\n"}
	case "enable":
		s.privileged = true
		return Result{}
	case "disable":
		s.privileged = false
		return Result{}
	case "terminal length":
		if len(args) != 1 {
			return Result{Output: "% Incomplete command.\n", Code: 1}
		}
		return Result{}
	case "exit", "quit", "logout":
		return Result{Exit: true}
	}
	out, code := s.host.Exec(ctx, append(slices.Clone(cmd.Words), args...))
	if code != 0 {
		code = 1
	}
	return Result{Output: out, Code: code}
}

// other runs a command the vty does not know with Options.Other.
func (s *Session) other(ctx context.Context, command string) Result {
	out, err := s.opt.Other(ctx, command)
	if err != nil {
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		return Result{Output: out + "% " + err.Error() + "\n", Code: 1}
	}
	return Result{Output: out}
}

// gate asks Options.Gate about command: what its applets printed, and
// whether the command runs.
func (s *Session) gate(ctx context.Context, command string) (string, bool) {
	if s.opt.Gate == nil {
		return "", true
	}
	return s.opt.Gate(ctx, command)
}

// skipped is the answer to a command an applet blocked.
func skipped(out string) Result {
	return Result{Output: out + "% Command skipped by an EEM applet (event cli).\n", Code: 1}
}

// after puts what the gate's applets printed before a result.
func after(out string, r Result) Result {
	r.Output = out + r.Output
	return r
}

// invalid is IOS's answer to a line no command takes.
func invalid(prompt, line string, toks []token, r resolved) Result {
	switch {
	case r.ambiguous:
		return Result{Output: fmt.Sprintf("%% Ambiguous command:  %q\n", line), Code: 1}
	case r.bad >= len(toks):
		return Result{Output: "% Incomplete command.\n", Code: 1}
	}
	return Result{Output: Marker(prompt, toks[r.bad].col, ""), Code: 1}
}

// Marker is IOS's `^` under the refused word of a line typed after
// prompt, col bytes into the line, then msg (ours, saying what is wrong)
// when there is one.
func Marker(prompt string, col int, msg string) string {
	col = max(col, 0)
	out := strings.Repeat(" ", len(prompt)+col) + "^\n% Invalid input detected at '^' marker.\n"
	if msg != "" {
		out += "% " + msg + "\n"
	}
	return out
}

func (s *Session) configLine(ctx context.Context, prompt, line string) Result {
	word := strings.ToLower(strings.TrimSpace(line))
	switch {
	case word == "end":
		s.config, s.path = false, nil
		return Result{}
	case word == "exit" && len(s.path) == 0:
		s.config = false
		return Result{}
	case word == "exit":
		s.path = s.path[:len(s.path)-1]
		return Result{}
	case strings.HasPrefix(word, "do "):
		// `do COMMAND` runs an exec command from a configuration mode.
		at := strings.Index(line, "do ") + len("do ")
		res := s.execLine(ctx, prompt+strings.Repeat(" ", at), line[at:])
		res.Exit = false
		return res
	}
	out, run := s.gate(ctx, strings.TrimSpace(line))
	if !run {
		return skipped(out)
	}
	path, err := s.host.Configure(ctx, s.path, line)
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		return Result{Output: out + Marker(prompt, ie.Col, ie.Msg), Code: 1}
	case err != nil:
		return Result{Output: out + "% " + err.Error() + "\n", Code: 1}
	}
	s.path = path
	return Result{Output: out}
}

// Help lists what may follow typed, for `?`: the words the last partial
// word may become, or, after a blank, the next words.
func (s *Session) Help(typed string) []Candidate {
	if s.config {
		return s.opt.Help(s.path, typed)
	}
	toks, prefix := splitTyped(typed)
	out := nextWords(s.execCommands(), toks, prefix)
	slices.SortStableFunc(out, func(a, b Candidate) int {
		// IOS lists the words in order, the arguments and <cr> last.
		switch ak, bk := strings.HasPrefix(a.Word, "<") || strings.HasPrefix(a.Word, "["), strings.HasPrefix(b.Word, "<") || strings.HasPrefix(b.Word, "["); {
		case ak || bk:
			return 0
		}
		return strings.Compare(a.Word, b.Word)
	})
	return out
}

// splitTyped is typed's complete words and the partial word at its end.
func splitTyped(typed string) ([]token, string) {
	toks := split(typed)
	if len(toks) == 0 || strings.HasSuffix(typed, " ") {
		return toks, ""
	}
	return toks[:len(toks)-1], toks[len(toks)-1].text
}

// Complete is typed with its last word completed, for Tab, when only one
// word fits; else typed unchanged.
func (s *Session) Complete(typed string) string {
	_, prefix := splitTyped(typed)
	if prefix == "" {
		return typed
	}
	var fit []string
	for _, c := range s.Help(typed) {
		if !strings.HasPrefix(c.Word, "<") && strings.HasPrefix(c.Word, strings.ToLower(prefix)) && !slices.Contains(fit, c.Word) {
			fit = append(fit, c.Word)
		}
	}
	if len(fit) != 1 {
		return typed
	}
	return typed[:len(typed)-len(prefix)] + fit[0] + " "
}

// FormatHelp prints candidates as IOS lists them after `?`.
func FormatHelp(cands []Candidate) string {
	if len(cands) == 0 {
		return "% Unrecognized command\n"
	}
	width := 0
	for _, c := range cands {
		width = max(width, len(c.Word))
	}
	var b strings.Builder
	for _, c := range cands {
		if c.Help == "" {
			fmt.Fprintf(&b, "  %s\n", c.Word)
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Word, c.Help)
	}
	return b.String()
}
