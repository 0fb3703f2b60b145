package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/testserver"
)

// TestDaemonWatchedFileIsAConfigEvent runs the daemon on a configuration
// with `watch file`, and a DS with a config event: changing the file on
// disk runs the DS.
func TestDaemonWatchedFileIsAConfigEvent(t *testing.T) {
	dir := t.TempDir()
	watched := filepath.Join(dir, "router.cfg")
	if err := os.WriteFile(watched, []byte("hostname a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ds := `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="7500" revision="1.0">
  <Name>FileChanged</Name>
  <Events><Event type="config" pattern="router\.cfg"/></Events>
  <Actions><Action type="message">configuration file changed</Action></Actions>
</DiagnosticSignature>
`
	if err := os.WriteFile(filepath.Join(dir, "7500.xml"), []byte(ds), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := dsengineNow(t, dir, "ds", "sign", "--key", repoFile(t, "signatures/keys/demo-secret.asc"), "7500.xml"); r.code != exitOK {
		t.Fatalf("sign: %s", r.stderr)
	}
	metricsAddr := testserver.Addr(testserver.FreePort(t))
	writeConfig(t, dir, "dsengine\n watch file "+watched+"\n syslog listen udp "+testserver.Addr(testserver.FreeUDPPort(t))+
		"\n metrics listen "+metricsAddr+"\n")
	if r := dsengineNow(t, dir, "call-home", "diagnostic-signature", "install", "7500", "--file", "7500.xml"); r.code != exitOK {
		t.Fatalf("install: %s%s", r.stdout, r.stderr)
	}
	d := startDaemon(t, dir)
	log := d.log
	if err := os.WriteFile(watched, []byte("hostname b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "DS 7500 to run on the file change", func() bool {
		return strings.Contains(log.String(), "%DS-5-MSG: configuration file changed")
	})
	// The run shows in the Prometheus metrics.
	eventually(t, "the metrics", func() bool {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(body), `dsengine_actions_total{result="success",type="message"} 1`) &&
			strings.Contains(string(body), `dsengine_triggers_total{ds="7500"} 1`) &&
			strings.Contains(string(body), "dsengine_event_to_done_seconds_count 1")
	})
	// The status page next to the metrics shows the DS table.
	if resp, err := http.Get("http://" + metricsAddr + "/"); err != nil {
		t.Error(err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "show call-home diagnostic-signature") || !strings.Contains(string(body), "FileChanged") {
			t.Errorf("status page:\n%s", body)
		}
	}
	// A normal stop logs no error: the watcher's and the inputs' ends are
	// not failures.
	if code := d.stop(); code != exitOK {
		t.Errorf("run exited %d", code)
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a normal stop logged an error:\n%s", log.String())
	}
}
