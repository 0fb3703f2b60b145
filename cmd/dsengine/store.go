package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/show"
	"github.com/dsengine/dsengine/ds/verify"
	"golang.org/x/term"
)

// openStore opens the bootflash store with the configuration's trusted
// keys, and the lifecycle manager over it.
func (e *env) openStore(cfg *config.Config, readOnly bool) (*bootflash.Store, *lifecycle.Manager, error) {
	if e.daemon != nil {
		// Inside the daemon: its store, which it keeps open.
		store, mgr := e.daemon.Store()
		return store, mgr, nil
	}
	var paths []string
	for _, k := range cfg.DiagnosticSignature.TrustKeys {
		paths = append(paths, k.Path)
	}
	keys, err := verify.LoadKeyring(paths...)
	if err != nil {
		return nil, nil, err
	}
	now := e.now
	check := lifecycle.Checker(keys, now)
	dir := e.bootflashDir()
	store, err := bootflash.Open(dir, bootflash.Options{Check: check, Now: now, ReadOnly: readOnly})
	if err != nil {
		return nil, nil, fmt.Errorf("bootflash %s: %w", dir, err)
	}
	for _, w := range store.Warnings() {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	mgr := lifecycle.New(store, check, lifecycle.HostOf(cfg), cfg.DiagnosticSignature.Environment.Map(), now)
	return store, mgr, nil
}

// withStore runs fn with the configuration and the store (the daemon's,
// inside the daemon), closing a store it opened.
func (e *env) withStore(readOnly bool, fn func(cfg *config.Config, store *bootflash.Store, mgr *lifecycle.Manager) error) error {
	cfg, err := e.currentConfig()
	if err != nil {
		return err
	}
	store, mgr, err := e.openStore(cfg, readOnly)
	if err != nil {
		return err
	}
	defer e.closeStore(store)
	return fn(cfg, store, mgr)
}

// closeStore closes a store the command opened; the daemon's stays open.
func (e *env) closeStore(s *bootflash.Store) {
	if e.daemon == nil {
		s.Close()
	}
}

// setFlag collects repeated --set ds_x=value flags.
type setFlag map[string]string

func (s setFlag) String() string { return "" }
func (s setFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || !strings.HasPrefix(name, "ds_") {
		return fmt.Errorf("--set takes ds_name=value, not %q", v)
	}
	s[name] = value
	return nil
}

func installFlags(fs *flag.FlagSet) {
	fs.String("file", "", "install a local signed DS `PATH` (PATH.asc beside it) instead of a downloaded one")
	fs.Var(setFlag{}, "set", "answer a prompt variable: `ds_x=value` (repeatable)")
}

// attachInstall reads the DS file of `install --file PATH` and its
// signature, in the CLI, to send them with the command.
func attachInstall(_ *env, fs *flag.FlagSet, _ []string) ([]control.File, error) {
	path := fs.Lookup("file").Value.String()
	if path == "" {
		return nil, nil
	}
	f, err := lifecycle.ReadFile(path)
	if err != nil {
		return nil, err
	}
	files := []control.File{{Path: path, Data: f.XML}}
	if f.ASC != nil {
		files = append(files, control.File{Path: path + ".asc", Data: f.ASC})
	}
	return files, nil
}

// attached is the DS file path and its signature as attachInstall read
// them (in the CLI, or sent to the daemon).
func (e *env) attached(path string) (lifecycle.File, error) {
	f := lifecycle.File{Name: path}
	found := false
	for _, a := range e.files {
		switch a.Path {
		case path:
			f.XML, found = a.Data, true
		case path + ".asc":
			f.ASC = a.Data
		}
	}
	if !found {
		return f, fmt.Errorf("%s did not come with the command: the daemon never opens a path named on the command line; run `dsengine call-home diagnostic-signature install ID --file %s`, which reads the file and sends it", path, path)
	}
	return f, nil
}

func runInstall(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("name one DS id")
	}
	id := args[0]
	file := fs.Lookup("file").Value.String()
	answers := map[string]string(fs.Lookup("set").Value.(setFlag))
	return e.withStore(false, func(cfg *config.Config, store *bootflash.Store, mgr *lifecycle.Manager) error {
		var notes []string
		ask := e.promptAsker(&notes)
		var res lifecycle.Result
		var err error
		if file != "" {
			var f lifecycle.File
			if f, err = e.attached(file); err == nil {
				res, err = mgr.InstallContent(f, answers, ask)
			}
			if err == nil && res.ID != id {
				err = fmt.Errorf("%s holds DS %s, not %s", file, res.ID, id)
			}
		} else {
			res, err = mgr.Install(id, answers, ask)
		}
		if err != nil {
			return err
		}
		switch res.Status {
		case ds.StatusPending:
			fmt.Fprintf(e.stdout, "DS %s installed, pending:\n", res.ID)
			for _, m := range res.Missing {
				fmt.Fprintf(e.stdout, "  %s\n", m)
			}
		case ds.StatusFailed:
			fmt.Fprintf(e.stdout, "DS %s installed, failed: %s\n", res.ID, res.Reason)
		default:
			fmt.Fprintf(e.stdout, "DS %s installed, %s\n", res.ID, res.Status)
		}
		for _, n := range notes {
			fmt.Fprintf(e.stdout, "  %s\n", n)
		}
		if res.Status == ds.StatusFailed {
			return errSilent
		}
		return nil
	})
}

