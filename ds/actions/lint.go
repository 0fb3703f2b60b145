package actions

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/actions/types"
	eventtypes "github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/dsengine/dsengine/internal/english"
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

// Warnings returns what lint warns about in sig, each as "file:line:col:
// warning: message": what is valid but most likely a mistake: an event
// this build cannot run, a variable only some of the events' fires set
// (parse.VarWarnings), and a message action to syslog whose line one of
// the DS's own syslog events could match. The daemon never delivers a DS's own lines to it
// (and cuts a chain of lines that trigger one another), so the DS does
// not loop, but the line never reaches that event either.
//
// The check renders what lint knows (the DS's id, name and revision); a
// variable without a value stays as written in the text and matches
// anything in a pattern.
func Warnings(sig *ds.Signature) []string {
	known := map[string]string{"ds_signature_id": sig.ID, "ds_signature_name": sig.Name,
		"ds_signature_revision": string(sig.Revision)}
	type pattern struct {
		ev ds.Event
		re *regexp.Regexp
	}
	var patterns []pattern
	for _, ev := range sig.Events {
		if ev.Type == ds.EventEEM {
			line, err := eventtypes.ParseEEM(ev.EEMLine)
			if err != nil {
				continue
			}
			line.ID = ev.ID
			ev = line
		}
		if ev.Type != ds.EventSyslog || ev.Pattern == "" {
			continue
		}
		src, missing := vars.Substitute(ev.Pattern, known)
		if len(missing) > 0 {
			any := map[string]string{}
			for _, name := range missing {
				any[name] = "(?s:.*)"
			}
			src, _ = vars.Substitute(src, any)
		}
		if re, err := regexp.Compile(src); err == nil {
			patterns = append(patterns, pattern{ev, re})
		}
	}
	// Variables only some fires set.
	out := parse.VarWarnings(sig)
	for _, a := range sig.Actions {
		if a.Type != ds.ActionMessage || a.To != "" && a.To != "syslog" {
			continue
		}
		text, _ := vars.Substitute(strings.TrimSpace(a.Text), known)
		line := message.Line(a.Severity, text)
		for _, p := range patterns {
			if p.ev.Severity.Admits(a.Severity) && p.re.MatchString(line) {
				out = append(out, fmt.Sprintf("%s: warning: the message \"%s\" could match the pattern of this DS's own event %s, \"%s\": "+
					"a DS is never triggered by its own lines, so change the text or the pattern",
					a.Pos, english.Cut(line, 80), p.ev.ID, english.Cut(p.ev.Pattern, 80)))
				break
			}
		}
	}
	return out
}
