package show

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds/config"
)

// gmt is how the guide prints times: GMT, to the second.
const gmt = "2006-01-02 15:04:05"

// Settings writes `show call-home diagnostic-signature` without an id: the
// DS settings of the configuration, then the table of stored DS.
func Settings(w io.Writer, cfg *config.Config, entries []bootflash.Entry) {
	fmt.Fprintln(w, "Current diagnostic-signature settings:")
	fmt.Fprintln(w, " Diagnostic-signature: enabled")
	profile := cfg.DiagnosticSignature.Profile
	switch p := cfg.DSProfile(); {
	case profile == "":
		fmt.Fprintln(w, " Profile: Not yet set up")
	case p == nil:
		fmt.Fprintf(w, " Profile: %s (status: NOT EXIST)\n", profile)
	case p.Active:
		fmt.Fprintf(w, " Profile: %s (status: ACTIVE)\n", p.Name)
	default:
		fmt.Fprintf(w, " Profile: %s (status: INACTIVE)\n", p.Name)
	}
	fmt.Fprintln(w, " Environment variable:")
	env := cfg.DiagnosticSignature.Environment
	if len(env) == 0 {
		fmt.Fprintln(w, "           Not yet set up")
	}
	for _, v := range env {
		fmt.Fprintf(w, "           %s: %s\n", v.Name, v.Value)
	}
	fmt.Fprintln(w, "Downloaded DSes:")
	if len(entries) == 0 {
		fmt.Fprintln(w, " None; download with `call-home diagnostic-signature download ID|all`")
		return
	}
	fmt.Fprintln(w, "DS ID      DS Name                   Revision  Status      Last Update (GMT+00:00)")
	fmt.Fprintln(w, "---------- ------------------------- --------- ----------- -----------------------")
	for _, e := range entries {
		fmt.Fprintf(w, "%-10s %-25s %-9s %-11s %s\n", cut(e.ID, 10), cut(e.Name, 25), cut(string(e.Revision), 9),
			e.Status, stamp(e.LastUpdate))
	}
}

// cut shortens s to n characters, marking the cut with "~" as IOS does
// with long names in tables.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "~"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(gmt)
}

// table writes rows as columns padded to their widest cell, with a line of
// dashes under the header, indented by two spaces.
func table(w io.Writer, header []string, rows [][]string) {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			if n := len([]rune(c)); n > widths[i] {
				widths[i] = n
			}
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range cells {
			if i == len(cells)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+1))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(header)
	dashes := make([]string, len(header))
	for i, n := range widths {
		dashes[i] = strings.Repeat("-", n)
	}
	line(dashes)
	for _, r := range rows {
		line(r)
	}
}
