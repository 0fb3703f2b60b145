package types

import (
	"os"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// TestTableIsComplete: every source has a name the configuration's `?`
// offers, a usage that starts with its line, a summary, a row in
// docs/operations.md, and a New that accepts its line without arguments
// (every source runs with its defaults) and opens nothing.
func TestTableIsComplete(t *testing.T) {
	docs, err := os.ReadFile("../../../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	offered := map[string]bool{}
	for _, c := range iosconfig.Help(iosconfig.Path{"dsengine"}, "source ") {
		offered[c.Word] = true
	}
	if !offered["netlink"] || len(All()) == 0 {
		t.Fatalf("source ? offers %v; the table has %d sources", offered, len(All()))
	}
	seen := map[string]bool{}
	for _, d := range All() {
		if seen[d.Name] {
			t.Errorf("source %s twice in the table", d.Name)
		}
		seen[d.Name] = true
		if !offered[d.Name] {
			t.Errorf("source %s: `source ?` in the dsengine block does not offer it (ds/parse/iosconfig/syntax.go)", d.Name)
		}
		if !strings.HasPrefix(d.Usage, "source "+d.Name) || d.Summary == "" {
			t.Errorf("source %s: usage %q, summary %q", d.Name, d.Usage, d.Summary)
		}
		if !strings.Contains(string(docs), "| "+d.Name+" | `source "+d.Name) {
			t.Errorf("source %s has no row in docs/operations.md's Native event sources table", d.Name)
		}
		if _, err := New("t.conf", config.SourceRef{Name: d.Name, Line: 3}); err != nil {
			t.Errorf("source %s without arguments: %v", d.Name, err)
		}
	}
}

func TestUnknownSourceNamesTheLine(t *testing.T) {
	_, err := New("t.conf", config.SourceRef{Name: "nosuch", Line: 7})
	if err == nil || !strings.HasPrefix(err.Error(), "t.conf:7: source nosuch: no such source; the sources are ") {
		t.Errorf("unknown source: %v", err)
	}
}
