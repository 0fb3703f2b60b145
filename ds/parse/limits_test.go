package parse

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fill repeats unit to make a file of about MaxFileSize bytes around the
// given prefix and suffix.
func fill(prefix, unit, suffix string) string {
	n := (MaxFileSize - len(prefix) - len(suffix) - 64) / len(unit)
	return prefix + strings.Repeat(unit, n) + suffix
}

// TestAdversarialFilesAreFast feeds files near the size limit that produce
// one error per few bytes, in the places where mapping an error back to its
// position could cost a pass over the file each time.
func TestAdversarialFilesAreFast(t *testing.T) {
	head := `<DiagnosticSignature id="1" revision="1"><Name>n</Name><Events><Event type="immediate"/></Events><Actions>`
	tail := `</Actions></DiagnosticSignature>`
	many := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(f(i))
		}
		return b.String()
	}
	cases := map[string]string{
		"refs after entities":    fill(head+`<Action type="command">`, "&amp;${}", `</Action>`+tail),
		"refs between comments":  fill(head+`<Action type="command">`, "${}<!---->", `</Action>`+tail),
		"refs in one attribute":  fill(head+`<Action type="emailto" to="a@b" subject="`, "${}", `"/>`+tail),
		"empty addresses":        fill(head+`<Action type="emailto" to="`, ",", `"/>`+tail),
		"unknown elements":       fill(head, "<x/>", tail),
		"unknown text":           fill(head+"<Action type=\"call-home\"/>", "x<!---->", tail),
		"long EEM line":          fill(`<DiagnosticSignature id="1" revision="1"><Events><Event type="eem">event syslog`, " maxrun 1", `</Event></Events></DiagnosticSignature>`),
		"nested groups in regex": fill(`<DiagnosticSignature id="1" revision="1"><Events><Event type="syslog" pattern="`, "(", `"/></Events></DiagnosticSignature>`),
		"many events": `<DiagnosticSignature id="1" revision="1"><Name>n</Name><Events>` +
			many(20000, func(i int) string { return fmt.Sprintf(`<Event id="e%d" type="immediate"/>`, i) }) +
			`<Correlate>e1 and e20001</Correlate></Events><Actions><Action type="call-home"/></Actions></DiagnosticSignature>`,
		"many attributes":   `<DiagnosticSignature ` + strings.Repeat(`a="" `, 200000) + `/>`,
		"many declarations": fill(`<DiagnosticSignature id="1" revision="1"><Variables>`, `<Variable name="ds_a" source="environment"/>`, `</Variables></DiagnosticSignature>`),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if len(data) > MaxFileSize {
				t.Fatalf("%d bytes, over the limit", len(data))
			}
			start := time.Now()
			_, err := ParseSignature("big.xml", []byte(data))
			d := time.Since(start)
			if err == nil {
				t.Fatalf("no error")
			}
			list := err.(ErrorList)
			longest := 0
			for _, e := range list {
				longest = max(longest, len(e.Msg))
			}
			t.Logf("%8d bytes %7d errors (longest %d bytes) %v", len(data), len(list), longest, d)
			if longest > 400 {
				t.Errorf("an error message is %d bytes long", longest)
			}
			if d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestPatternCostLimits: a DS may have at most MaxEvents events and
// MaxLiteralFreePatterns syslog patterns without a literal (which the
// match index runs on every line); past either, it is refused with the
// count and the limit, at lint and install alike (both parse).
func TestPatternCostLimits(t *testing.T) {
	events := func(n int, pattern func(i int) string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `<Event id="e%d" type="syslog" pattern="%s"/>`, i, pattern(i))
		}
		return `<DiagnosticSignature id="1" revision="1"><Name>n</Name><Events>` + b.String() +
			`<Correlate>e0 or e1</Correlate></Events><Actions><Action type="call-home"/></Actions></DiagnosticSignature>`
	}
	literal := func(i int) string { return fmt.Sprintf("%%LINK-3-UPDOWN: Interface Gi0/%d,", i) }
	free := func(i int) string { return fmt.Sprintf(`\d+\.%d`, i) }
	eemFree := `<Event id="eem" type="eem">event syslog pattern "(a|b)c"</Event>`
	for _, c := range []struct {
		name, xml string
		want      string // "" when the file parses
	}{
		{"at the event limit", events(MaxEvents, literal), ""},
		{"over the event limit", events(MaxEvents+1, literal),
			fmt.Sprintf(`<Events> has %d events; the limit is %d`, MaxEvents+1, MaxEvents)},
		{"at the literal-free limit", events(MaxLiteralFreePatterns, free), ""},
		{"over the literal-free limit", events(MaxLiteralFreePatterns+1, free),
			fmt.Sprintf(`%d syslog patterns have no literal of 3 bytes (they run on every line); the limit is %d per DS`,
				MaxLiteralFreePatterns+1, MaxLiteralFreePatterns)},
		{"an EEM line counts", strings.Replace(events(MaxLiteralFreePatterns, free), "<Correlate>", eemFree+"<Correlate>", 1),
			fmt.Sprintf(`%d syslog patterns have no literal`, MaxLiteralFreePatterns+1)},
		{"a variable is no literal", events(MaxLiteralFreePatterns+1, func(i int) string { return fmt.Sprintf("${ds_x%d}", i) }),
			fmt.Sprintf(`%d syslog patterns have no literal`, MaxLiteralFreePatterns+1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSignature("t.xml", []byte(c.xml))
			var list ErrorList
			errors.As(err, &list)
			var msgs []string
			for _, e := range list {
				if !strings.Contains(e.Msg, "not declared") { // the ${ds_x} case
					msgs = append(msgs, e.Error())
				}
			}
			switch {
			case c.want == "" && len(msgs) > 0:
				t.Errorf("refused: %s", strings.Join(msgs, "\n"))
			case c.want != "" && !strings.Contains(strings.Join(msgs, "\n"), c.want):
				t.Errorf("errors:\n%s\nwant one containing %q", strings.Join(msgs, "\n"), c.want)
			}
		})
	}
}
