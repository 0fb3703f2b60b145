package alertgroup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

func TestCommands(t *testing.T) {
	cfg, err := iosconfig.Parse("t.conf", []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		g    config.AlertGroup
		sub  string
		want []string
	}{
		{config.GroupConfiguration, SubTypeFull, configurationCommands},
		{config.GroupConfiguration, SubTypeDelta, configurationCommands},
		{config.GroupCrash, "", crashCommands},
		{config.GroupEnvironment, "", environmentCommands},
		{config.GroupInventory, SubTypeFull, fullInventoryCommands},
		{config.GroupInventory, SubTypeDelta, deltaInventoryCommands},
		{config.GroupSyslog, "UPDOWN", []string{"show inventory", "show logging"}},
		{config.GroupSnapshot, "", []string{"show clock", "show ip route"}},
	}
	for _, tc := range tests {
		got := Commands(cfg, tc.g, tc.sub)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s/%s: %q, want %q", tc.g, tc.sub, got, tc.want)
		}
		if len(got) > 0 {
			got[0] = "changed" // the caller's copy
		}
	}
	if Commands(cfg, config.GroupCrash, "")[0] != "show version" {
		t.Error("Commands returned the table itself")
	}
	if got := Commands(nil, config.GroupSnapshot, ""); got != nil {
		t.Errorf("snapshot without configuration: %q", got)
	}
}

// TestCommandMapResolves: every command of every group, request and test
// resolves in the local executor's map (built-in or CommandMap), and
// CommandMap shadows no built-in entry.
func TestCommandMapResolves(t *testing.T) {
	builtin := map[string]bool{}
	for _, c := range executor.DefaultCommandMap() {
		builtin[strings.ToLower(c.IOS)] = true
	}
	mine := map[string]bool{}
	for _, c := range CommandMap("/etc/dsengine/dsengine.conf") {
		if builtin[strings.ToLower(c.IOS)] {
			t.Errorf("CommandMap replaces the built-in %q", c.IOS)
		}
		mine[strings.ToLower(c.IOS)] = true
	}
	var all []string
	for _, l := range [][]string{crashCommands, configurationCommands, environmentCommands, deltaInventoryCommands,
		fullInventoryCommands, syslogCommands, testCommands, requestCommands} {
		all = append(all, l...)
	}
	for _, c := range all {
		if k := strings.ToLower(c); !builtin[k] && !mine[k] {
			t.Errorf("%q has no Linux mapping", c)
		}
	}
	if got := CommandMap(""); len(got) != len(mine)-3 {
		t.Errorf("CommandMap(\"\") has %d entries, want the %d without the configuration", len(got), len(mine)-3)
	}
}

// TestCommandMapScripts runs the scripts on this host through the local
// executor: each exits 0 and prints something, whatever the hardware.
func TestCommandMapScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs shell scripts")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "it's dsengine.conf")
	if err := os.WriteFile(conf, []byte("hostname edge-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ex, err := executor.New(config.Executor{Kind: config.ExecutorLocal}, CommandMap(conf), executor.Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	for _, c := range CommandMap(conf) {
		out, err := ex.Run(context.Background(), c.IOS)
		if err != nil {
			t.Errorf("%s: %v\n%s", c.IOS, err, out.Text)
			continue
		}
		if strings.TrimSpace(out.Text) == "" {
			t.Errorf("%s printed nothing", c.IOS)
		}
		if strings.HasPrefix(c.IOS, "show running-config") || c.IOS == "show startup-config" {
			if out.Text != "hostname edge-1\n" {
				t.Errorf("%s: %q, want the configuration file", c.IOS, out.Text)
			}
		}
	}
	// The scripts take no arguments: a longer command is not theirs.
	if _, err := ex.Run(context.Background(), "show platform extra"); !errors.Is(err, executor.ErrRefused) {
		t.Errorf("show platform extra: %v, want refused", err)
	}
}
