package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/control"
)

// bundledIDs are the DS shipped in signatures/.
func bundledIDs(t *testing.T) []string {
	t.Helper()
	paths, err := dsFilesIn(repoFile(t, "signatures"))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(paths))
	for i, p := range paths {
		ids[i] = strings.TrimSuffix(filepath.Base(p), ".xml")
	}
	return ids
}

// TestInstallBatchDirectory: `install --file DIR` installs every ID.xml
// of the directory in one batch, with the daemon running and without one,
// and ignores the files that are not DS.
func TestInstallBatchDirectory(t *testing.T) {
	ids := bundledIDs(t)
	for _, withDaemon := range []bool{true, false} {
		dir := t.TempDir()
		writeConfig(t, dir, "")
		for _, id := range ids {
			copySigned(t, filepath.Join(dir, "ds"), id)
		}
		if err := os.WriteFile(filepath.Join(dir, "ds", "index.xml"), []byte("<not a DS/>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if withDaemon {
			startDaemon(t, dir)
		}
		r := dsengineNow(t, dir, "--config", "dsengine.conf", "call-home", "diagnostic-signature", "install", "--file", "ds")
		if r.code != exitOK {
			t.Fatalf("daemon %v: install --file ds: exit %d\n%s%s", withDaemon, r.code, r.stdout, r.stderr)
		}
		for _, id := range ids {
			if !strings.Contains(r.stdout, "DS "+id+" installed, ") {
				t.Errorf("daemon %v: DS %s not in the output:\n%s", withDaemon, id, r.stdout)
			}
		}
		if want := strconv.Itoa(len(ids)) + " DS installed: "; !strings.Contains(r.stdout, want) {
			t.Errorf("daemon %v: no summary of %d DS:\n%s", withDaemon, len(ids), r.stdout)
		}
		show := dsengineNow(t, dir, "--config", "dsengine.conf", "show", "call-home", "diagnostic-signature")
		for _, id := range ids {
			if !strings.Contains(show.stdout, id+" ") {
				t.Errorf("daemon %v: show lacks DS %s:\n%s", withDaemon, id, show.stdout)
			}
		}
	}
}

// TestInstallBatchRefusesAll: one file of the batch whose signature does
// not verify refuses the whole batch, naming it; nothing is installed.
func TestInstallBatchRefusesAll(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	copySigned(t, filepath.Join(dir, "ds"), "6015")
	copySigned(t, filepath.Join(dir, "ds"), "6030")
	tampered := filepath.Join(dir, "ds", "6030.xml")
	data, err := os.ReadFile(tampered)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, bytes.Replace(data, []byte("<"), []byte("\n<"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, dir)
	r := dsengineNow(t, dir, "--config", "dsengine.conf", "call-home", "diagnostic-signature", "install", "--file", "ds/6015.xml", "--file", "ds/6030.xml")
	if r.code != exitFail || !strings.Contains(r.stderr, "refused, nothing installed") || !strings.Contains(r.stderr, "6030") {
		t.Fatalf("install of a batch with a tampered file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	show := dsengineNow(t, dir, "--config", "dsengine.conf", "show", "call-home", "diagnostic-signature")
	if strings.Contains(show.stdout, "6015 ") {
		t.Errorf("6015 was installed although its batch was refused:\n%s", show.stdout)
	}
}

// TestInstallBatchInSeveralRequests: files more than one request carries
// go in several, in order, each installed when it arrives, with progress
// on stderr.
func TestInstallBatchInSeveralRequests(t *testing.T) {
	ids := bundledIDs(t)
	dir := t.TempDir()
	writeConfig(t, dir, "")
	for _, id := range ids {
		copySigned(t, filepath.Join(dir, "ds"), id)
	}
	startDaemon(t, dir)
	var out, errOut bytes.Buffer
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(string) string { return "" }, now: time.Now, config: filepath.Join(dir, "dsengine.conf"),
		bootflash: filepath.Join(dir, "bootflash")}
	for _, id := range ids {
		for _, name := range []string{id + ".xml", id + ".xml.asc"} {
			data, err := os.ReadFile(filepath.Join(dir, "ds", name))
			if err != nil {
				t.Fatal(err)
			}
			e.files = append(e.files, control.File{Path: "ds/" + name, Data: data})
		}
	}
	// A budget of one byte: each DS (file and signature) in a request of its own.
	cmd := &command{split: func(files []control.File) [][]control.File { return splitFiles(files, 1) }}
	code, ok := e.forwardSplit(cmd, []string{"call-home", "diagnostic-signature", "install", "--file", "ds"})
	if !ok || code != exitOK {
		t.Fatalf("forward: ok %v, exit %d\n%s%s", ok, code, out.String(), errOut.String())
	}
	if got := strings.Count(out.String(), "1 DS installed: "); got != len(ids) {
		t.Errorf("%d requests installed one DS each, want %d:\n%s", got, len(ids), out.String())
	}
	if want := "request " + strconv.Itoa(len(ids)) + " of " + strconv.Itoa(len(ids)) + " done"; !strings.Contains(errOut.String(), want) {
		t.Errorf("no progress %q on stderr:\n%s", want, errOut.String())
	}
}

func TestSplitFiles(t *testing.T) {
	f := func(path string, n int) control.File { return control.File{Path: path, Data: make([]byte, n)} }
	files := []control.File{f("a.xml", 100), f("a.xml.asc", 50), f("b.xml", 100), f("c.xml", 300), f("c.xml.asc", 50), f("d.xml", 1)}
	var got []string
	for _, part := range splitFiles(files, 300) {
		var names []string
		for _, f := range part {
			names = append(names, f.Path)
		}
		got = append(got, strings.Join(names, ","))
	}
	want := []string{"a.xml,a.xml.asc,b.xml", "c.xml,c.xml.asc", "d.xml"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("parts %q, want %q (a DS file and its signature stay together, each part within budget)", got, want)
	}
}
