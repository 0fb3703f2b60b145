package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/dsengine/dsengine/internal/parallel"
	"github.com/dsengine/dsengine/internal/regularfile"
)

// EngineVersion is this engine's version, compared with a DS's
// MinEngineVersion prerequisite.
const EngineVersion ds.Revision = "0.1"

// Host describes the machine a DS's prerequisites are checked against.
type Host struct {
	Hostname      string
	Platform      string // "linux", or an IOS XE platform string
	EngineVersion ds.Revision
}

// HostOf describes this Linux host under the configuration: its
// "hostname" line, else the kernel's host name.
func HostOf(cfg *config.Config) Host {
	name := cfg.Hostname
	if name == "" {
		name, _ = os.Hostname()
	}
	return Host{Hostname: name, Platform: "linux", EngineVersion: EngineVersion}
}

// Asker asks the user for a prompt variable's value, offering its default.
// It returns ErrNoAnswer to leave the variable unanswered.
type Asker func(v ds.Variable) (string, error)

// ErrNoAnswer is what an Asker returns for a prompt it has no answer to
// (no terminal and no default): the DS stays pending until it is answered.
var ErrNoAnswer = errors.New("no answer")

// Result is the outcome of an install for one DS.
type Result struct {
	ID      string
	Status  ds.Status
	Reason  string         // why pending or failed
	Missing []vars.Missing // the variables that keep it pending
}

// Manager installs and deinstalls DS in one store.
type Manager struct {
	store *bootflash.Store
	host  Host
	env   map[string]string
	now   func() time.Time
}

// New returns a Manager. env is the `environment` lines of the
// configuration. The second argument, the store's check (see Checker), is
// not used any more: the Manager checks DS files through the store
// (Store.Check), which applies that same check, so each file is verified
// once.
func New(store *bootflash.Store, _ bootflash.CheckFunc, host Host, env map[string]string, now func() time.Time) *Manager {
	return &Manager{store: store, host: host, env: env, now: now}
}

// InstallFile installs a local signed DS file (path and path.asc), for
// offline use: it is read (ReadFile), checked like a download, then stored
// and installed in one atomic write. answers and ask are as for Install;
// prompts are asked before anything is written. A DS that fails its check
// is refused with an error that says nothing was installed.
func (m *Manager) InstallFile(path string, answers map[string]string, ask Asker) (Result, error) {
	f, err := ReadFile(path)
	if err != nil {
		return Result{}, err
	}
	return m.InstallContent(f, answers, ask)
}

// InstallContent installs a signed DS file already read, like InstallFile:
// what the daemon installs, from the content the CLI read and sent, so
// that it never opens a path a user named.
func (m *Manager) InstallContent(f File, answers map[string]string, ask Asker) (Result, error) {
	l, err := m.check(f)
	if err != nil {
		return Result{}, err
	}
	res, err := m.installChecked([]loaded{l}, map[string]map[string]string{l.c.ID(): answers}, ask)
	if err != nil {
		return Result{}, err
	}
	return res[0], nil
}

