package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/daemon"
)

// Exit codes (SPEC §6).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// usageError is a mistake in the command line: exit 2 with the usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// env is what every command gets: streams, the global settings, and the
// process environment.
type env struct {
	ctx       context.Context
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	getenv    func(string) string
	now       func() time.Time // the wall clock; tests fix it
	uid       int              // the effective user id: root's default store differs
	daemon    *daemon.Daemon   // set when the command runs inside the daemon
	files     []control.File   // the files the command names, read by the CLI (command.attach)
	config    string           // --config, or "" for the default search
	bootflash string           // --bootflash
}

// command is one leaf of the command tree: the IOS words that name it, and
// the function that runs it with the remaining arguments.
type command struct {
	words []string // e.g. {"call-home", "diagnostic-signature", "install"}
	// live marks a command that acts on the daemon's state: when a daemon
	// runs, the command goes to it over the control socket.
	live    bool
	args    string // argument synopsis after the words
	summary string
	example string
	flags   func(fs *flag.FlagSet) // optional: declares the command's flags
	// attach, optional, reads the files the command names, in the CLI:
	// they go to the daemon with the command, which never opens a path a
	// user gave (relative to its own directory, or a named pipe that would
	// block it), and to run when no daemon runs.
	attach func(e *env, fs *flag.FlagSet, args []string) ([]control.File, error)
	// split, optional, cuts the attached files into the requests that
	// carry them to the daemon, each under control.MaxRequest; the command
	// runs once per request, in order, and stops at the first that fails.
	split func(files []control.File) [][]control.File
	run   func(e *env, fs *flag.FlagSet, args []string) error
}

func (c *command) name() string { return strings.Join(c.words, " ") }

// Main runs dsengine with the given arguments and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return run(&env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now, uid: os.Geteuid()}, args)
}

func run(e *env, args []string) int {
	stdout, stderr := e.stdout, e.stderr
	rest, err := e.globalFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "dsengine: %v\n", err)
		return exitUsage
	}
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" || rest[0] == "-help" {
		if len(rest) > 1 {
			if cmd, _ := lookup(rest[1:]); cmd != nil {
				printCommandHelp(stdout, cmd, nil)
				return exitOK
			}
		}
		printOverview(stdout)
		if len(rest) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, cmdArgs := lookup(rest)
	if cmd == nil {
		fmt.Fprintf(stderr, "dsengine: unknown command %q\n", strings.Join(rest, " "))
		if near := candidates(rest); len(near) > 0 {
			fmt.Fprintf(stderr, "did you mean one of:\n")
			for _, c := range near {
				fmt.Fprintf(stderr, "  dsengine %s %s\n", c.name(), c.args)
			}
		} else {
			fmt.Fprintf(stderr, "run 'dsengine help' for the list of commands\n")
		}
		return exitUsage
	}
	fs := flag.NewFlagSet("dsengine "+cmd.name(), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.config, "config", e.config, "configuration `FILE`")
	fs.StringVar(&e.bootflash, "bootflash", e.bootflash, "bootflash `DIR` (the store)")
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	positional, err := parseInterspersed(fs, cmdArgs)
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(stdout, cmd, fs)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "dsengine %s: %v\n", cmd.name(), err)
		printCommandHelp(stderr, cmd, fs)
		return exitUsage
	}
	if cmd.attach != nil && e.daemon == nil {
		if e.files, err = cmd.attach(e, fs, positional); err != nil {
			fmt.Fprintf(stderr, "dsengine %s: %v\n", cmd.name(), err)
			return exitFail
		}
	}
	if cmd.live && e.daemon == nil {
		if code, ok := e.forwardSplit(cmd, rest); ok {
			return code
		}
	}
	err = cmd.run(e, fs, positional)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "dsengine %s: %v\n", cmd.name(), err)
		printCommandHelp(stderr, cmd, fs)
		return exitUsage
	case errors.Is(err, errSilent):
		return exitFail
	default:
		fmt.Fprintf(stderr, "dsengine %s: %v\n", cmd.name(), err)
		return exitFail
	}
}

// errSilent fails a command whose output already said why.
var errSilent = errors.New("failed")

