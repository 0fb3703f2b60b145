package executor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

func TestSimFileName(t *testing.T) {
	long := "show " + strings.Repeat("x", 300)
	for _, tc := range []struct{ cmd, want string }{
		{"show interfaces Gi1/0/5", "show_interfaces_Gi1_0_5.txt"},
		{"show version", "show_version.txt"},
		{"  show   version ", "show_version.txt"},
		{"show ip interface brief", "show_ip_interface_brief.txt"},
		{"show logging | include LINK-3", "show_logging___include_LINK-3.txt"},
		{"show clock: detail", "show_clock__detail.txt"},
		{"show run | i a*b?c", "show_run___i_a_b_c.txt"},
		{"show x\\y\"z'$`;&<>", "show_x_y_z_______.txt"},
		{"show ip route vrf MGMT.1", "show_ip_route_vrf_MGMT.1.txt"},
		{"show ümlaut", "show___mlaut.txt"},
		// No traversal, no hidden files, never "." or "..".
		{"..", "__.txt"},
		{"../../etc/passwd", "___.._etc_passwd.txt"},
		{"/etc/passwd", "_etc_passwd.txt"},
		{".hidden", "_hidden.txt"},
		{"...", "___.txt"},
		{"a/../../b", "a_.._.._b.txt"},
		{"", "_.txt"},
		{"x\x00y\nz", "x_y_z.txt"},
	} {
		if got := SimFileName(tc.cmd); got != tc.want {
			t.Errorf("SimFileName(%q) = %q; want %q", tc.cmd, got, tc.want)
		}
	}
	got := SimFileName(long)
	if len(got) != 200 || !strings.HasPrefix(got, "show_xxx") || !strings.HasSuffix(got, ".txt") || got == SimFileName(long+"y") {
		t.Errorf("long name %q (%d bytes)", got, len(got))
	}
	for _, cmd := range []string{"..", "../x", "a/b", long, "./.", "show \x00 x"} {
		n := SimFileName(cmd)
		if filepath.Base(n) != n || strings.ContainsAny(n, "/\x00") || strings.HasPrefix(n, ".") || len(n) > 255 {
			t.Errorf("SimFileName(%q) = %q is not a plain file name", cmd, n)
		}
	}
}

func newSimT(t *testing.T, opts Options, files map[string]string) (Executor, string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, err := New(config.Executor{Kind: config.ExecutorSim, Dir: dir}, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, dir
}

func TestSimRun(t *testing.T) {
	e, dir := newSimT(t, Options{MaxOutput: 32}, map[string]string{
		"show_interfaces_Gi1_0_5.txt":              "Gi1/0/5 is down\n",
		"show_logging.txt":                         "LINK-3 a\nSYS-5 b\nLINK-3 c\n",
		"show_logging___include_SYS.txt":           "canned filter\n",
		"show_tech.txt":                            strings.Repeat("0123456789", 5),
		"show_interfaces_Gi1_0_5___include_is.txt": "exact wins\n",
	})
	ctx := context.Background()
	for _, tc := range []struct {
		cmd, want string
		trunc     bool
	}{
		{"show interfaces Gi1/0/5", "Gi1/0/5 is down\n", false},
		{"show interfaces Gi1/0/5 | include is", "exact wins\n", false},
		{"show logging | include SYS", "canned filter\n", false},
		{"show logging | include LINK", "LINK-3 a\nLINK-3 c\n", false},
		{"show tech", "01234567890123456789012345678901", true},
	} {
		out, err := e.Run(ctx, tc.cmd)
		if err != nil || out.Text != tc.want || out.Truncated != tc.trunc || out.ExitCode != 0 {
			t.Errorf("Run(%q) = %+v, %v; want %q", tc.cmd, out, err, tc.want)
		}
	}

	_, err := e.Run(ctx, "show interfaces Gi1/0/6")
	want := "no canned output: " + filepath.Join(dir, "show_interfaces_Gi1_0_6.txt") + " does not exist"
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), want) {
		t.Errorf("missing file: %v; want %q", err, want)
	}
	_, err = e.Run(ctx, "show arp | include 10.1")
	want = "neither " + filepath.Join(dir, "show_arp___include_10.1.txt") + " nor " + filepath.Join(dir, "show_arp.txt") + " exists"
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), want) {
		t.Errorf("missing filtered file: %v; want %q", err, want)
	}
}

func TestSimTraversal(t *testing.T) {
	parent := t.TempDir()
	secret := filepath.Join(parent, "secret.txt")
	if err := os.WriteFile(secret, []byte("SECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "device")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A symbolic link inside the directory that leads out of it.
	if err := os.Symlink(secret, filepath.Join(dir, "show_link.txt")); err != nil {
		t.Fatal(err)
	}
	e, err := New(config.Executor{Kind: config.ExecutorSim, Dir: dir}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"../secret", "../secret.txt", "..", "/" + strings.TrimSuffix(secret, ".txt"), "show link"} {
		out, err := e.Run(context.Background(), cmd)
		if err == nil || strings.Contains(out.Text, "SECRET") || !errors.Is(err, ErrRefused) {
			t.Errorf("Run(%q) = %q, %v; want a refusal", cmd, out.Text, err)
		}
	}
}

func TestSimConfigErrors(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir, want string
	}{
		{"", "usage: executor sim DIR"},
		{"/nonexistent/dsengine", "no such file or directory"},
		{f, "is not a directory"},
	} {
		_, err := New(config.Executor{Kind: config.ExecutorSim, Dir: tc.dir}, nil, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("dir %q: %v; want %q", tc.dir, err, tc.want)
		}
	}
}
