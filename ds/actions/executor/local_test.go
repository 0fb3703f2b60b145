package executor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/testserver"
)

// newLocalT builds a local executor with the given command-map lines
// ("IOS", "LINUX", ...).
func newLocalT(t *testing.T, opts Options, pairs ...string) Executor {
	t.Helper()
	var m []config.CommandMapping
	for i := 0; i+1 < len(pairs); i += 2 {
		m = append(m, config.CommandMapping{IOS: pairs[i], Linux: pairs[i+1], Line: i/2 + 1})
	}
	e, err := New(config.Executor{Kind: config.ExecutorLocal}, m, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// processesWith lists the command lines of running processes containing
// marker.
func processesWith(t *testing.T, marker string) []string {
	t.Helper()
	self := os.Getpid()
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var found []string
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil || len(b) == 0 {
			continue
		}
		line := strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " ")
		if strings.Contains(line, marker) && !strings.HasPrefix(d, "/proc/"+strconv.Itoa(self)+"/") {
			found = append(found, line)
		}
	}
	return found
}

// noProcesses fails when a process containing marker is still running
// after a short grace.
func noProcesses(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		left := processesWith(t, marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes left running: %q", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLocalMapped(t *testing.T) {
	e := newLocalT(t, Options{},
		"show version", "echo custom version; echo on stderr >&2",
		"show fruit", `printf 'apple\nbanana\ncherry\n'`,
		"show greeting", `echo "hello, {1}!" {2}`)
	ctx := context.Background()
	for _, tc := range []struct{ cmd, want string }{
		{"show version", "custom version\non stderr\n"},
		{"show  VERSION ", "custom version\non stderr\n"},
		{"show fruit | include an", "banana\n"},
		{"show fruit | count a", "Number of lines which match regexp = 2\n"},
		{"show greeting World extra", "hello, World! extra\n"},
	} {
		out, err := e.Run(ctx, tc.cmd)
		if err != nil || out.Text != tc.want || out.ExitCode != 0 || out.Truncated {
			t.Errorf("Run(%q) = %+v, %v; want %q", tc.cmd, out, err, tc.want)
		}
	}
}

func TestLocalDefaults(t *testing.T) {
	e := newLocalT(t, Options{})
	ctx := context.Background()
	for _, tc := range []struct{ cmd, want string }{
		{"show version", "Linux"},
		{"show version", "load average"},
		{"show ip interface brief", "lo "},
		{"show interfaces lo", "lo: <LOOPBACK"},
		{"show interfaces lo", "RX:"},
		{"show ip route", ""},
		{"show processes memory sorted", "RSS"},
		{"show clock", time.Now().Format("2006")},
	} {
		out, err := e.Run(ctx, tc.cmd)
		if err != nil || !strings.Contains(out.Text, tc.want) {
			t.Errorf("Run(%q) = %q, %v; want it to contain %q", tc.cmd, out.Text, err, tc.want)
		}
	}
	// Every built-in entry is a valid mapping.
	if _, err := newCommandMap(nil); err != nil {
		t.Fatal(err)
	}
}

func TestLocalUnmapped(t *testing.T) {
	e := newLocalT(t, Options{})
	out, err := e.Run(context.Background(), "show platform software fed active")
	if !errors.Is(err, ErrRefused) || Retryable(err) {
		t.Fatalf("err %v; want ErrRefused", err)
	}
	for _, want := range []string{`"show platform software fed active"`, `command-map "show platform software fed active" "LINUX COMMAND"`, "diagnostic-signature"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if out.Text != "" {
		t.Errorf("output %q", out.Text)
	}
	if _, err := e.Run(context.Background(), "show version | tee x"); !errors.Is(err, ErrRefused) {
		t.Errorf("unsupported modifier: err %v", err)
	}
}

func TestLocalTimeoutKillsGroup(t *testing.T) {
	e := newLocalT(t, Options{Timeout: 300 * time.Millisecond},
		"show hang", "echo before; sleep 101.11",
		"show hang children", "sh -c 'sleep 101.22 & sleep 101.23' & (sleep 101.24; echo never) & wait")
	for _, tc := range []struct{ cmd, marker string }{
		{"show hang", "101.1"},
		{"show hang children", "101.2"},
	} {
		start := time.Now()
		out, err := e.Run(context.Background(), tc.cmd)
		if !errors.Is(err, ErrTimeout) || Retryable(err) {
			t.Errorf("%s: err %v; want ErrTimeout", tc.cmd, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %s", tc.cmd, d)
		}
		if tc.cmd == "show hang" && out.Text != "before\n" {
			t.Errorf("%s: output %q", tc.cmd, out.Text)
		}
		noProcesses(t, "sleep "+tc.marker)
	}
}

func TestLocalBackgroundChildEnded(t *testing.T) {
	e := newLocalT(t, Options{}, "show bg", "sleep 101.33 & echo started")
	start := time.Now()
	out, err := e.Run(context.Background(), "show bg")
	if err != nil || out.Text != "started\n" {
		t.Fatalf("Run = %+v, %v", out, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
	noProcesses(t, "sleep 101.33")
}

func TestLocalOutputCap(t *testing.T) {
	const max = 64 << 10
	e := newLocalT(t, Options{MaxOutput: max}, "show flood", "yes dsengine-flood-marker", "show exact", "head -c 65536 /dev/zero")
	start := time.Now()
	out, err := e.Run(context.Background(), "show flood")
	if err != nil {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
	if !out.Truncated || len(out.Text) != max || !strings.HasPrefix(out.Text, "dsengine-flood-marker\ndsengine-flood-marker\n") {
		t.Errorf("truncated %v, %d bytes, starts %q", out.Truncated, len(out.Text), out.Text[:min(40, len(out.Text))])
	}
	noProcesses(t, "dsengine-flood-marker")

	// Exactly the cap is not truncated.
	out, err = e.Run(context.Background(), "show exact")
	if err != nil || out.Truncated || len(out.Text) != max || out.ExitCode != 0 {
		t.Errorf("exact: truncated %v, %d bytes, exit %d, %v", out.Truncated, len(out.Text), out.ExitCode, err)
	}
}

func TestLocalExitStatus(t *testing.T) {
	e := newLocalT(t, Options{}, "show fail", "echo partial; echo 'oops: broken' >&2; exit 3")
	out, err := e.Run(context.Background(), "show fail")
	var xe *Error
	if !errors.Is(err, ErrExit) || !errors.As(err, &xe) || xe.ExitCode != 3 || Retryable(err) {
		t.Fatalf("err %#v; want ErrExit with code 3", err)
	}
	if out.ExitCode != 3 || out.Text != "partial\noops: broken\n" {
		t.Errorf("output %+v", out)
	}
	if want := `executor local: "show fail": exit status 3: partial`; err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
}

func TestLocalNoInjection(t *testing.T) {
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	e := newLocalT(t, Options{}, "show echo", "echo {args}", "show quoted", `echo "[{1}]"`)
	ctx := context.Background()
	attacks := []string{
		`"Gi0/1; touch ` + pwned + `"`,
		"Gi0/1;touch " + pwned,
		"$(touch " + pwned + ")",
		"`touch " + pwned + "`",
		"Gi0/1&&touch " + pwned,
		"Gi0/1|touch " + pwned,
		"'; touch " + pwned + "; '",
		`"; touch ` + pwned + `; "`,
		"${IFS}touch${IFS}" + pwned,
	}
	for _, a := range attacks {
		// The built-in show interfaces: ip fails on the bogus name.
		if _, err := e.Run(ctx, "show interfaces "+a); !errors.Is(err, ErrExit) {
			t.Errorf("show interfaces %s: err %v; want ErrExit from ip", a, err)
		}
		// Arguments come back verbatim, never interpreted.
		out, err := e.Run(ctx, "show echo "+a)
		if want := strings.Join(strings.Fields(a), " ") + "\n"; err != nil || out.Text != want {
			t.Errorf("show echo %s = %q, %v; want %q", a, out.Text, err, want)
		}
		out, err = e.Run(ctx, "show quoted "+a)
		if want := "[" + strings.Fields(a)[0] + "]\n"; err != nil || out.Text != want {
			t.Errorf("show quoted %s = %q, %v; want %q", a, out.Text, err, want)
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("an injected command ran")
	}
}

func TestLocalDurationAndCancel(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { now = now.Add(1500 * time.Millisecond); return now }
	e := newLocalT(t, Options{Now: clock}, "show x", "echo x", "show slow", "sleep 101.44")
	out, err := e.Run(context.Background(), "show x")
	if err != nil || out.Duration != 1500*time.Millisecond {
		t.Errorf("duration %s, %v", out.Duration, err)
	}
	// Cancel once the command's process runs, so the cancel has it to kill.
	ctx, cancel := context.WithCancel(context.Background())
	running := make(chan bool, 1)
	go func() {
		running <- waitProcess(t, "sleep 101.44")
		cancel()
	}()
	_, err = e.Run(ctx, "show slow")
	if !<-running {
		t.Fatal(`"sleep 101.44" did not start`)
	}
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("canceled: err %v", err)
	}
	noProcesses(t, "sleep 101.44")
}

// waitProcess polls for up to 10 s for a process whose command line is
// exactly cmdline, and reports whether one came. It only reads t, so it
// may run in any goroutine.
func waitProcess(t *testing.T, cmdline string) bool {
	return testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		return slices.Contains(processesWith(t, cmdline), cmdline)
	})
}
