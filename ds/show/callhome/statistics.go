package callhome

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/dsengine/dsengine/ds/notify/outbox"
)

// Statistics writes `show call-home statistics`: the Total Success,
// In-Queue, Failed and Ratelimit-dropped blocks, each a total row and a row
// per message type, with the Total, Email and HTTP columns, then the time
// of the last message sent.
//
// The rows are those of the guide's sample (Config, Crash, Environment,
// Inventory, Snapshot, SysLog, Test, Request, Send-CLI) and DS for the
// messages of diagnostic signatures; Diagnostic, and any other type the
// outbox counted, get a row only when one of the blocks counts them, so
// nothing counted is hidden.
func Statistics(w io.Writer, s outbox.Statistics) {
	types := statisticsRows(s)
	fmt.Fprintln(w, "Message Types    Total                Email                HTTP")
	fmt.Fprintln(w, "-------------   "+dashes(20)+" "+dashes(20)+" "+dashes(18))
	blocks := []struct {
		title []string // the total row's label, over one or two lines
		table outbox.Table
	}{
		{[]string{"Total Success"}, s.Success},
		{[]string{"Total In-Queue"}, s.InQueue},
		{[]string{"Total Failed"}, s.Failed},
		{[]string{"Total Ratelimit", "      -dropped"}, s.RatelimitDropped},
	}
	for i, b := range blocks {
		if i > 0 {
			fmt.Fprintln(w)
		}
		for _, t := range b.title[:len(b.title)-1] {
			fmt.Fprintln(w, t)
		}
		countRow(w, b.title[len(b.title)-1], b.table.Total())
		for _, t := range types {
			countRow(w, "    "+cut(string(t), 11), b.table[t])
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Last call-home message sent time: %s\n", sentTime(s.LastSent))
}

// statisticsRows returns the message types that get a row, in order.
func statisticsRows(s outbox.Statistics) []outbox.MessageType {
	counted := func(t outbox.MessageType) bool {
		for _, tb := range []outbox.Table{s.Success, s.InQueue, s.Failed, s.RatelimitDropped} {
			if c := tb[t]; c.Email != 0 || c.HTTP != 0 {
				return true
			}
		}
		return false
	}
	known := outbox.MessageTypes()
	var rows []outbox.MessageType
	for _, t := range known {
		if t != outbox.TypeDiagnostic || counted(t) {
			rows = append(rows, t)
		}
	}
	var extra []outbox.MessageType
	for _, tb := range []outbox.Table{s.Success, s.InQueue, s.Failed, s.RatelimitDropped} {
		for t := range tb {
			if !slices.Contains(known, t) && !slices.Contains(extra, t) && counted(t) {
				extra = append(extra, t)
			}
		}
	}
	slices.Sort(extra)
	return append(rows, extra...)
}

// countRow writes one row: a label of 16 columns, then the three counts in
// columns of 21.
func countRow(w io.Writer, label string, c outbox.Count) {
	fmt.Fprintf(w, "%-16s%-20d %-20d %d\n", label, c.Total(), c.Email, c.HTTP)
}

// cut shortens a row name to n characters, marking the cut with "~" as IOS
// does with long names in tables, so that the columns stay aligned.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "~"
}

// sentTime prints the last-sent time as the guide does, "2011-09-26
// 23:26:50 GMT-08:00" in the time's own zone, or "n/a" if nothing was sent.
func sentTime(t time.Time) string {
	if t.IsZero() {
		return "n/a"
	}
	return t.Format("2006-01-02 15:04:05") + " GMT" + t.Format("-07:00")
}
