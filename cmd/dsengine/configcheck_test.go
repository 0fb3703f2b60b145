package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/golden"
)

// TestConfigCheckRunningConfig checks a whole IOS XE running configuration:
// the commands dsengine skips are warnings on stderr, and the check passes.
func TestConfigCheckRunningConfig(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(repoFile(t, "ds/parse/iosconfig/testdata/ios-xe-switch.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "switch.conf"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := dsengine(t, dir, "config", "check", "switch.conf")
	if r.code != exitOK {
		t.Fatalf("config check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "switch.conf:24: warning: skipped \"aaa new-model\"") {
		t.Errorf("no warning for aaa new-model on stderr:\n%s", r.stderr)
	}
	golden.Check(t, "testdata/config-check-running-config.golden", []byte("--- stdout\n"+r.stdout+"--- stderr\n"+r.stderr))
}
