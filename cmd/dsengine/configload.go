package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	sourcetypes "github.com/dsengine/dsengine/ds/events/source/types"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
	"github.com/dsengine/dsengine/ds/verify"
	"github.com/dsengine/dsengine/internal/english"
	"github.com/dsengine/dsengine/internal/regularfile"
)

// loadConfig reads the configuration the command should use. With none
// named and none found, it is the built-in default (the guide's defaults,
// no DS profile, no trusted keys).
func (e *env) loadConfig() (*config.Config, error) {
	path, ok := e.configPath()
	if !ok {
		return config.Default(), nil
	}
	return readConfig(path)
}

// currentConfig is the daemon's running configuration inside the daemon,
// else the configuration file.
func (e *env) currentConfig() (*config.Config, error) {
	if e.daemon != nil {
		return e.daemon.Config(), nil
	}
	return e.loadConfig()
}

func readConfig(path string) (*config.Config, error) {
	data, err := regularfile.Read(path, iosconfig.MaxSize)
	if err != nil {
		return nil, err
	}
	cfg, err := iosconfig.Parse(path, data)
	if err != nil {
		return nil, err
	}
	// The applets' action blocks (if/else/end, loops, verbs) and the
	// policies between them: an applet the daemon would refuse stops
	// `config check`, `run` and a reload alike.
	if errs := appletErrors(path, cfg); len(errs) > 0 {
		return nil, errs
	}
	// The native event sources' lines: a name this build lacks or a wrong
	// argument stops the daemon's start, so config check says it first.
	var refused iosconfig.ErrorList
	for _, ref := range cfg.Host.Sources {
		if err := sourcetypes.Check(ref); err != nil {
			refused = append(refused, &iosconfig.Error{File: path, Line: ref.Line, Col: -1, Msg: err.Error()})
		}
	}
	if len(refused) > 0 {
		return nil, refused
	}
	// Paths in the configuration are relative to the file that names them,
	// so a configuration directory can move as a whole.
	base := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	d := &cfg.DiagnosticSignature
	for i := range d.TrustKeys {
		d.TrustKeys[i].Path = rel(d.TrustKeys[i].Path)
	}
	d.RepositoryCA = rel(d.RepositoryCA)
	return cfg, nil
}

// runConfigCheck validates a configuration: each error as file:line:
// message and exit 1, or a summary and exit 0. Warnings go to stderr as
// file:line: warning: message and leave the exit status 0.
func runConfigCheck(e *env, _ *flag.FlagSet, args []string) error {
	var path string
	switch len(args) {
	case 0:
		p, ok := e.configPath()
		if !ok {
			return usagef("no configuration found; name one, or use --config or $DSENGINE_CONFIG")
		}
		path = p
	case 1:
		path = args[0]
	default:
		return usagef("check one configuration at a time")
	}
	cfg, err := readConfig(path)
	if err != nil {
		if el, ok := err.(iosconfig.ErrorList); ok {
			for _, each := range el {
				fmt.Fprintln(e.stdout, each)
			}
			fmt.Fprintf(e.stderr, "%s: %s; the configuration was not accepted\n", path, english.Plural(len(el), "error"))
			return errSilent
		}
		return err
	}
	// Warnings (IOS commands dsengine skips, applets it does not register)
	// do not fail the check: `run` loads the same file and logs them.
	for _, w := range cfg.Warnings {
		fmt.Fprintln(e.stderr, w)
	}
	failed := false
	for _, k := range cfg.DiagnosticSignature.TrustKeys {
		if _, err := verify.LoadKeyring(k.Path); err != nil {
			fmt.Fprintf(e.stdout, "%s:%d: trust-key: %v\n", path, k.Line, err)
			failed = true
		}
	}
	if failed {
		return errSilent
	}
	fmt.Fprintf(e.stdout, "%s: ok: %s\n", path, configSummary(cfg))
	return nil
}

// appletErrors are the errors applet.CheckConfig finds in cfg's applets,
// at their lines.
func appletErrors(path string, cfg *config.Config) iosconfig.ErrorList {
	var out iosconfig.ErrorList
	refused := applet.CheckConfig(cfg.EventManager.Applets)
	for _, ap := range cfg.EventManager.Applets {
		for _, err := range unjoin(refused[ap.Name]) {
			e := &iosconfig.Error{File: path, Line: ap.Line, Col: -1, Msg: err.Error()}
			var ae *applet.Error
			if errors.As(err, &ae) && ae.Line > 0 {
				e.Line, e.Msg = ae.Line, ae.Err.Error()
			}
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b *iosconfig.Error) int { return cmp.Compare(a.Line, b.Line) })
	return out
}

// logWarnings logs what the configuration parser accepted with a remark,
// as `config check` prints it.
func logWarnings(log *slog.Logger, cfg *config.Config) {
	for _, w := range cfg.Warnings {
		log.Warn("configuration", "file", w.File, "line", w.Line, "warning", w.Msg)
	}
}

// unjoin splits an errors.Join error into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func configSummary(cfg *config.Config) string {
	active := 0
	for _, p := range cfg.CallHome.Profiles {
		if p.Active {
			active++
		}
	}
	host := cfg.Hostname
	if host == "" {
		host = "(not set)"
	}
	parts := []string{
		"hostname " + host,
		fmt.Sprintf("%s (%d active)", english.Plural(len(cfg.CallHome.Profiles), "profile"), active),
		"DS profile " + cfg.DiagnosticSignature.Profile,
		english.Plural(len(cfg.DiagnosticSignature.TrustKeys), "trusted key"),
		english.Plural(len(cfg.EventManager.Applets), "applet"),
		english.Plural(len(cfg.Tracks), "track"),
	}
	if n := len(cfg.Warnings); n > 0 {
		parts = append(parts, english.Plural(n, "warning"))
	}
	return strings.Join(parts, ", ")
}