// InstallFiles installs many local signed DS files like InstallFile, but
// checks them all first and writes them with one atomic PutBatch (or a few,
// each atomic, if their files are over bootflash.MaxBatchBytes in all).
// answers holds the prompt answers by DS id (nil for none); ask, if not
// nil, is asked for the other prompts of each DS in turn, before anything
// is written. The results are in the order of paths. If any file fails to
// load or check, if two files hold the same DS, if answers name a DS that
// is not among the files or a variable that is not one of its DS's
// prompts, or if ask fails, nothing is installed. If a write fails, the
// results of the batches written before it are returned with the error.
func (m *Manager) InstallFiles(paths []string, answers map[string]map[string]string, ask Asker) ([]Result, error) {
	files := make([]File, 0, len(paths))
	for _, path := range paths {
		f, err := ReadFile(path)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return m.InstallContents(files, answers, ask)
}

// InstallContents installs many signed DS files already read, like
// InstallFiles: what the daemon installs from the files a batch `install
// --file` sent. The signatures are checked in parallel, one per CPU,
// before anything is written.
func (m *Manager) InstallContents(files []File, answers map[string]map[string]string, ask Asker) ([]Result, error) {
	checked := make([]loaded, len(files))
	errs := make([]error, len(files))
	parallel.Each(len(files), 0, func(i int) { checked[i], errs[i] = m.check(files[i]) })
	from := map[string]string{}
	for i, f := range files {
		if errs[i] != nil {
			return nil, errs[i]
		}
		id := checked[i].c.ID()
		if other, dup := from[id]; dup {
			return nil, fmt.Errorf("refused, nothing installed: %s and %s both hold DS %s", other, f.Name, id)
		}
		from[id] = f.Name
	}
	for id := range answers {
		if _, ok := from[id]; !ok {
			return nil, fmt.Errorf("refused, nothing installed: prompt answers for DS %s, which is not among the files", id)
		}
	}
	return m.installChecked(checked, answers, ask)
}

// loaded is a DS file that passed the store's check, with its size.
type loaded struct {
	c    *bootflash.Checked
	size int
}

// File is a signed DS file as read: the name it was read from, which names
// the DS (6030.xml), the DS, and its detached signature (nil when there is
// none: the check says what to do).
type File struct {
	Name     string
	XML, ASC []byte
}

// ascLimit caps a detached signature file.
const ascLimit = 64 << 10

// ReadFile reads a DS file and its signature (path.asc), each a regular
// file within its size limit: a named pipe, a device or a directory is
// refused without blocking (regularfile).
func ReadFile(path string) (File, error) {
	if _, err := fileID(path); err != nil {
		return File{}, err
	}
	xml, err := regularfile.Read(path, parse.MaxFileSize)
	if err != nil {
		return File{}, err
	}
	asc, err := regularfile.Read(path+".asc", ascLimit)
	if errors.Is(err, fs.ErrNotExist) {
		asc = nil // the check says what to do about a missing signature
	} else if err != nil {
		return File{}, err
	}
	return File{Name: path, XML: xml, ASC: asc}, nil
}

// fileID is the DS id a file's name gives.
func fileID(name string) (string, error) {
	id, ok := strings.CutSuffix(filepath.Base(name), ".xml")
	if !ok || bootflash.ValidID(id) != nil {
		return "", fmt.Errorf("%s: a DS file is named after its id, like 6030.xml", name)
	}
	return id, nil
}

// loadFile reads a DS file (path and path.asc) and checks it with the
// store's check.
func (m *Manager) loadFile(path string) (loaded, error) {
	f, err := ReadFile(path)
	if err != nil {
		return loaded{}, err
	}
	return m.check(f)
}

// check checks a DS file read with the store's check.
func (m *Manager) check(f File) (loaded, error) {
	id, err := fileID(f.Name)
	if err != nil {
		return loaded{}, err
	}
	if len(f.XML) > parse.MaxFileSize || len(f.ASC) > ascLimit {
		return loaded{}, fmt.Errorf("%s: the DS is %d bytes and its signature %d; the limits are %d and %d", f.Name, len(f.XML), len(f.ASC), parse.MaxFileSize, ascLimit)
	}
	c, err := m.store.Check(id, f.XML, f.ASC)
	if err != nil {
		return loaded{}, fmt.Errorf("refused, nothing installed: %w", err)
	}
	return loaded{c, len(f.XML) + len(f.ASC)}, nil
}

// installChecked asks the prompts of checked DS files, then stores them,
// each with its prompt answers and the status decided from them, in as few
// PutBatches as bootflash.MaxBatchBytes allows.
func (m *Manager) installChecked(files []loaded, answers map[string]map[string]string, ask Asker) ([]Result, error) {
	results := make([]Result, len(files))
	items := make([]bootflash.PutItem, len(files))
	now := m.now().UTC()
	for i, f := range files {
		id, sig := f.c.ID(), f.c.Signature()
		var stored map[string]string
		if e, ok := m.store.Get(id); ok {
			stored = e.PromptAnswers
		}
		given, err := m.prompts(id, sig, stored, answers[id], ask)
		if err != nil {
			return nil, err
		}
		res := &results[i]
		items[i] = bootflash.PutItem{Checked: f.c, Update: func(e *bootflash.Entry) {
			prompts := maps.Clone(e.PromptAnswers)
			if prompts == nil {
				prompts = map[string]string{}
			}
			maps.Copy(prompts, given)
			*res = m.evaluate(sig, prompts)
			e.PromptAnswers = prompts
			e.Status, e.FailureReason = res.Status, res.Reason
			if e.Installed.IsZero() {
				e.Installed = now
			}
		}}
	}
	for start := 0; start < len(files); {
		end, size := start, 0
		for end < len(files) && (end == start || size+files[end].size <= bootflash.MaxBatchBytes) {
			size += files[end].size
			end++
		}
		if err := m.store.PutBatch(items[start:end]); err != nil {
			if len(files) == 1 {
				return nil, fmt.Errorf("install %s: %w", files[0].c.ID(), err)
			}
			return results[:start], fmt.Errorf("install: %w", err)
		}
		start = end
	}
	return results, nil
}

// prompts returns the prompt answers a DS gets on top of those stored:
// answers, which must name prompt variables of sig, and, when ask is not
// nil, the answers to the prompts that neither answers nor stored has.
func (m *Manager) prompts(id string, sig *ds.Signature, stored, answers map[string]string, ask Asker) (map[string]string, error) {
	given := map[string]string{}
	for name, value := range answers {
		v, ok := sig.Variable(name)
		if !ok || v.Source != ds.SourcePrompt {
			return nil, fmt.Errorf("%s is not a prompt variable of DS %s; its prompt variables are: %s", name, id, promptNames(sig))
		}
		given[name] = value
	}
	if ask != nil {
		for _, v := range sig.Variables {
			if v.Source != ds.SourcePrompt {
				continue
			}
			if _, done := given[v.Name]; done {
				continue
			}
			if _, done := stored[v.Name]; done {
				continue
			}
			answer, err := ask(v)
			if errors.Is(err, ErrNoAnswer) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("install %s: %w", id, err)
			}
			given[v.Name] = answer
		}
	}
	return given, nil
}

