package parse

import (
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
