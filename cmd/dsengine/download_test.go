package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/testserver"
)

// TestRepoBuildAndDownloadOverNginx publishes the bundled signatures with
// `repo build`, serves them with a real nginx over HTTPS, and downloads them
// with the forced `download` command.
func TestRepoBuildAndDownloadOverNginx(t *testing.T) {
	testserver.Require(t, "nginx")
	work := t.TempDir()
	repoDir := filepath.Join(work, "repo")
	if err := os.MkdirAll(repoDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(repoFile(t, "signatures/*.xml*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repoDir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A real clock here: nginx and the index's expiry live in real time.
	r := dsengineNow(t, work, "repo", "build", "--key", repoFile(t, "signatures/keys/demo-secret.asc"), repoDir)
	if r.code != exitOK || !strings.Contains(r.stdout, "index version 1 with 11 DS") {
		t.Fatalf("repo build: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	nginx := testserver.StartNginx(t, repoDir)
	writeConfig(t, work, "  repository "+nginx.URL+"\n  repository-ca "+nginx.CAFile+"\n")

	r = dsengineNow(t, work, "call-home", "diagnostic-signature", "download", "all")
	if r.code != exitOK || !strings.Contains(r.stdout, "11 fetched") {
		t.Fatalf("download all: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = dsengineNow(t, work, "show", "call-home", "diagnostic-signature")
	for _, want := range []string{"6015       CronInterval              1.0       registered", "6030       ActCH                     1.1       pending"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("after the download, missing %q:\n%s", want, r.stdout)
		}
	}
	r = dsengineNow(t, work, "show", "call-home", "diagnostic-signature", "6015", "download")
	if !strings.Contains(r.stdout, "Result:       ok") {
		t.Errorf("download record:\n%s%s", r.stdout, r.stderr)
	}
	// A DS the index does not have: the download says so and fails.
	if r := dsengineNow(t, work, "call-home", "diagnostic-signature", "download", "9999"); r.code != exitFail {
		t.Errorf("download of a DS not in the repository: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A plain http:// repository is refused with a clear message.
	writeConfig(t, work, "  repository http://127.0.0.1:1/repo\n")
	if r := dsengineNow(t, work, "call-home", "diagnostic-signature", "download", "all"); r.code != exitFail || !strings.Contains(r.stderr, "https") {
		t.Errorf("http repository: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