// globalFlags takes --config and --bootflash from before the command words.
func (e *env) globalFlags(args []string) ([]string, error) {
	for len(args) > 0 {
		a := args[0]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "config" && name != "bootflash") {
			return args, nil
		}
		if !hasValue {
			if len(args) < 2 {
				return nil, fmt.Errorf("flag %s needs a value", a)
			}
			value, args = args[1], args[1:]
		}
		args = args[1:]
		if name == "config" {
			e.config = value
		} else {
			e.bootflash = value
		}
	}
	return args, nil
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, as users type them; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// lookup finds the command whose words are the longest prefix of args.
func lookup(args []string) (*command, []string) {
	var best *command
	for i := range commands {
		c := &commands[i]
		if len(c.words) > len(args) || (best != nil && len(c.words) <= len(best.words)) {
			continue
		}
		match := true
		for j, w := range c.words {
			if args[j] != w {
				match = false
				break
			}
		}
		if match {
			best = c
		}
	}
	if best == nil {
		return nil, nil
	}
	return best, args[len(best.words):]
}

// candidates lists the commands that start with the words the user typed.
func candidates(args []string) []*command {
	var out []*command
	for n := len(args); n > 0 && len(out) == 0; n-- {
		for i := range commands {
			c := &commands[i]
			if len(c.words) < n {
				continue
			}
			if strings.Join(c.words[:n], " ") == strings.Join(args[:n], " ") {
				out = append(out, c)
			}
		}
	}
	return out
}

func printOverview(w io.Writer) {
	fmt.Fprintf(w, `dsengine - Diagnostic Signatures and EEM for a Linux host, with the IOS XE commands.

Usage: dsengine [--config FILE] [--bootflash DIR] COMMAND... [ARGS]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace(c.name()+" "+c.args), c.summary)
	}
	fmt.Fprintf(w, `
The configuration is read from --config, $DSENGINE_CONFIG, ./dsengine.conf or
/etc/dsengine/dsengine.conf; the store from --bootflash, $DSENGINE_BOOTFLASH,
else /var/lib/dsengine as root and $XDG_STATE_HOME/dsengine (~/.local/state/dsengine)
otherwise; 'run --demo' keeps its own in ~/.local/state/dsengine/demo.
'dsengine COMMAND... --help' shows a command's flags and an example.
`)
}

func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: dsengine %s\n\n%s\n", strings.TrimSpace(c.name()+" "+c.args), c.summary)
	if fs == nil {
		fs = flag.NewFlagSet(c.name(), flag.ContinueOnError)
		fs.String("config", "", "configuration `FILE`")
		fs.String("bootflash", "", "bootflash `DIR` (the store)")
		if c.flags != nil {
			c.flags(fs)
		}
	}
	fmt.Fprintf(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if c.example != "" {
		fmt.Fprintf(w, "\nExample:\n")
		for _, line := range strings.Split(strings.TrimSpace(c.example), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}

// configPath returns the configuration file to read: --config,
// $DSENGINE_CONFIG, ./dsengine.conf, then /etc/dsengine/dsengine.conf. The
// second result is false when none was named and none exists.
func (e *env) configPath() (string, bool) {
	if e.config != "" {
		return e.config, true
	}
	if p := e.getenv("DSENGINE_CONFIG"); p != "" {
		return p, true
	}
	for _, p := range []string{"dsengine.conf", "/etc/dsengine/dsengine.conf"} {
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}

// bootflashDir returns the store directory: --bootflash,
// $DSENGINE_BOOTFLASH, then the state directory (DefaultStateDir), never
// a directory of the source tree.
func (e *env) bootflashDir() string {
	if e.bootflash != "" {
		return e.bootflash
	}
	if p := e.getenv("DSENGINE_BOOTFLASH"); p != "" {
		return p
	}
	return defaultStateDir(e.getenv, e.uid)
}

// defaultStateDir is where dsengine keeps its store when none is named:
// /var/lib/dsengine as root, else the user's state directory.
func defaultStateDir(getenv func(string) string, uid int) string {
	if uid == 0 {
		return "/var/lib/dsengine"
	}
	return userStateDir(getenv)
}

// userStateDir is $XDG_STATE_HOME/dsengine, else
// ~/.local/state/dsengine: the demo's, whoever runs it.
func userStateDir(getenv func(string) string) string {
	if x := getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "dsengine")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return "/var/lib/dsengine"
	}
	return filepath.Join(home, ".local", "state", "dsengine")
}