// promptAsker asks prompt variables on the terminal. Without one (a
// script, the daemon), a prompt takes its default, noted for the output,
// and one without a default stays unanswered (the DS pending).
func (e *env) promptAsker(notes *[]string) lifecycle.Asker {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func(v ds.Variable) (string, error) {
			if v.Default == "" {
				return "", lifecycle.ErrNoAnswer
			}
			*notes = append(*notes, fmt.Sprintf("prompt variable %s takes its default %q (no terminal to ask); answer it with --set %s=VALUE",
				v.Name, v.Default, v.Name))
			return v.Default, nil
		}
	}
	in := bufio.NewReader(f)
	return func(v ds.Variable) (string, error) {
		prompt := v.Prompt
		if prompt == "" {
			prompt = v.Name
		}
		fmt.Fprintf(e.stdout, "%s [%s]: ", prompt, v.Default)
		line, err := in.ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			return v.Default, nil
		}
		return line, nil
	}
}

func runDeinstall(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("name one DS id, or all")
	}
	return e.withStore(false, func(cfg *config.Config, store *bootflash.Store, mgr *lifecycle.Manager) error {
		removed, err := mgr.Deinstall(args[0])
		for _, id := range removed {
			fmt.Fprintf(e.stdout, "DS %s deinstalled\n", id)
		}
		if err == nil && len(removed) == 0 {
			fmt.Fprintln(e.stdout, "no DS installed")
		}
		return err
	})
}

func runShowDS(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) != 0 && len(args) != 2 {
		return usagef("give no argument, or an id and one of: %s", strings.Join(show.Views, ", "))
	}
	return e.withStore(true, func(cfg *config.Config, store *bootflash.Store, _ *lifecycle.Manager) error {
		if len(args) == 0 {
			show.Settings(e.stdout, cfg, store.List())
			return nil
		}
		id, view := args[0], args[1]
		entry, ok := store.Get(id)
		if !ok {
			return fmt.Errorf("DS %s is not in the store; `show call-home diagnostic-signature` lists the DS it holds", id)
		}
		host := lifecycle.HostOf(cfg)
		return show.Detail(e.stdout, view, entry, show.Context{
			Hostname: host.Hostname, Platform: host.Platform, EngineVersion: host.EngineVersion,
			Environment: cfg.DiagnosticSignature.Environment.Map(), DSProfile: cfg.DiagnosticSignature.Profile,
			Now: e.now(),
		})
	})
}
