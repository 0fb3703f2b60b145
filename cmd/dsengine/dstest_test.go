package main

import (
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
}

func TestDSTestPendingWithoutValues(t *testing.T) {
	r := dsengine(t, "", "--config", "testdata/replay/dsengine.conf", "ds", "test", repoFile(t, "signatures/6030.xml"),
		"--syslog", "testdata/replay/network.log", "--expect", "0")
	if r.code != exitOK || !strings.Contains(r.stdout, "pending") || !strings.Contains(r.stdout, "--set ds_intf=VALUE") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
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
