package correlate

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// TestConsumptionTable runs the table of docs/ds-format.md ("Per-key state
// and what a correlation consumes"): the docs and the correlator say the
// same thing. Each row is run with the DS rule (ConsumeMatched) and the
// applet rule (ConsumeAll), window 10s.
func TestConsumptionTable(t *testing.T) {
	rows := docTable(t, "../../docs/ds-format.md", "## Per-key state and what a correlation consumes")
	if len(rows) < 10 {
		t.Fatalf("the docs table has %d rows; expected the consumption cases", len(rows))
	}
	for _, r := range rows {
		if len(r) != 6 {
			t.Fatalf("docs row %q: want 6 columns", r)
		}
		exprSrc := strings.Trim(r[0], "`")
		c := &ds.Correlate{Expr: exprSrc, Window: 10 * time.Second, Occurs: 1}
		for _, a := range strings.Fields(strings.ReplaceAll(r[1], "`", "")) {
			name, val, _ := strings.Cut(a, "=")
			val = strings.Trim(val, `"`)
			switch name {
			case "occurs":
				c.Occurs, _ = strconv.Atoi(val)
			case "delay":
				c.Delay, _ = time.ParseDuration(val)
			case "group-by":
				c.GroupBy = val
			default:
				t.Fatalf("row %q: unknown attribute %q", r, a)
			}
		}
		for i, mode := range []Consumption{ConsumeMatched, ConsumeAll} {
			want := strings.Join(strings.Fields(strings.ReplaceAll(r[3+i], "—", "")), " ")
			got := runRow(t, c, r[2], mode)
			if got != want {
				t.Errorf("%s %s, %s, rule %d: fired at %q, the docs say %q", r[0], r[1], r[2], mode, got, want)
			}
		}
	}
}

// runRow replays "e1@0 e1[A]@2 up@3" (event, key value of ds_k, seconds;
// up/down is track 1) and returns the trigger times, with [key] when
// grouped.
func runRow(t *testing.T, c *ds.Correlate, steps string, mode Consumption) string {
	t.Helper()
	p, err := Compile(c, []string{"e1", "e2", "e3"})
	if err != nil {
		t.Fatalf("Compile(%q): %v", c.Expr, err)
	}
	clk := newFakeClock(t0)
	var got []string
	add := func(tr Trigger) {
		s := strconv.Itoa(int(tr.At.Sub(t0) / time.Second))
		if tr.Key != "" {
			s += "[" + tr.Key + "]"
		}
		got = append(got, s)
	}
	cor, err := New(p, Options{Clock: clk, OnDelayed: add, Consume: mode, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer cor.Close()
	for _, s := range strings.Fields(steps) {
		what, at, ok := strings.Cut(s, "@")
		sec, err := strconv.Atoi(at)
		if !ok || err != nil {
			t.Fatalf("step %q: want id@seconds", s)
		}
		when := t0.Add(time.Duration(sec) * time.Second)
		clk.advanceTo(when)
		switch what {
		case "up", "down":
			for _, tr := range cor.SetTrack(1, what == "up", when) {
				add(tr)
			}
			continue
		}
		id, key, _ := strings.Cut(strings.TrimSuffix(what, "]"), "[")
		if tr, ok := cor.ObserveEvent(Event{ID: id, At: when, Vars: map[string]string{"ds_k": key}}); ok {
			add(tr)
		}
	}
	clk.advanceTo(clk.Now().Add(time.Hour))
	return strings.Join(got, " ")
}

// docTable returns the cells of the first table after heading in file,
// header and separator left out.
func docTable(t *testing.T, file, heading string) [][]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s: no section %q", file, heading)
	}
	var rows [][]string
	in := false
	for _, line := range strings.Split(rest, "\n") {
		if strings.HasPrefix(line, "## ") {
			break
		}
		if !strings.HasPrefix(line, "|") {
			if in {
				break
			}
			continue
		}
		in = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	if len(rows) < 2 {
		t.Fatalf("%s: no table under %q", file, heading)
	}
	return rows[2:]
}