// Install installs a DS that is in the store: it takes the prompt answers
// given (answers) or asks for the others (ask, nil without a terminal),
// checks the prerequisites and variables, and records the status.
func (m *Manager) Install(id string, answers map[string]string, ask Asker) (Result, error) {
	entry, ok := m.store.Get(id)
	if !ok {
		return Result{}, fmt.Errorf("DS %s is not in the store; download it with `call-home diagnostic-signature download %s`, or install a signed file with --file PATH", id, id)
	}
	if entry.Signature == nil {
		return Result{}, fmt.Errorf("DS %s cannot be installed: %s", id, entry.FailureReason)
	}
	sig := entry.Signature
	given, err := m.prompts(id, sig, entry.PromptAnswers, answers, ask)
	if err != nil {
		return Result{}, err
	}
	prompts := maps.Clone(entry.PromptAnswers)
	if prompts == nil {
		prompts = map[string]string{}
	}
	maps.Copy(prompts, given)
	res := m.evaluate(sig, prompts)
	now := m.now().UTC()
	err = m.store.Update(id, func(e *bootflash.Entry) {
		e.PromptAnswers = prompts
		e.Status = res.Status
		e.FailureReason = res.Reason
		if e.Installed.IsZero() {
			e.Installed = now
		}
	})
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", id, err)
	}
	return res, nil
}

// Evaluate re-decides the status of every installed DS whose status
// depends on the configuration (pending, registered, or failed on a
// prerequisite), after the environment changed, and records the new
// statuses with one write. It returns the DS whose status changed.
func (m *Manager) Evaluate() ([]Result, error) {
	var changed []Result
	updates := map[string]func(*bootflash.Entry){}
	for _, e := range m.store.List() {
		if e.Signature == nil || e.Installed.IsZero() {
			continue
		}
		switch {
		case e.Status == ds.StatusPending, e.Status == ds.StatusRegistered,
			e.Status == ds.StatusFailed && strings.HasPrefix(e.FailureReason, prerequisitePrefix):
		default:
			continue
		}
		res := m.evaluate(e.Signature, e.PromptAnswers)
		if res.Status == e.Status && res.Reason == e.FailureReason {
			continue
		}
		updates[e.ID] = func(en *bootflash.Entry) {
			en.Status, en.FailureReason = res.Status, res.Reason
		}
		changed = append(changed, res)
	}
	if err := m.store.UpdateBatch(updates); err != nil {
		return nil, err
	}
	return changed, nil
}

// Deinstall removes a DS and its state. id "all" removes every DS, in one
// atomic write: all of them or, on an error, none.
func (m *Manager) Deinstall(id string) ([]string, error) {
	var ids []string
	if id == "all" {
		for _, e := range m.store.List() {
			ids = append(ids, e.ID)
		}
	} else {
		if _, ok := m.store.Get(id); !ok {
			return nil, fmt.Errorf("DS %s is not installed; `show call-home diagnostic-signature` lists the installed ones", id)
		}
		ids = []string{id}
	}
	if err := m.store.RemoveBatch(ids); err != nil {
		return nil, fmt.Errorf("deinstall %s: %w", id, err)
	}
	return ids, nil
}

const prerequisitePrefix = "prerequisite not met: "

// evaluate decides the status of a verified DS: failed on an unmet
// prerequisite, pending on unresolved variables, otherwise registered.
func (m *Manager) evaluate(sig *ds.Signature, prompts map[string]string) Result {
	res := Result{ID: sig.ID}
	if reason := m.prerequisite(sig.Prerequisite); reason != "" {
		res.Status, res.Reason = ds.StatusFailed, prerequisitePrefix+reason
		return res
	}
	res.Missing = vars.Unresolved(sig, vars.Known{Environment: m.env, Prompts: prompts})
	if len(res.Missing) > 0 {
		var parts []string
		for _, miss := range res.Missing {
			parts = append(parts, miss.String())
		}
		res.Status, res.Reason = ds.StatusPending, strings.Join(parts, "; ")
		return res
	}
	res.Status = ds.StatusRegistered
	return res
}

func (m *Manager) prerequisite(p ds.Prerequisite) string {
	if len(p.Platforms) > 0 {
		match := false
		for _, platform := range p.Platforms {
			if strings.EqualFold(platform, m.host.Platform) {
				match = true
			}
		}
		if !match {
			return fmt.Sprintf("platform %s required, this host is %s", strings.Join(p.Platforms, " or "), m.host.Platform)
		}
	}
	if p.MinEngineVersion != "" && m.host.EngineVersion.Compare(p.MinEngineVersion) < 0 {
		return fmt.Sprintf("engine version %s or later required, this is %s", p.MinEngineVersion, m.host.EngineVersion)
	}
	return ""
}

func promptNames(sig *ds.Signature) string {
	var names []string
	for _, v := range sig.Variables {
		if v.Source == ds.SourcePrompt {
			names = append(names, v.Name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
