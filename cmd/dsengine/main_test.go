package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/golden"
)

// fixedNow is after the demo key signed the bundled signatures, so they
// verify, and fixed, so outputs can be compared with golden files.
var fixedNow = time.Date(2027, 1, 16, 4, 49, 52, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

// dsengine runs the CLI in-process in dir with the given arguments.
func dsengine(t *testing.T, dir string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(string) string { return "" }, now: func() time.Time { return fixedNow }, bootflash: "bootflash"}
	wd, _ := os.Getwd()
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	code := run(e, args)
	return result{code, out.String(), errOut.String()}
}

// dsengineNow runs the CLI on the wall clock, for tests with real servers.
func dsengineNow(t *testing.T, dir string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
		getenv: func(string) string { return "" }, now: time.Now, bootflash: "bootflash"}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	code := run(e, args)
	return result{code, out.String(), errOut.String()}
}

// repoFile is a path in the repository, for the bundled signatures.
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEveryCommandHasHelpWithExample(t *testing.T) {
	for _, c := range commands {
		args := append(append([]string{}, c.words...), "--help")
		r := dsengine(t, "", args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "Example:") || !strings.Contains(r.stdout, "Usage: dsengine "+c.name()) {
			t.Errorf("%s --help: exit %d, output:\n%s", c.name(), r.code, r.stdout)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"call-home", "diagnostic-signature", "instal"}, "did you mean one of:"},
		{[]string{"ds", "lint"}, "name at least one DS file"},
		{[]string{"ds", "sign", "x.xml"}, "--key SECRET.asc is required"},
		{[]string{"ds", "lint", "--bogus", "x"}, "flag provided but not defined: -bogus"},
		{[]string{"--config"}, "flag --config needs a value"},
	}
	for _, c := range cases {
		r := dsengine(t, "", c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if r := dsengine(t, ""); r.code != exitUsage || !strings.Contains(r.stdout, "Commands:") {
		t.Errorf("no arguments: exit %d, want 2 and the overview", r.code)
	}
	if r := dsengine(t, "", "help"); r.code != exitOK {
		t.Errorf("help: exit %d, want 0", r.code)
	}
}

func TestDaemonCommandsWithoutADaemonSaySo(t *testing.T) {
	r := dsengine(t, t.TempDir(), "call-home", "request", "bugs-list")
	if r.code != exitFail || !strings.Contains(r.stderr, "no dsengine daemon is running") {
		t.Errorf("call-home request: exit %d, stderr %q", r.code, r.stderr)
	}
	r = dsengine(t, t.TempDir(), "reload")
	if r.code != exitFail || !strings.Contains(r.stderr, "no dsengine daemon is running") {
		t.Errorf("reload without a daemon: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestLintBundledSignatures(t *testing.T) {
	files, err := filepath.Glob(repoFile(t, "signatures/*.xml"))
	if err != nil || len(files) < 8 {
		t.Fatalf("want at least eight bundled signatures, got %d (%v)", len(files), err)
	}
	r := dsengine(t, "", append([]string{"ds", "lint"}, files...)...)
	if r.code != exitOK {
		t.Fatalf("lint of the bundled signatures: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = dsengine(t, "", append([]string{"ds", "verify", "--trust", repoFile(t, "signatures/keys/demo-public.asc")}, files...)...)
	if r.code != exitOK {
		t.Fatalf("verify of the bundled signatures: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestLintErrors(t *testing.T) {
	dir := t.TempDir()
	bad := `<?xml version="1.0"?>
<DiagnosticSignature id="7001" revision="1.x">
  <Name>Broken</Name>
  <Events>
    <Event id="e1" type="syslogg" pattern="x"/>
  </Events>
  <Actions>
    <Action type="command">show ${ds_nope}</Action>
  </Actions>
</DiagnosticSignature>
`
	if err := os.WriteFile(filepath.Join(dir, "7001.xml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	badScript := `<?xml version="1.0"?>
<DiagnosticSignature id="7002" revision="1.0">
  <Name>BadLua</Name>
  <Events><Event type="immediate"/></Events>
  <Actions>
    <Action type="script" lang="lua"><![CDATA[
local x = 1
if x then print("unterminated"
]]></Action>
  </Actions>
</DiagnosticSignature>
`
	if err := os.WriteFile(filepath.Join(dir, "7002.xml"), []byte(badScript), 0o644); err != nil {
		t.Fatal(err)
	}
	r := dsengine(t, dir, "ds", "lint", "7001.xml", "7002.xml")
	if r.code != exitFail {
		t.Fatalf("exit %d, want 1", r.code)
	}
	golden.Check(t, "testdata/lint-errors.golden", []byte(r.stdout))
}

// TestLintWarnsOfSelfTriggeringMessage: a DS whose own message could
// match its own syslog pattern gets a warning at the message action (the
// file still passes), an EEM syslog line included; one whose message does
// not match, goes to the terminals, or is below the event's severity gets
// none.
func TestLintWarnsOfSelfTriggeringMessage(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"7003.xml": `<?xml version="1.0"?>
<DiagnosticSignature id="7003" revision="1.0">
  <Name>Echo</Name>
  <Variables><Variable name="ds_intf" source="prompt" prompt="Interface"/></Variables>
  <Events><Event type="syslog" pattern="%DS-5-MSG: ${ds_intf} (\S+) is down"/></Events>
  <Actions>
    <Action type="message">DS ${ds_signature_id}: ${ds_intf} ${ds_syslog_1} is down</Action>
    <Action type="message" to="terminals">Gi0/1 x is down</Action>
  </Actions>
</DiagnosticSignature>
`,
		"7004.xml": `<?xml version="1.0"?>
<DiagnosticSignature id="7004" revision="1.0">
  <Name>EEMEcho</Name>
  <Events><Event type="eem">event syslog pattern "flap on"</Event></Events>
  <Actions><Action type="message" severity="warning">flap on Gi0/1</Action></Actions>
</DiagnosticSignature>
`,
		"7005.xml": `<?xml version="1.0"?>
<DiagnosticSignature id="7005" revision="1.0">
  <Name>Quiet</Name>
  <Events><Event type="syslog" pattern="%DS-\d-MSG: link (\S+) down" severity="errors"/></Events>
  <Actions><Action type="message">link ${ds_syslog_1} down</Action><Action type="message">other text</Action></Actions>
</DiagnosticSignature>
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := dsengine(t, dir, "ds", "lint", "7003.xml", "7004.xml", "7005.xml")
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0: a warning is not an error\n%s%s", r.code, r.stdout, r.stderr)
	}
	golden.Check(t, "testdata/lint-warnings.golden", []byte(r.stdout))
}

// writeConfig writes a configuration trusting the demo key into dir.
func writeConfig(t *testing.T, dir, extra string) {
	t.Helper()
	conf := `hostname edge-1
call-home
 contact-email-addr noc@example.com
 profile "user1"
  destination transport-method http
  destination address http https://collector.example.com/callhome
 diagnostic-signature
  profile user1
  environment ds_noc_email noc@example.com
  trust-key ` + repoFile(t, "signatures/keys/demo-public.asc") + "\n" + extra
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	r := dsengine(t, dir, "config", "check")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "dsengine.conf: ok: hostname edge-1") {
		t.Errorf("config check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	writeConfig(t, dir, " rate-limit 61\n profile all\n")
	r = dsengine(t, dir, "config", "check")
	if r.code != exitFail {
		t.Errorf("bad config: exit %d, want 1", r.code)
	}
	golden.Check(t, "testdata/config-check-errors.golden", []byte(r.stdout))
	writeConfig(t, dir, "event manager applet BROKEN\n event none\n action 1.0 if $a eq 1\n action 2.0 puts \"x\"\n")
	r = dsengine(t, dir, "config", "check")
	if r.code != exitFail || !strings.Contains(r.stdout, "dsengine.conf:") {
		t.Errorf("unterminated if in an applet: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	golden.Check(t, "testdata/config-check-applet.golden", []byte(r.stdout))
	// `run` agrees: the same applet stops the daemon from starting, with
	// the same error.
	r = dsengine(t, dir, "run")
	if r.code != exitFail || !strings.Contains(r.stderr, "dsengine.conf:13: if without a matching end") {
		t.Errorf("run with a refused applet: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestInstallShowDeinstall(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "")
	var transcript strings.Builder
	step := func(wantCode int, args ...string) {
		t.Helper()
		r := dsengine(t, dir, args...)
		transcript.WriteString("$ dsengine " + strings.Join(args, " ") + "\n" + r.stdout + r.stderr)
		if r.code != wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, r.code, wantCode, r.stdout, r.stderr)
		}
	}
	step(exitOK, "show", "call-home", "diagnostic-signature")
	step(exitOK, "call-home", "diagnostic-signature", "install", "6030", "--file", repoFile(t, "signatures/6030.xml"))
	step(exitOK, "call-home", "diagnostic-signature", "install", "6044", "--file", repoFile(t, "signatures/6044.xml"))
	step(exitOK, "call-home", "diagnostic-signature", "install", "6041", "--file", repoFile(t, "signatures/6041.xml"))
	step(exitFail, "call-home", "diagnostic-signature", "install", "6030", "--set", "ds_bogus=1")
	step(exitOK, "call-home", "diagnostic-signature", "install", "6030", "--set", "ds_intf=GigabitEthernet1/0/5")
	step(exitFail, "call-home", "diagnostic-signature", "install", "6099")
	step(exitOK, "show", "call-home", "diagnostic-signature")
	step(exitOK, "show", "call-home", "diagnostic-signature", "6030", "prompt")
	step(exitOK, "show", "call-home", "diagnostic-signature", "6041", "failure")
	step(exitFail, "show", "call-home", "diagnostic-signature", "6099", "events")
	step(exitOK, "call-home", "diagnostic-signature", "deinstall", "6044")
	step(exitFail, "call-home", "diagnostic-signature", "deinstall", "6044")
	step(exitOK, "call-home", "diagnostic-signature", "deinstall", "all")
	step(exitOK, "show", "call-home", "diagnostic-signature")
	// The repository's location differs between checkouts.
	out := strings.ReplaceAll(transcript.String(), repoFile(t, ""), "REPO")
	golden.Check(t, "testdata/install-show-deinstall.golden", []byte(out))
}
