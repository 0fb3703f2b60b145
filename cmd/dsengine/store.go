package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	fs.Var(&listFlag{}, "file", "install a local signed DS `PATH` (PATH.asc beside it) instead of a downloaded one; "+
		"a directory installs each ID.xml in it; repeat for many (without an ID)")
	fs.Var(setFlag{}, "set", "answer a prompt variable: `ds_x=value` (repeatable)")
}

// installFiles are the --file arguments of install.
func installFiles(fs *flag.FlagSet) []string { return *fs.Lookup("file").Value.(*listFlag) }

// attachInstall reads the DS files of `install --file PATH|DIR ...` and
// their signatures, in the CLI, to send them with the command: a directory
// gives each file named ID.xml in it, in the order of the ids.
func attachInstall(_ *env, fs *flag.FlagSet, _ []string) ([]control.File, error) {
	var files []control.File
	for _, path := range installFiles(fs) {
		paths := []string{path}
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			if paths, err = dsFilesIn(path); err != nil {
				return nil, err
			}
		}
		for _, p := range paths {
			f, err := lifecycle.ReadFile(p)
			if err != nil {
				return nil, err
			}
			files = append(files, control.File{Path: p, Data: f.XML})
			if f.ASC != nil {
				files = append(files, control.File{Path: p + ".asc", Data: f.ASC})
			}
		}
	}
	return files, nil
}

// dsFilesIn lists the files of dir named like a DS (ID.xml), sorted by id.
func dsFilesIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, en := range entries {
		if id, ok := strings.CutSuffix(en.Name(), ".xml"); ok && en.Type().IsRegular() && bootflash.ValidID(id) == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s has no DS file (ID.xml, such as 6030.xml)", dir)
	}
	ds.SortIDs(ids)
	paths := make([]string, len(ids))
	for i, id := range ids {
		paths[i] = filepath.Join(dir, id+".xml")
	}
	return paths, nil
}

// installRequestBytes is how much DS content one install request carries:
// the files travel base64 in JSON (4/3 of their size), under
// control.MaxRequest with room for the rest of the request.
const installRequestBytes = control.MaxRequest * 3 / 4 * 3 / 4

// splitInstall cuts the files of a batch install into requests of at most
// installRequestBytes.
func splitInstall(files []control.File) [][]control.File {
	return splitFiles(files, installRequestBytes)
}

// splitFiles cuts files into parts of at most budget bytes (a file over it
// alone in its part), a DS file and its signature always together.
func splitFiles(files []control.File, budget int) [][]control.File {
	var parts [][]control.File
	var cur []control.File
	size := 0
	for i := 0; i < len(files); {
		n := 1 // the DS file, and its signature if it follows
		if i+1 < len(files) && files[i+1].Path == files[i].Path+".asc" {
			n = 2
		}
		add := 0
		for _, f := range files[i : i+n] {
			add += len(f.Data) + len(f.Path)
		}
		if len(cur) > 0 && size+add > budget {
			parts, cur, size = append(parts, cur), nil, 0
		}
		cur, size = append(cur, files[i:i+n]...), size+add
		i += n
	}
	if len(cur) > 0 || len(parts) == 0 {
		parts = append(parts, cur)
	}
	return parts
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
		return f, errNotAttached(path)
	}
	return f, nil
}

func errNotAttached(path string) error {
	return fmt.Errorf("%s did not come with the command: the daemon never opens a path named on the command line; run `dsengine call-home diagnostic-signature install ID --file %s`, which reads the file and sends it", path, path)
}

// attachedAll is every DS file that came with the command, with its
// signature, in the order they came.
func (e *env) attachedAll() []lifecycle.File {
	var out []lifecycle.File
	for _, a := range e.files {
		if strings.HasSuffix(a.Path, ".asc") {
			continue
		}
		f, _ := e.attached(a.Path)
		out = append(out, f)
	}
	return out
}

