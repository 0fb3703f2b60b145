package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/testserver"
)

// TestCallHomeEventDSCountsItsTriggers: a DS whose event is
// `type="call-home"` adds its command outputs to the alert group's
// messages instead of running on its own; each message it joins counts as
// a trigger in its statistics.
func TestCallHomeEventDSCountsItsTriggers(t *testing.T) {
	dir := t.TempDir()
	sig := `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="7600" revision="1.0">
  <Name>ConfigExtras</Name>
  <Events><Event type="call-home" alert-group="configuration"/></Events>
  <Actions><Action type="command">show version</Action></Actions>
</DiagnosticSignature>
`
	if err := os.WriteFile(filepath.Join(dir, "7600.xml"), []byte(sig), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := dsengineNow(t, dir, "ds", "sign", "--key", repoFile(t, "signatures/keys/demo-secret.asc"), "7600.xml"); r.code != exitOK {
		t.Fatalf("sign: %s", r.stderr)
	}
	conf := `hostname edge-1
service call-home
call-home
 contact-email-addr noc@example.com
 profile "user1"
  destination transport-method http
  no destination transport-method email
  destination address http http://127.0.0.1:9/callhome
  subscribe-to-alert-group configuration
 diagnostic-signature
  profile user1
  trust-key ` + repoFile(t, "signatures/keys/demo-public.asc") + `
dsengine
 syslog listen udp ` + testserver.Addr(testserver.FreeUDPPort(t)) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := dsengineNow(t, dir, "call-home", "diagnostic-signature", "install", "7600", "--file", "7600.xml"); r.code != exitOK {
		t.Fatalf("install: %s%s", r.stdout, r.stderr)
	}
	log := startDaemon(t, dir).log

	for i := range 2 {
		r := dsengineNow(t, dir, "call-home", "send", "alert-group", "configuration", "profile", "user1")
		if r.code != exitOK || !strings.Contains(r.stdout, "queued") {
			t.Fatalf("send %d: exit %d\n%s%s", i+1, r.code, r.stdout, r.stderr)
		}
	}
	r := dsengineNow(t, dir, "show", "call-home", "diagnostic-signature", "7600", "statistics")
	if !strings.Contains(r.stdout, "Triggered:      2") {
		t.Errorf("statistics after two configuration messages:\n%s%s\nlog:\n%s", r.stdout, r.stderr, log.String())
	}
	if !strings.Contains(log.String(), `msg="ds trigger" ds=7600 type=call-home detail="configuration alert-group message: 1 command added"`) {
		t.Errorf("the log has no trigger of DS 7600:\n%s", log.String())
	}
}
