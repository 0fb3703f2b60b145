package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/internal/golden"
	"pgregory.net/rapid"
)

// replayArgs runs `ds test` on the test network log, with every variable
// the bundled signatures ask for.
func replayArgs(t *testing.T, extra ...string) []string {
	args := []string{"--config", "testdata/replay/dsengine.conf", "ds", "test",
		"--syslog", "testdata/replay/network.log", "--device", "testdata/replay/device",
		"--set", "ds_intf=GigabitEthernet1/0/5", "--set", "ds_noc_email=noc@example.com",
		"--set", "ds_audit_to=audit@example.com"}
	return append(args, extra...)
}

func TestDSTestGoldenForEveryBundledSignature(t *testing.T) {
	files, err := filepath.Glob(repoFile(t, "signatures/*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatal("no bundled signatures")
	}
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".xml")
		t.Run(id, func(t *testing.T) {
			r := dsengine(t, "", replayArgs(t, f, "--expect", "-1")...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "trigger") {
				t.Errorf("DS %s never fired on the test log:\n%s", id, r.stdout)
			}
			golden.Check(t, "testdata/replay/"+id+".golden", []byte(r.stdout))
		})
	}
}

func TestDSTestJSONAndExpect(t *testing.T) {
	sig := repoFile(t, "signatures/6040.xml")
	r := dsengine(t, "", replayArgs(t, sig, "--json", "--expect", "1")...)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	kinds := map[string]int{}
	for _, l := range lines {
		var rec struct{ Time, DS, Kind, Type, Detail string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not one JSON object a line: %q: %v", l, err)
		}
		if rec.DS != "6040" || rec.Time == "" || rec.Type == "" {
			t.Errorf("record %+v", rec)
		}
		kinds[rec.Kind]++
	}
	if kinds["trigger"] != 1 || kinds["action"] < 3 {
		t.Errorf("kinds %v", kinds)
	}
	if r := dsengine(t, "", replayArgs(t, sig, "--expect", "2")...); r.code != exitFail {
		t.Errorf("--expect 2 with one trigger: exit %d, want 1", r.code)
	}
	// With --json the summary goes to standard error, which says why.
	if r := dsengine(t, "", replayArgs(t, sig, "--json", "--expect", "2")...); r.code != exitFail ||
		!strings.Contains(r.stderr, "DS 6040 LinkFlap: triggered 1 time, 1 run completed — expected 2 completed runs") {
		t.Errorf("--json --expect 2: exit %d\n%s", r.code, r.stderr)
	}
}

// A prompt variable without --set takes its default, and says so.
func TestDSTestPromptTakesItsDefault(t *testing.T) {
	r := dsengine(t, "", "--config", "testdata/replay/dsengine.conf", "ds", "test", repoFile(t, "signatures/6030.xml"),
		"--syslog", "testdata/replay/network.log", "--expect", "0", "--expect-triggers", "0")
	if r.code != exitOK || strings.Contains(r.stdout, "pending") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	golden.Check(t, "testdata/replay/prompt-default.golden", []byte(r.stdout))
}

// --expect, even --expect 0, fails while the DS is pending, and says
// which variable keeps it so.
func TestDSTestExpectFailsWhilePending(t *testing.T) {
	for _, flag := range []string{"--expect", "--expect-triggers"} {
		r := dsengine(t, "", "--config", "testdata/replay/dsengine.conf", "ds", "test", repoFile(t, "signatures/6033.xml"),
			"--syslog", "testdata/replay/network.log", flag, "0")
		if r.code != exitFail || !strings.Contains(r.stdout, "pending: environment variable ds_noc_email has no value; give it with --set ds_noc_email=VALUE") ||
			!strings.Contains(r.stdout, flag+" 0 fails: the DS is pending") {
			t.Errorf("%s 0: exit %d\n%s%s", flag, r.code, r.stdout, r.stderr)
		}
	}
}

// --expect counts completed runs, --expect-triggers triggers.
func TestDSTestExpectCountsRunsAndTriggers(t *testing.T) {
	sig := repoFile(t, "signatures/6033.xml")
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--expect", "1", "--expect-triggers", "1"}, exitOK, "triggered 1 time, 1 run completed\n"},
		{[]string{"--expect", "2"}, exitFail, "— expected 2 completed runs"},
		{[]string{"--expect-triggers", "0"}, exitFail, "— expected 0 triggers"},
	} {
		r := dsengine(t, "", replayArgs(t, append([]string{sig}, c.args...)...)...)
		if r.code != c.code || !strings.Contains(r.stdout, c.says) {
			t.Errorf("%v: exit %d, want %d saying %q\n%s%s", c.args, r.code, c.code, c.says, r.stdout, r.stderr)
		}
	}
}

// Each call a script makes on the device is its own line, in text and JSON.
func TestDSTestScriptCallsAreLines(t *testing.T) {
	r := dsengine(t, "", replayArgs(t, repoFile(t, "signatures/6033.xml"), "--json")...)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var types []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec struct{ Kind, Type, Detail string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if rec.Kind == "action" {
			types = append(types, rec.Type)
		}
	}
	if got, want := strings.Join(types, " "), "cli_exec action_syslog smtp_send_email script"; got != want {
		t.Errorf("actions %s, want %s", got, want)
	}
}

