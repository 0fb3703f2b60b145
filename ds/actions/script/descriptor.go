package script

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/internal/english"
)

//go:embed README.md
var readme string

// Descriptor describes the script action to the action table.
var Descriptor = action.Descriptor{
	Type:    ds.ActionScript,
	Summary: "runs a Lua script in the sandbox, with the EEM Tcl policy API",
	README:  readme,
	Attrs: []action.Attr{
		{Name: "lang", Doc: `required: "lua" (a Tcl policy is rewritten in Lua; the EEM API names are the same)`},
		{Name: "timeout", Doc: "optional: the script's time limit, a Go duration; default 5s"},
	},
	Parse: func(a action.Attrs, act *ds.Action) {
		act.Text = a.Text()
		if lang, ok := a.Required("lang"); ok {
			act.Lang = lang
			switch strings.ToLower(lang) {
			case "lua":
				act.Lang = "lua"
			case "tcl":
				a.Errorf("lang", `lang "%s": the engine runs Lua scripts in place of Tcl; rewrite the script in Lua (the EEM Tcl API names are available) and set lang="lua"`, lang)
			default:
				a.Errorf("lang", `lang %q is not supported; scripts are Lua: lang="lua"`, a.Clip(lang))
			}
		}
		if strings.TrimSpace(act.Text) == "" {
			a.ElemErrorf("%s needs the Lua script as its text (a CDATA section keeps < and & as they are)", a.What())
		}
		act.Timeout = action.Timeout(a)
	},
	New: func(d action.Deps) action.Action {
		return NewAction(NewRunner(Options{Clock: d.Clock, OnCap: d.OnCap}))
	},
	Lint: lint,
	Show: func(a ds.Action, _ *ds.Signature, _ string) string {
		lines := strings.Count(strings.TrimSpace(a.Text), "\n") + 1
		return fmt.Sprintf("%s script, %s", a.Lang, english.Plural(lines, "line"))
	},
}
