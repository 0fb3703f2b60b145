package parse

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// adversarial is a file near the size limit that produces one error per few
// bytes, in a place where mapping an error back to its position could cost
// a pass over the file each time.
type adversarial struct {
	name string
	data string
	// errs counts the errors expected, by a part of their message; the
	// file has no others.
	errs map[string]int
}

// fill repeats unit to make a file of about MaxFileSize bytes around the
// given prefix and suffix, and says how many units it holds.
func fill(prefix, unit, suffix string) (string, int) {
	n := (MaxFileSize - len(prefix) - len(suffix) - 64) / len(unit)
	return prefix + strings.Repeat(unit, n) + suffix, n
}

// adversarialFiles are the files TestAdversarialFiles checks and
// BenchmarkAdversarialFiles times.
func adversarialFiles() []adversarial {
	head := `<DiagnosticSignature id="1" revision="1"><Name>n</Name><Events><Event type="immediate"/></Events><Actions>`
	tail := `</Actions></DiagnosticSignature>`
	const notDS = "${} is not a ds_ variable"
	const missingName, missingActions = "missing <Name> in", "missing <Actions> in"
	var files []adversarial
	// units adds a file of repeated units, whose errors want gives from
	// the number of units.
	units := func(name, prefix, unit, suffix string, want func(n int) map[string]int) {
		data, n := fill(prefix, unit, suffix)
		files = append(files, adversarial{name, data, want(n)})
	}
	each := func(msg string) func(int) map[string]int {
		return func(n int) map[string]int { return map[string]int{msg: n} }
	}
	units("refs after entities", head+`<Action type="command">`, "&amp;${}", `</Action>`+tail, each(notDS))
	units("refs between comments", head+`<Action type="command">`, "${}<!---->", `</Action>`+tail, each(notDS))
	units("refs in one attribute", head+`<Action type="emailto" to="a@b" subject="`, "${}", `"/>`+tail, each(notDS))
	units("empty addresses", head+`<Action type="emailto" to="`, ",", `"/>`+tail, func(int) map[string]int {
		return map[string]int{"has an empty address": 1}
	})
	units("unknown elements", head, "<x/>", tail, func(n int) map[string]int {
		return map[string]int{"unknown element <x> in <Actions>": n, "<Actions> has no <Action>": 1}
	})
	units("unknown text", head+`<Action type="call-home"/>`, "x<!---->", tail, func(int) map[string]int {
		return map[string]int{`unexpected text "xxx`: 1}
	})
	units("long EEM line", `<DiagnosticSignature id="1" revision="1"><Events><Event type="eem">event syslog`, " maxrun 1",
		`</Event></Events></DiagnosticSignature>`, func(int) map[string]int {
			return map[string]int{`duplicate option "maxrun"`: 1, missingName: 1, missingActions: 1}
		})
	units("nested groups in regex", `<DiagnosticSignature id="1" revision="1"><Events><Event type="syslog" pattern="`, "(",
		`"/></Events></DiagnosticSignature>`, func(int) map[string]int {
			return map[string]int{"not a valid RE2 regular expression: missing closing )": 1, missingName: 1, missingActions: 1}
		})
	units("many declarations", `<DiagnosticSignature id="1" revision="1"><Variables>`, `<Variable name="ds_a" source="environment"/>`,
		`</Variables></DiagnosticSignature>`, func(n int) map[string]int {
			return map[string]int{"variable ds_a is declared twice": n - 1, missingName: 1, "missing <Events> in": 1, missingActions: 1}
		})
	var events strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&events, `<Event id="e%d" type="immediate"/>`, i)
	}
	files = append(files,
		adversarial{"many events", `<DiagnosticSignature id="1" revision="1"><Name>n</Name><Events>` + events.String() +
			`<Correlate>e1 and e20001</Correlate></Events><Actions><Action type="call-home"/></Actions></DiagnosticSignature>`,
			map[string]int{"<Events> has 20000 events; the limit is 64": 1, `Correlate names unknown event "e20001"`: 1}},
		adversarial{"many attributes", `<DiagnosticSignature ` + strings.Repeat(`a="" `, 200000) + `/>`,
			map[string]int{"has 200000 attributes; the limit is 32": 1}},
	)
	return files
}

// Bounds on what parsing one adversarial file may allocate, per byte of
// the file: about twice the most any of them takes (2.5 allocations and
// 234 bytes with -race, for the regular expression of nested groups and
// the unknown elements). A pass over the file per error would allocate
// thousands of times more.
const (
	maxAllocsPerByte = 5
	maxBytesPerByte  = 512
)

// TestAdversarialFiles checks that each adversarial file is refused with
// exactly its errors, each message short, and that parsing it allocates
// in proportion to its size. How long it takes is measured by
// BenchmarkAdversarialFiles, not asserted.
func TestAdversarialFiles(t *testing.T) {
	for _, f := range adversarialFiles() {
		t.Run(f.name, func(t *testing.T) {
			if len(f.data) > MaxFileSize {
				t.Fatalf("%d bytes, over the limit", len(f.data))
			}
			data := []byte(f.data)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := ParseSignature("big.xml", data)
			runtime.ReadMemStats(&after)
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("err = %v, want an ErrorList", err)
			}
			got := map[string]int{}
			longest := 0
		next:
			for _, e := range list {
				longest = max(longest, len(e.Msg))
				for part := range f.errs {
					if strings.Contains(e.Msg, part) {
						got[part]++
						continue next
					}
				}
				t.Errorf("unexpected error %s", e)
				break
			}
			for part, n := range f.errs {
				if got[part] != n {
					t.Errorf("%d errors with %q, want %d", got[part], part, n)
				}
			}
			allocs, bytes := after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
			t.Logf("%8d bytes %7d errors (longest %d bytes), %d allocations, %d bytes allocated",
				len(data), len(list), longest, allocs, bytes)
			if longest > 400 {
				t.Errorf("an error message is %d bytes long", longest)
			}
			if allocs > maxAllocsPerByte*uint64(len(data)) || bytes > maxBytesPerByte*uint64(len(data)) {
				t.Errorf("%d allocations, %d bytes allocated for a file of %d bytes; the bounds are %d and %d per byte",
					allocs, bytes, len(data), maxAllocsPerByte, maxBytesPerByte)
			}
		})
	}
}

// BenchmarkAdversarialFiles times the parse of each adversarial file, for
// `make bench`: tens to hundreds of milliseconds each today; a pass over
// the file per error would take tens of seconds or more.
func BenchmarkAdversarialFiles(b *testing.B) {
	for _, f := range adversarialFiles() {
		b.Run(strings.ReplaceAll(f.name, " ", "_"), func(b *testing.B) {
			data := []byte(f.data)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseSignature("big.xml", data); err == nil {
					b.Fatal("no error")
				}
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
