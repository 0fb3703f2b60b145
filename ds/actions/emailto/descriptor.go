package emailto

import (
	_ "embed"
	"fmt"
	"net/mail"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
)

//go:embed README.md
var readme string

// Descriptor describes the emailto action to the action table.
var Descriptor = action.Descriptor{
	Type:    ds.ActionEmailTo,
	Summary: "mails the text and the command outputs so far to the listed addresses through the call-home mail servers",
	README:  readme,
	Attrs: []action.Attr{
		{Name: "to", Doc: "required: comma-separated addresses; ${ds_x} variables are rendered when the action runs"},
		{Name: "subject", Doc: `optional: the subject, "Diagnostic signature notification from HOST" when empty`},
	},
	Parse: func(a action.Attrs, act *ds.Action) {
		act.Text = strings.TrimSpace(a.Text())
		act.Subject, _ = a.Get("subject")
		if to, ok := a.Required("to"); ok {
			act.To = to
			checkAddresses(a, to)
		}
	},
	New: func(action.Deps) action.Action { return Action{} },
	Show: func(a ds.Action, _ *ds.Signature, _ string) string {
		return fmt.Sprintf("to %s, subject %q", a.To, a.Subject)
	},
}

// checkAddresses checks a comma-separated list of mail addresses; an
// address holding ${ds_x} is only known at run time.
func checkAddresses(a action.Attrs, to string) {
	for _, addr := range strings.Split(to, ",") {
		addr = strings.TrimSpace(addr)
		switch {
		case addr == "":
			a.Errorf("to", "to %q has an empty address; separate addresses with commas", a.Clip(to))
			return
		case strings.Contains(addr, "${"):
		default:
			if _, err := mail.ParseAddress(addr); err != nil {
				a.Errorf("to", "address %q is not valid: %s", a.Clip(addr), strings.TrimPrefix(a.ClipErr(err), "mail: "))
			}
		}
	}
}
