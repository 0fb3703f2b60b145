package show

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/actions/action"
	actiontypes "github.com/dsengine/dsengine/ds/actions/types"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/dsengine/dsengine/internal/english"
)

// Views are the words after `show call-home diagnostic-signature ID`.
var Views = []string{"actions", "events", "prerequisite", "prompt", "variables", "failure", "statistics", "download"}

// Context is what the detail views need besides the DS's entry.
type Context struct {
	Hostname      string
	Platform      string
	EngineVersion ds.Revision
	Environment   map[string]string
	DSProfile     string
	Now           time.Time
}

// Detail writes one view of one DS. The entry's Signature may be nil (a DS
// that failed its check): views that need the DS say so.
func Detail(w io.Writer, view string, e bootflash.Entry, c Context) error {
	fmt.Fprintf(w, "DS %s %s (revision %s, %s)\n", e.ID, e.Name, e.Revision, e.Status)
	switch view {
	case "failure":
		failure(w, e)
		return nil
	case "statistics":
		statistics(w, e.Stats)
		return nil
	case "download":
		download(w, e.Download)
		return nil
	}
	sig := e.Signature
	if sig == nil {
		reason := e.FailureReason
		if reason == "" {
			reason = "it is not loaded"
		}
		fmt.Fprintf(w, " The DS did not pass its check, so its %s cannot be shown:\n  %s\n", view, reason)
		return nil
	}
	switch view {
	case "actions":
		actions(w, sig, e.Stats, c)
	case "events":
		events(w, sig)
	case "prerequisite":
		prerequisite(w, sig.Prerequisite, c)
	case "prompt":
		prompts(w, sig, e.PromptAnswers)
	case "variables":
		variables(w, sig, e.PromptAnswers, c)
	default:
		return fmt.Errorf("unknown view %q; expected one of %s", view, strings.Join(Views, ", "))
	}
	return nil
}

func actions(w io.Writer, sig *ds.Signature, st bootflash.Stats, c Context) {
	rows := make([][]string, 0, len(sig.Actions))
	for i, a := range sig.Actions {
		rows = append(rows, []string{fmt.Sprint(i + 1), string(a.Type), actionDetail(a, sig, c)})
	}
	fmt.Fprintln(w, " Actions, in the order they run:")
	table(w, []string{"#", "Type", "Detail"}, rows)
	fmt.Fprintf(w, " Actions run: %d, failed: %d", st.ActionsRun, st.ActionsFailed)
	if !st.LastAction.IsZero() {
		result := "ok"
		if st.LastActionFailed {
			result = "failed"
		}
		fmt.Fprintf(w, "; last at %s GMT, %s: %s", stamp(st.LastAction), result, st.LastActionResult)
	}
	fmt.Fprintln(w)
}

// actionDetail is the action's line, as its type describes it.
func actionDetail(a ds.Action, sig *ds.Signature, c Context) string {
	if d, ok := actiontypes.Lookup(a.Type); ok && d.Show != nil {
		return d.Show(a, sig, c.DSProfile)
	}
	return action.OneLine(a.Text)
}

func events(w io.Writer, sig *ds.Signature) {
	rows := make([][]string, 0, len(sig.Events))
	for _, e := range sig.Events {
		rows = append(rows, []string{e.ID, string(e.Type), eventDetail(e)})
	}
	fmt.Fprintln(w, " Events:")
	table(w, []string{"ID", "Type", "Detail"}, rows)
	if cr := sig.Correlate; cr != nil {
		window := cr.Window
		if window == 0 {
			window = ds.DefaultCorrelateWindow
		}
		fmt.Fprintf(w, " Correlation: %s within %s", strings.Join(strings.Fields(cr.Expr), " "), window)
		if cr.Occurs > 1 {
			fmt.Fprintf(w, ", %d times", cr.Occurs)
		}
		if cr.Delay > 0 {
			fmt.Fprintf(w, ", delay %s", cr.Delay)
		}
		if cr.GroupBy != "" {
			fmt.Fprintf(w, ", per %s", cr.GroupBy)
		}
		fmt.Fprintln(w)
	}
}

// eventDetail describes an event: its type's show line (the detector
// table's), then the EEM line it came from, if any.
func eventDetail(e ds.Event) string {
	var parts []string
	if d, ok := types.Lookup(e.Type); ok && d.Show != nil {
		parts = append(parts, d.Show(e))
	}
	if e.EEMLine != "" {
		parts = append(parts, fmt.Sprintf("from EEM line `%s`", e.EEMLine))
	}
	return strings.Join(parts, ", ")
}

func prerequisite(w io.Writer, p ds.Prerequisite, c Context) {
	if len(p.Platforms) == 0 && p.MinEngineVersion == "" {
		fmt.Fprintln(w, " Prerequisite: none")
		return
	}
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	if len(p.Platforms) > 0 {
		ok := false
		for _, pl := range p.Platforms {
			ok = ok || strings.EqualFold(pl, c.Platform)
		}
		fmt.Fprintf(w, " Platform:           %s (this host: %s) %s\n", strings.Join(p.Platforms, " or "), c.Platform, met(ok))
	}
	if p.MinEngineVersion != "" {
		ok := c.EngineVersion.Compare(p.MinEngineVersion) >= 0
		fmt.Fprintf(w, " Min engine version: %s (this engine: %s) %s\n", p.MinEngineVersion, c.EngineVersion, met(ok))
	}
}