func runInstall(e *env, fs *flag.FlagSet, args []string) error {
	paths := installFiles(fs)
	answers := map[string]string(fs.Lookup("set").Value.(setFlag))
	switch {
	case len(args) == 0 && len(paths) > 0:
		return e.installBatch(paths, answers)
	case len(args) != 1:
		return usagef("name one DS id, or install local files with --file PATH|DIR (repeatable) and no id")
	case len(paths) > 1:
		return usagef("with an id, give one --file; for many files, leave the id out")
	}
	id := args[0]
	return e.withStore(false, func(cfg *config.Config, store *bootflash.Store, mgr *lifecycle.Manager) error {
		var notes []string
		ask := e.promptAsker(&notes)
		var res lifecycle.Result
		var err error
		if len(paths) == 1 {
			var f lifecycle.File
			if f, err = e.attached(paths[0]); err == nil {
				res, err = mgr.InstallContent(f, answers, ask)
			}
			if err == nil && res.ID != id {
				err = fmt.Errorf("%s holds DS %s, not %s", paths[0], res.ID, id)
			}
		} else {
			res, err = mgr.Install(id, answers, ask)
		}
		if err != nil {
			return err
		}
		failed := printInstalled(e.stdout, res, notes)
		if failed {
			return errSilent
		}
		return nil
	})
}

// installBatch installs every DS file that came with the command in one
// batch: all are checked before any is written, and prompts without a
// terminal take their defaults (--set cannot name a DS among many).
func (e *env) installBatch(paths []string, answers map[string]string) error {
	if len(answers) > 0 {
		return usagef("--set answers the prompts of one DS: install it on its own, with its id")
	}
	files := e.attachedAll()
	if len(files) == 0 {
		return errNotAttached(paths[0])
	}
	return e.withStore(false, func(cfg *config.Config, store *bootflash.Store, mgr *lifecycle.Manager) error {
		var notes []string
		results, err := mgr.InstallContents(files, nil, e.promptAsker(&notes))
		if err != nil {
			return err
		}
		var failed bool
		counts := map[ds.Status]int{}
		for _, res := range results {
			counts[res.Status]++
			failed = printInstalled(e.stdout, res, nil) || failed
		}
		for _, n := range notes {
			fmt.Fprintf(e.stdout, "  %s\n", n)
		}
		fmt.Fprintf(e.stdout, "%d DS installed: %d registered, %d pending, %d failed\n", len(results),
			counts[ds.StatusRegistered], counts[ds.StatusPending], counts[ds.StatusFailed])
		if failed {
			return errSilent
		}
		return nil
	})
}

// printInstalled prints the outcome of one install, IOS style, and says
// whether the DS failed.
func printInstalled(w io.Writer, res lifecycle.Result, notes []string) bool {
	switch res.Status {
	case ds.StatusPending:
		fmt.Fprintf(w, "DS %s installed, pending:\n", res.ID)
		for _, m := range res.Missing {
			fmt.Fprintf(w, "  %s\n", m)
		}
	case ds.StatusFailed:
		fmt.Fprintf(w, "DS %s installed, failed: %s\n", res.ID, res.Reason)
	default:
		fmt.Fprintf(w, "DS %s installed, %s\n", res.ID, res.Status)
	}
	for _, n := range notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	return res.Status == ds.StatusFailed
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
			e.fleetView("")
			return nil
		}
		id, view := args[0], args[1]
		entry, ok := store.Get(id)
		if !ok {
			return fmt.Errorf("DS %s is not in the store; `show call-home diagnostic-signature` lists the DS it holds", id)
		}
		host := lifecycle.HostOf(cfg)
		if err := show.Detail(e.stdout, view, entry, show.Context{
			Hostname: host.Hostname, Platform: host.Platform, EngineVersion: host.EngineVersion,
			Environment: cfg.DiagnosticSignature.Environment.Map(), DSProfile: cfg.DiagnosticSignature.Profile,
			Now: e.now(),
		}); err != nil {
			return err
		}
		if view == "statistics" {
			e.fleetView(id)
		}
		return nil
	})
}

// fleetView adds, on a fleet worker, the runs of the whole fleet (of DS id
// only, when id is not empty) to the local view printed above.
func (e *env) fleetView(id string) {
	if e.daemon == nil || e.daemon.Fleet() == nil {
		return
	}
	fmt.Fprintln(e.stdout)
	if err := e.daemon.Fleet()(e.ctx, e.stdout, id); err != nil {
		fmt.Fprintf(e.stdout, "Fleet statistics: not available (%v); the ones above are this worker's\n", err)
	}
}
