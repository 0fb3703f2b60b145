package types

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds"
)

// TestTable checks that every type in the table describes itself
// completely: a README (embedded from its folder) that documents its
// attributes, its EEM form and its variables; attribute docs and a parser
// for them; a constructor and a show line for each detector; and its rows
// in docs/ds-format.md.
func TestTable(t *testing.T) {
	formats, err := os.ReadFile("../../../../docs/ds-format.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ds.EventType]bool{}
	keywords := map[string]bool{}
	for _, d := range All() {
		name := string(d.Type)
		t.Run(name, func(t *testing.T) {
			if d.Type == "" || seen[d.Type] {
				t.Fatalf("type %q is empty or listed twice", d.Type)
			}
			seen[d.Type] = true
			if d.Summary == "" {
				t.Error("no Summary")
			}
			readme := d.README
			if !strings.HasPrefix(readme, "# ") || len(readme) < 200 {
				t.Errorf("README.md is missing or too short (%d bytes)", len(readme))
			}
			for _, section := range []string{"## DS attributes", "## EEM form", "## Variables", "## Show", "## Example"} {
				if d.Type != ds.EventEEM && !strings.Contains(readme, section) {
					t.Errorf("README.md has no %q section", section)
				}
			}

			// Attributes: documented in the descriptor and the README, and parsed.
			for _, a := range d.Attrs {
				if a.Name == "" || a.Doc == "" {
					t.Errorf("attribute %+v has no name or doc", a)
				}
				if !strings.Contains(readme, "`"+a.Name+"`") {
					t.Errorf("README.md does not document attribute %s", a.Name)
				}
			}
			if (len(d.Attrs) > 0) != (d.ParseAttrs != nil) {
				t.Errorf("%d attributes but ParseAttrs set: %v", len(d.Attrs), d.ParseAttrs != nil)
			}

			// The EEM form.
			if d.EEMOnly && d.EEM == nil {
				t.Error("EEMOnly without an EEM form")
			}
			if d.EEM != nil {
				kw := d.EEM.Keyword
				if kw == "" || keywords[kw] || d.EEM.Parse == nil {
					t.Errorf("EEM keyword %q is empty, taken or has no parser", kw)
				}
				keywords[kw] = true
				if !strings.Contains(readme, "event [tag T] "+kw) {
					t.Errorf("README.md does not show the EEM form `event [tag T] %s …`", kw)
				}
				if !strings.Contains(string(formats), "| `event "+kw) {
					t.Errorf("docs/ds-format.md has no row for EEM lines `event %s`", kw)
				}
			}
			if !d.EEMOnly && !strings.Contains(string(formats), "| `"+name+"` |") {
				t.Errorf("docs/ds-format.md has no row for type %s", name)
			}

			// A detector: built by New, described by Show.
			if d.Type == ds.EventEEM {
				if d.New != nil || d.EEM != nil || d.EEMOnly {
					t.Error("eem is a line naming another type: no constructor, form or EEMOnly")
				}
				return
			}
			if d.New == nil || d.Show == nil {
				t.Fatalf("no constructor (%v) or show line (%v)", d.New != nil, d.Show != nil)
			}
			if s := d.Show(ds.Event{Type: d.Type, Severity: ds.SeverityAny}); s == "" {
				t.Error("empty show line")
			}

			// Variables: documented in the README.
			names := append([]string(nil), d.Builtins...)
			for _, v := range d.Vars {
				names = append(names, v.Name)
			}
			if d.Captures {
				names = append(names, "ds_syslog_1")
			}
			for _, v := range names {
				if !strings.Contains(readme, "`"+v+"`") {
					t.Errorf("README.md does not document variable %s", v)
				}
			}
		})
	}
	if !seen[ds.EventEEM] {
		t.Error("eem is not in the table")
	}
}

// Every DS type the EEM lines name parses into the type of its descriptor.
func TestParseEEM(t *testing.T) {
	lines := map[string]ds.EventType{
		`event syslog pattern "x"`:     ds.EventSyslog,
		`event timer watchdog time 5`:  ds.EventPeriodic,
		`event oir`:                    ds.EventOIR,
		`event config`:                 ds.EventConfig,
		`event none`:                   ds.EventNone,
		`event track 1`:                ds.EventTrack,
		`event cli pattern "^reload"`:  ds.EventCLI,
		`event tag x syslog pattern y`: ds.EventSyslog,
		`event counter name c entry-op gt entry-val 1 exit-time 5`:                          ds.EventCounter,
		`event snmp oid 1.3 get-type exact entry-op gt entry-val 1 poll-interval 5`:         ds.EventSNMP,
		`event routing network 10.0.0.0/8`:                                                  ds.EventRouting,
		`event interface name Gi1 parameter rxload entry-op gt entry-val 1 poll-interval 5`: ds.EventInterface,
		`event neighbor-discovery interface Gi.* lldp add`:                                  ds.EventNeighbor,
	}
	for line, want := range lines {
		ev, err := ParseEEM(line)
		if err != nil || ev.Type != want {
			t.Errorf("ParseEEM(%q) = %v, %v; want type %s", line, ev.Type, err, want)
		}
	}
	if _, err := ParseEEM(`event immediate`); err == nil || !regexp.MustCompile(`unknown event detector "immediate"`).MatchString(err.Error()) {
		t.Errorf("event immediate: %v", err)
	}
}
