package actions

import (
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/types"
)

// Lint checks each action of sig with its type's Lint (a script's Lua
// compiles), beyond what parsing checked; each error is file:line:col:
// message.
func Lint(sig *ds.Signature) []error {
	var errs []error
	for _, a := range sig.Actions {
		if d, ok := types.Lookup(a.Type); ok && d.Lint != nil {
			errs = append(errs, d.Lint(a)...)
		}
	}
	return errs
}
