package repo_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/repo/repotest"
	"github.com/dsengine/dsengine/ds/verify"
)

// t0 is the tests' time; keys are created a day before.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newKey(t testing.TB) *repotest.Key {
	return repotest.NewKey(t, "Publisher", t0.Add(-24*time.Hour))
}

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestBuild(t *testing.T) {
	key := newKey(t)
	dir := t.TempDir()
	key.WriteDS(t, dir, "6030", "1.1", "", t0)
	key.WriteDS(t, dir, "6015", "1.0", "", t0)
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a DS"), 0o644); err != nil {
		t.Fatal(err)
	}

	ix, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0), Assign: map[string][]string{"user1": {"6030"}}})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Version != 1 || !ix.Expires.Equal(t0.Add(repo.DefaultExpires)) || len(ix.DS) != 2 || len(ix.Assign) != 1 {
		t.Fatalf("index %+v", ix)
	}
	data := readFile(t, filepath.Join(dir, "index.xml"))
	got, _, err := key.Ring.VerifyIndex("index.xml", data, readFile(t, filepath.Join(dir, "index.xml.asc")), t0, 0)
	if err != nil {
		t.Fatalf("the built index does not verify: %v", err)
	}
	for _, e := range got.DS {
		xml := readFile(t, filepath.Join(dir, e.Path))
		if err := e.Check(xml); err != nil {
			t.Fatal(err)
		}
		if _, err := key.Ring.VerifyDetached(e.Path, xml, readFile(t, filepath.Join(dir, e.Path+".asc")), t0); err != nil {
			t.Fatal(err)
		}
		sig, err := parse.ParseSignature(e.Path, xml)
		if err != nil || parse.CheckFileName(e.Path, sig) != nil {
			t.Fatalf("%s: %v", e.Path, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "index.xml")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("index.xml mode: %v %v", fi.Mode(), err)
	}

	// Monotonic: every build raises the version; a version at or below
	// the previous one is refused.
	ix2, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0.Add(time.Hour))})
	if err != nil || ix2.Version != 2 {
		t.Fatalf("second build: version %v, %v", ix2, err)
	}
	if _, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0), Version: 2}); err == nil || !strings.Contains(err.Error(), "rollback") {
		t.Fatalf("version 2 again: %v", err)
	}
	ix3, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0), Version: 100})
	if err != nil || ix3.Version != 100 {
		t.Fatalf("explicit version: %v %v", ix3, err)
	}
	// No temporary files are left behind.
	for _, d := range []string{dir, filepath.Join(dir, "ds")} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Fatalf("left %s", e.Name())
			}
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	key := newKey(t)
	other := repotest.NewKey(t, "Mallory", t0.Add(-24*time.Hour))
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		opts  repo.BuildOptions
		want  string
	}{
		{"empty directory", func(t *testing.T, dir string) {}, repo.BuildOptions{}, "no signed DS files"},
		{"unsigned DS", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "6030.xml"), repotest.DSXML("6030", "1.0", ""), 0o644)
		}, repo.BuildOptions{}, "no signature"},
		{"DS signed by another key", func(t *testing.T, dir string) {
			other.WriteDS(t, dir, "6030", "1.0", "", t0)
		}, repo.BuildOptions{}, "not trusted"},
		{"tampered DS", func(t *testing.T, dir string) {
			key.WriteDS(t, dir, "6030", "1.0", "", t0)
			os.WriteFile(filepath.Join(dir, "6030.xml"), repotest.DSXML("6030", "1.0", "evil"), 0o644)
		}, repo.BuildOptions{}, "BAD signature"},
		{"file named after another DS", func(t *testing.T, dir string) {
			data := repotest.DSXML("6031", "1.0", "")
			os.WriteFile(filepath.Join(dir, "6030.xml"), data, 0o644)
			os.WriteFile(filepath.Join(dir, "6030.xml.asc"), key.Sign(t, data, t0), 0o644)
		}, repo.BuildOptions{}, "does not match"},
		{"assign unknown DS", func(t *testing.T, dir string) {
			key.WriteDS(t, dir, "6030", "1.0", "", t0)
		}, repo.BuildOptions{Assign: map[string][]string{"p": {"9999"}}}, "not in the index"},
		{"corrupt previous index", func(t *testing.T, dir string) {
			key.WriteDS(t, dir, "6030", "1.0", "", t0)
			os.WriteFile(filepath.Join(dir, "index.xml"), []byte("<junk/>"), 0o644)
		}, repo.BuildOptions{}, "previous index"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			c.opts.Now = at(t0)
			_, err := repo.Build(dir, key.Signing, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "ds")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a refused build wrote ds/")
			}
		})
	}
}

// A DS whose contents changed under the same revision would never reach
// the devices that run that revision: the build refuses it.
func TestBuildRefusesChangedContentSameRevision(t *testing.T) {
	key := newKey(t)
	dir := t.TempDir()
	key.WriteDS(t, dir, "6030", "1.0", "", t0)
	if _, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0)}); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, filepath.Join(dir, "index.xml"))
	key.WriteDS(t, dir, "6030", "1.0", "changed", t0)
	_, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0)})
	if err == nil || !strings.Contains(err.Error(), "raise the revision") {
		t.Fatalf("err = %v", err)
	}
	if string(readFile(t, filepath.Join(dir, "index.xml"))) != string(before) {
		t.Fatal("the refused build changed index.xml")
	}
	key.WriteDS(t, dir, "6030", "1.1", "changed", t0)
	ix, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0)})
	if err != nil || ix.Version != 2 {
		t.Fatalf("after raising the revision: %v", err)
	}
	// The older revision stays published for devices that still hold the
	// older index.
	for _, p := range []string{"ds/6030-1.0.xml", "ds/6030-1.1.xml", "ds/6030-1.1.xml.asc"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	if e, _ := ix.Entry("6030"); e.Path != verify.EntryPath("6030", "1.1") {
		t.Fatalf("entry %+v", e)
	}
}
