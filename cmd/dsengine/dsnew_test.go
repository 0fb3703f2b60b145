package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/golden"
	"github.com/dsengine/dsengine/internal/testserver"
)

// TestDSNewTemplates writes each template, lints it (clean: no error, no
// warning), validates it with xmllint against docs/ds.xsd, and replays a
// small log against it: each template fires once, as its golden shows.
func TestDSNewTemplates(t *testing.T) {
	testserver.Require(t, "xmllint")
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	conf, log, device := abs("testdata/replay/dsengine.conf"), abs("testdata/dsnew/templates.log"), abs("testdata/dsnew/device")
	schema := repoFile(t, "docs/ds.xsd")
	var out strings.Builder
	for i, tmpl := range dsTemplates {
		t.Run(tmpl.name, func(t *testing.T) {
			dir := t.TempDir()
			id := "710" + string(rune('0'+i))
			r := dsengine(t, dir, "ds", "new", id, "--template", tmpl.name)
			if r.code != exitOK {
				t.Fatalf("ds new: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			out.WriteString(r.stdout)
			file := id + ".xml"

			r = dsengine(t, dir, "ds", "lint", file)
			if r.code != exitOK || strings.Contains(r.stdout, "warning") || !strings.HasPrefix(r.stdout, file+": ok: DS "+id) {
				t.Errorf("ds lint: exit %d, want a clean ok line:\n%s%s", r.code, r.stdout, r.stderr)
			}

			xl, err := exec.CommandContext(t.Context(), "xmllint", "--noout", "--nonet", "--schema", schema,
				filepath.Join(dir, file)).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint --schema docs/ds.xsd refuses the %s template: %v\n%s", tmpl.name, err, xl)
			}

			r = dsengine(t, dir, "--config", conf, "ds", "test", file, "--syslog", log, "--device", device, "--expect", "1")
			if r.code != exitOK || strings.Contains(r.stdout, " error ") {
				t.Errorf("ds test --expect 1: exit %d, want 0 and no action errors:\n%s%s", r.code, r.stdout, r.stderr)
			}
			golden.Check(t, "testdata/dsnew/"+tmpl.name+".golden", []byte(r.stdout))
		})
	}
	golden.Check(t, "testdata/dsnew/ds-new.golden", []byte(out.String()))
}

func TestDSNewRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "7001.xml")
	if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := dsengine(t, dir, "ds", "new", "7001")
	if r.code != exitFail || !strings.Contains(r.stderr, "refused: 7001.xml exists; choose another id, or add --force") {
		t.Errorf("ds new over a file: exit %d, stderr %q; want 1 and the refusal", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != "mine" {
		t.Fatalf("ds new without --force changed the file: %q", data)
	}
	r = dsengine(t, dir, "ds", "new", "7001", "--force", "--template", "oir", "--name", `Card <out> & "gone"`)
	if r.code != exitOK {
		t.Fatalf("ds new --force: exit %d\n%s", r.code, r.stderr)
	}
	r = dsengine(t, dir, "ds", "lint", "7001.xml")
	if r.code != exitOK || !strings.Contains(r.stdout, `DS 7001 "Card <out> & \"gone\""`) {
		t.Errorf("lint after --force with a name to escape: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestDSNewUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ds", "new"}, "name the DS id, such as 7001"},
		{[]string{"ds", "new", "70x1"}, `id "70x1" is not 1 to 10 decimal digits`},
		{[]string{"ds", "new", "12345678901"}, "is not 1 to 10 decimal digits"},
		{[]string{"ds", "new", "7001", "--template", "trap"}, `unknown template "trap"; use syslog, correlate, script, periodic or oir`},
		{[]string{"ds", "new", "7001", "--name", strings.Repeat("n", 65)}, "must be one line of 1 to 64 characters"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		r := dsengine(t, dir, c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, r.code, r.stderr, c.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "7001.xml")); err == nil {
			t.Errorf("%v wrote 7001.xml", c.args)
		}
	}
}
