package types

import (
	"os"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/clock"
)

// TestTable: every action type in the table describes itself completely:
// a summary, a README (embedded from its folder) with an example and its
// attributes, attribute docs and a parser, a constructor, a `show …
// actions` line, and its row in docs/ds-format.md.
func TestTable(t *testing.T) {
	formats, err := os.ReadFile("../../../docs/ds-format.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ds.ActionType]bool{}
	for _, d := range All() {
		t.Run(string(d.Type), func(t *testing.T) {
			if d.Type == "" || seen[d.Type] {
				t.Fatalf("type %q is empty or listed twice", d.Type)
			}
			seen[d.Type] = true
			if d.Summary == "" {
				t.Error("no Summary")
			}
			if !strings.HasPrefix(d.README, "# ") || !strings.Contains(d.README, `type="`+string(d.Type)+`"`) {
				t.Errorf("README.md is missing or has no example with type=%q", d.Type)
			}
			for _, a := range d.Attrs {
				if a.Name == "" || a.Doc == "" {
					t.Errorf("attribute %+v has no name or doc", a)
				}
				if !strings.Contains(d.README, "`"+a.Name+"`") {
					t.Errorf("README.md does not document attribute %s", a.Name)
				}
				if !strings.Contains(string(formats), "`"+a.Name+"`") {
					t.Errorf("docs/ds-format.md does not document attribute %s", a.Name)
				}
			}
			if d.Parse == nil || d.New == nil || d.Show == nil {
				t.Fatal("no Parse, New or Show")
			}
			if line := d.Show(ds.Action{Type: d.Type, Text: "x"}, &ds.Signature{ID: "6030"}, "p"); line == "" {
				t.Error("Show gave an empty line")
			}
			if d.New(action.Deps{Clock: clock.NewVirtual(ds.RealClock{}.Now())}) == nil {
				t.Error("New built no Action")
			}
			if !strings.Contains(string(formats), "| `"+string(d.Type)+"` |") {
				t.Errorf("docs/ds-format.md has no row for type %s", d.Type)
			}
		})
	}
	if got := Types(); len(got) != len(seen) {
		t.Errorf("Types() = %q", got)
	}
}
