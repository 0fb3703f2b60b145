package actions

import (
	"errors"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/script"
)

// LintScripts compiles the Lua of every script action of sig, so that a
// syntax error shows at lint time as file:line:col rather than when the DS
// first fires. Lines count from the <Action> element, where the script
// text (usually a CDATA section) starts.
func LintScripts(sig *ds.Signature) []error {
	var errs []error
	for _, a := range sig.Actions {
		if a.Type != ds.ActionScript {
			continue
		}
		err := script.Compile(a.Text)
		if err == nil {
			continue
		}
		pos := a.Pos
		var ce *script.CompileError
		if errors.As(err, &ce) {
			if ce.Line > 0 {
				pos.Line += ce.Line - 1
				pos.Col = ce.Col
			}
			errs = append(errs, fmt.Errorf("%s: script: %s", pos, ce.Msg))
			continue
		}
		errs = append(errs, fmt.Errorf("%s: script: %v", pos, err))
	}
	return errs
}