// Lines without a readable time are counted and shown, with line numbers.
func TestDSTestReportsUndatedLines(t *testing.T) {
	r := dsengine(t, "", replayArgs(t, repoFile(t, "signatures/6040.xml"))...)
	want := "2 lines of 20 had no timestamp ds test can read; each was replayed at the time of the dated line before it:\n" +
		"  line 17: Pool: Processor  Free: 120  Cause: Not enough free memory\n" +
		"  line 19: NTP Core (NOTICE): Clock synchronization lost.\n"
	if r.code != exitOK || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	log := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(log, []byte("%LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = dsengine(t, "", "--config", "testdata/replay/dsengine.conf", "ds", "test", repoFile(t, "signatures/6040.xml"),
		"--syslog", log, "--set", "ds_intf=Gi1/0/5")
	if !strings.Contains(r.stderr, "no line of the log has a timestamp ds test can read, so its 1 line was replayed at") ||
		!strings.Contains(r.stderr, "(the log file's modification time)") {
		t.Errorf("a log without times:\n%s", r.stderr)
	}
}

// A log that goes back in time is reported; the clock stays.
func TestDSTestReportsBackwardLines(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	lines := "Nov 23 2026 14:46:10.000: %SYS-5-RESTART: System restarted\n" +
		"Nov 23 2026 14:40:00.000: %SYS-5-CONFIG_I: Configured from console\n" +
		"Nov 23 2026 14:47:00.000: %SYS-5-CONFIG_I: Configured from console\n"
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	r := dsengine(t, "", "--config", "testdata/replay/dsengine.conf", "ds", "test", repoFile(t, "signatures/6040.xml"),
		"--syslog", log, "--set", "ds_intf=Gi1/0/5")
	want := "the log goes back in time on 1 line; the replay clock does not go back, so each was replayed at the time it had reached:\n" +
		"  line 2, 6m10s back: Nov 23 2026 14:40:00.000: %SYS-5-CONFIG_I: Configured from console\n"
	if r.code != exitOK || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// --hostname names the device; --tz reads stamps without a zone in the
// device's zone and prints times in it.
func TestDSTestHostnameAndZone(t *testing.T) {
	dir := t.TempDir()
	sig := filepath.Join(dir, "7100.xml")
	if err := os.WriteFile(sig, []byte(`<DiagnosticSignature id="7100" revision="1.0"><Name>Zone</Name>
  <Events><Event type="syslog" pattern="%SYS-2-MALLOCFAIL"/></Events>
  <Actions><Action type="message">${ds_hostname} at ${ds_timestamp}</Action></Actions>
</DiagnosticSignature>
`), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "log")
	if err := os.WriteFile(log, []byte("Nov 23 2026 14:30:00.000: %SYS-5-RESTART: System restarted\n"+
		"Nov 23 2026 15:00:00.000: %SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// 15:00 in Paris is 14:00 UTC, the time ds_timestamp gives.
	r := dsengine(t, "", "--config", "testdata/replay/dsengine.conf", "ds", "test", sig, "--syslog", log,
		"--hostname", "core-9", "--tz", "Europe/Paris", "--expect", "1")
	if r.code != exitOK || !strings.Contains(r.stdout, "core-9 at 2026-11-23 14:00:00") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	golden.Check(t, "testdata/replay/hostname-tz.golden", []byte(r.stdout))
	r = dsengine(t, "", replayArgs(t, sig, "--tz", "Mars/Olympus")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--tz Mars/Olympus refused") {
		t.Errorf("an unknown zone: exit %d\n%s", r.code, r.stderr)
	}
}

// Replaying the same log twice gives the same output, whatever the log.
func TestDSTestReplayIsDeterministic(t *testing.T) {
	pool, err := os.ReadFile("testdata/replay/network.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(pool)), "\n")
	sigs, _ := filepath.Glob(repoFile(t, "signatures/*.xml"))
	rapid.Check(t, func(rt *rapid.T) {
		picked := rapid.SliceOfN(rapid.SampledFrom(lines), 1, 40).Draw(rt, "lines")
		log := filepath.Join(t.TempDir(), "log")
		if err := os.WriteFile(log, []byte(strings.Join(picked, "\n")+"\n"), 0o644); err != nil {
			rt.Fatal(err)
		}
		args := []string{"--config", "testdata/replay/dsengine.conf", "ds", "test", "--syslog", log,
			"--device", "testdata/replay/device", "--set", "ds_intf=GigabitEthernet1/0/5",
			"--set", "ds_noc_email=noc@example.com", "--set", "ds_audit_to=audit@example.com"}
		args = append(args, sigs...)
		first := dsengine(t, "", args...)
		second := dsengine(t, "", args...)
		if first.stdout != second.stdout || first.code != second.code {
			rt.Fatalf("two replays differ:\n%s\n---\n%s", first.stdout, second.stdout)
		}
	})
}

// A run a script ends (ds_stop) is suppressed, not completed: --expect
// counts completed runs, the summary counts the suppressed ones, and the
// actions after the script do not run.
func TestDSTestSuppressedRuns(t *testing.T) {
	dir := t.TempDir()
	if r := dsengine(t, dir, "ds", "new", "7777", "--template", "script"); r.code != exitOK {
		t.Fatalf("ds new: exit %d %s", r.code, r.stderr)
	}
	path := filepath.Join(dir, "7777.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("local info = event_reqinfo()"), []byte("ds_stop(\"quiet hours\")\nlocal info = event_reqinfo()"), 1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := dsengine(t, "", "ds", "test", path, "--syslog", "testdata/dsnew/templates.log", "--device", "testdata/dsnew/device",
		"--expect", "0", "--expect-triggers", "1")
	if r.code != exitOK || !strings.Contains(r.stdout, "triggered 1 time, 0 runs completed, 1 suppressed by a script\n") ||
		strings.Contains(r.stdout, "would send") || !strings.Contains(r.stdout, "quiet hours") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
