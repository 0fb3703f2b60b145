package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/internal/english"
	"github.com/dsengine/dsengine/internal/regularfile"
)

// runLint checks DS files and prints every error as file:line:col: message,
// and every warning as file:line:col: warning: message (a warning does not
// fail the file).
func runLint(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("name at least one DS file")
	}
	failed := 0
	for _, path := range args {
		sig, err := lintFile(path)
		if err != nil {
			failed++
			fmt.Fprintln(e.stdout, err)
			continue
		}
		for _, w := range actions.Warnings(sig) {
			fmt.Fprintln(e.stdout, w)
		}
		fmt.Fprintf(e.stdout, "%s: ok: DS %s %q revision %s, %s, %s\n", path, sig.ID, sig.Name, sig.Revision,
			english.Plural(len(sig.Events), "event"), english.Plural(len(sig.Actions), "action"))
	}
	if failed > 0 {
		fmt.Fprintf(e.stderr, "%d of %d files have errors\n", failed, len(args))
		return errSilent
	}
	return nil
}

// lintFile parses one DS file and checks that its name fits its id.
func lintFile(path string) (*ds.Signature, error) {
	data, err := regularfile.Read(path, parse.MaxFileSize)
	if err != nil {
		return nil, err
	}
	sig, err := parse.ParseSignature(path, data)
	if err != nil {
		return nil, err
	}
	if err := parse.CheckFileName(path, sig); err != nil {
		return nil, err
	}
	if errs := actions.Lint(sig); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sig, nil
}
