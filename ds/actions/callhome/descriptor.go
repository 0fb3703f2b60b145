package callhome

import (
	_ "embed"
	"fmt"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
)

//go:embed README.md
var readme string

// Descriptor describes the call-home action to the action table.
var Descriptor = action.Descriptor{
	Type:    ds.ActionCallHome,
	Summary: "sends the run's command outputs to the DS profile as a diagnostic-signature message",
	README:  readme,
	Parse:   func(a action.Attrs, _ *ds.Action) { a.NoText() },
	New:     func(action.Deps) action.Action { return Action{} },
	Show: func(_ ds.Action, sig *ds.Signature, profile string) string {
		return fmt.Sprintf("message diagnostic-signature/%s to profile %s", sig.ID, profile)
	},
}
