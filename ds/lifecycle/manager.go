package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/vars"
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

// Asker asks the user for a prompt variable's value, offering its default.
type Asker func(v ds.Variable) (string, error)

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
	check bootflash.CheckFunc
	host  Host
	env   map[string]string
	now   func() time.Time
}

// New returns a Manager. env is the `environment` lines of the
// configuration; check is the store's check (see Checker).
func New(store *bootflash.Store, check bootflash.CheckFunc, host Host, env map[string]string, now func() time.Time) *Manager {
	return &Manager{store: store, check: check, host: host, env: env, now: now}
}

// InstallFile installs a local signed DS file (path and path.asc), for
// offline use: it is checked like a download, stored, then installed.
func (m *Manager) InstallFile(path string, answers map[string]string, ask Asker) (Result, error) {
	base := filepath.Base(path)
	id, ok := strings.CutSuffix(base, ".xml")
	if !ok || bootflash.ValidID(id) != nil {
		return Result{}, fmt.Errorf("%s: a DS file is named after its id, like 6030.xml", path)
	}
	xml, err := readLimited(path, parse.MaxFileSize)
	if err != nil {
		return Result{}, err
	}
	asc, err := readLimited(path+".asc", 64<<10)
	if errors.Is(err, os.ErrNotExist) {
		asc = nil // the check says what to do about a missing signature
	} else if err != nil {
		return Result{}, err
	}
	if _, err := m.check(id, xml, asc); err != nil {
		return Result{}, fmt.Errorf("refused, nothing installed: %w", err)
	}
	if err := m.store.Put(id, xml, asc, nil); err != nil {
		return Result{}, fmt.Errorf("install %s: %w", id, err)
	}
	return m.Install(id, answers, ask)
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
	prompts := maps.Clone(entry.PromptAnswers)
	if prompts == nil {
		prompts = map[string]string{}
	}
	for name, value := range answers {
		v, ok := sig.Variable(name)
		if !ok || v.Source != ds.SourcePrompt {
			return Result{}, fmt.Errorf("%s is not a prompt variable of DS %s; its prompt variables are: %s", name, id, promptNames(sig))
		}
		prompts[name] = value
	}
	if ask != nil {
		for _, v := range sig.Variables {
			if _, done := prompts[v.Name]; done || v.Source != ds.SourcePrompt {
				continue
			}
			answer, err := ask(v)
			if err != nil {
				return Result{}, fmt.Errorf("install %s: %w", id, err)
			}
			prompts[v.Name] = answer
		}
	}
	res := m.evaluate(sig, prompts)
	now := m.now().UTC()
	err := m.store.Update(id, func(e *bootflash.Entry) {
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
// prerequisite), after the environment changed. It returns the DS whose
// status changed.
func (m *Manager) Evaluate() ([]Result, error) {
	var changed []Result
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
		if err := m.store.Update(e.ID, func(en *bootflash.Entry) {
			en.Status, en.FailureReason = res.Status, res.Reason
		}); err != nil {
			return changed, err
		}
		changed = append(changed, res)
	}
	return changed, nil
}

// Deinstall removes a DS and its state. id "all" removes every DS.
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
	for i, each := range ids {
		if err := m.store.Remove(each); err != nil {
			return ids[:i], fmt.Errorf("deinstall %s: %w", each, err)
		}
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

// readLimited reads a file, refusing one over limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: file is %d bytes; the limit is %d", path, st.Size(), limit)
	}
	data := make([]byte, 0, st.Size())
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		data = append(data, buf[:n]...)
		if int64(len(data)) > limit {
			return nil, fmt.Errorf("%s: file is over the limit of %d bytes", path, limit)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return data, nil
			}
			return nil, err
		}
	}
}