func prompts(w io.Writer, sig *ds.Signature, answers map[string]string) {
	var rows [][]string
	for _, v := range sig.Variables {
		if v.Source != ds.SourcePrompt {
			continue
		}
		answer, ok := answers[v.Name]
		if !ok {
			answer = "(not answered)"
		}
		rows = append(rows, []string{v.Name, v.Prompt, v.Default, answer})
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, " Prompt variables: none")
		return
	}
	fmt.Fprintln(w, " Prompt variables:")
	table(w, []string{"Variable", "Prompt", "Default", "Answer"}, rows)
}

func variables(w io.Writer, sig *ds.Signature, answers map[string]string, c Context) {
	known := vars.Known{Hostname: c.Hostname, Environment: c.Environment, Prompts: answers, Now: c.Now}
	values := vars.Values(sig, known)
	var rows [][]string
	system := append([]string(nil), ds.SystemVariables...)
	for _, name := range system {
		rows = append(rows, []string{name, string(ds.SourceSystem), "yes", values[name]})
	}
	for _, v := range sig.Variables {
		switch v.Source {
		case ds.SourceRegex:
			rows = append(rows, []string{v.Name, string(v.Source), "at run", fmt.Sprintf("from `%s` /%s/", v.Command, v.Pattern)})
		default:
			val, ok := values[v.Name]
			resolved := "yes"
			if !ok {
				resolved, val = "NO", "(pending)"
			}
			rows = append(rows, []string{v.Name, string(v.Source), resolved, val})
		}
	}
	used := usedSyslogVariables(sig)
	for _, name := range used {
		rows = append(rows, []string{name, string(ds.SourceSyslog), "at run", "from the event that fired"})
	}
	fmt.Fprintln(w, " Variables:")
	table(w, []string{"Variable", "Source", "Resolved", "Value"}, rows)
}

// usedSyslogVariables lists the syslog variables the DS refers to.
func usedSyslogVariables(sig *ds.Signature) []string {
	seen := map[string]bool{}
	scan := func(s string) {
		for {
			i := strings.Index(s, "${ds_syslog_")
			if i < 0 {
				return
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return
			}
			seen[s[i+2:i+j]] = true
			s = s[i+j:]
		}
	}
	for _, e := range sig.Events {
		scan(e.Pattern)
	}
	for _, a := range sig.Actions {
		scan(a.Text)
		scan(a.To)
		scan(a.Subject)
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func failure(w io.Writer, e bootflash.Entry) {
	if e.Status == ds.StatusPending && e.FailureReason != "" {
		fmt.Fprintf(w, " Pending: %s\n", e.FailureReason)
	}
	if e.Status != ds.StatusFailed && !e.Stats.LastActionFailed {
		fmt.Fprintln(w, " No failure recorded.")
		return
	}
	if e.Status == ds.StatusFailed {
		fmt.Fprintf(w, " Failure: %s\n", e.FailureReason)
	}
	if e.Stats.LastActionFailed {
		fmt.Fprintf(w, " Last action failed at %s GMT: %s\n", stamp(e.Stats.LastAction), e.Stats.LastActionResult)
	}
}

func statistics(w io.Writer, st bootflash.Stats) {
	fmt.Fprintf(w, " Triggered:      %d", st.Triggers)
	if !st.LastTrigger.IsZero() {
		fmt.Fprintf(w, ", last at %s GMT", stamp(st.LastTrigger))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, " Completed runs: %d", st.Runs)
	if st.Runs > 0 {
		fmt.Fprintf(w, ", average run time %s", st.AvgRunTime().Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	// A run a script ended on purpose is not a completed one: `ds test
	// --expect` and the metrics count them apart too.
	fmt.Fprintf(w, " Suppressed:     %s", english.Plural(int(st.Suppressed), "run"))
	if st.LastSuppressed != "" {
		fmt.Fprintf(w, ", last: %s", st.LastSuppressed)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, " Failed runs:    %d\n", st.FailedRuns)
	fmt.Fprintf(w, " Actions run:    %d", st.ActionsRun)
	if len(st.ByAction) > 0 {
		types := make([]string, 0, len(st.ByAction))
		for t := range st.ByAction {
			types = append(types, string(t))
		}
		sort.Strings(types)
		var parts []string
		for _, t := range types {
			parts = append(parts, fmt.Sprintf("%s %d", t, st.ByAction[ds.ActionType(t)]))
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, " Actions failed: %d\n", st.ActionsFailed)
	for _, g := range st.Keys {
		// Keys are values from syslog lines: quoted, so a space or a
		// control character cannot forge a line.
		fmt.Fprintf(w, " Keys of %s (group-by %s), as of the last run: %d held of %d, %s evicted\n",
			g.What, g.GroupBy, g.Held, g.Max, english.Plural(int(g.Evicted), "key"))
		for _, k := range g.Top {
			fmt.Fprintf(w, "   %-24q %s", k.Key, english.Plural(int(k.Triggers), "trigger"))
			if !k.Last.IsZero() {
				fmt.Fprintf(w, ", last at %s GMT", stamp(k.Last))
			}
			fmt.Fprintln(w)
		}
	}
}

func download(w io.Writer, d bootflash.Download) {
	if d.LastAttempt.IsZero() {
		fmt.Fprintln(w, " Not downloaded from a repository (installed from a file, or never attempted).")
		return
	}
	fmt.Fprintf(w, " Last attempt: %s GMT\n", stamp(d.LastAttempt))
	fmt.Fprintf(w, " Result:       %s\n", d.Result)
	fmt.Fprintf(w, " Bytes:        %d\n", d.Bytes)
	fmt.Fprintf(w, " Time:         %s\n", d.Duration.Round(time.Millisecond))
}
