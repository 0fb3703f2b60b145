package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

var t0 = time.Date(2022, 1, 6, 20, 52, 12, 0, time.UTC)

func TestIsChange(t *testing.T) {
	for line, want := range map[string]bool{
		"Sep  6 09:13:00 RouterName 82: Sep  6 14:12:56.872: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1)": true,
		"<189>2360957: Jan  6 2022 20:52:12.861: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)":            true,
		"%SYS-5-CONFIG_P: Configured programmatically by process iosp_vty_100001_dmi_nesd from console as NETCONF on vty31266":      true,
		"%SYS-5-RESTART: System restarted --":                                  false,
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up": false,
	} {
		var m events.Message
		syslogmsg.ParseString(line, t0, &m)
		if got := IsChange(&m); got != want {
			t.Errorf("IsChange(%q) = %v", line, got)
		}
	}
}

func TestDetectorPattern(t *testing.T) {
	var fired []detector.Fired
	d, err := New(ds.Event{ID: "c1", Type: ds.EventConfig, Pattern: `by (\w+) on ${ds_line}`},
		detector.Env{Owner: "x", Host: "local", Vars: map[string]string{"ds_line": "vty0"}, Fire: func(f detector.Fired) { fired = append(fired, f) }})
	if err != nil {
		t.Fatal(err)
	}
	var m events.Message
	syslogmsg.ParseString("<189>: sw01: Jan  6 2022 21:01:34.964: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)", t0, &m)
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: m.Text, Host: m.Host, Message: &m})
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: "Configured from console by admin on vty1 (192.0.2.10)"})
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: FileLine("/etc/dsengine/dsengine.conf"), Path: "/etc/dsengine/dsengine.conf"})
	if len(fired) != 1 {
		t.Fatalf("fired %d times, want 1", len(fired))
	}
	f := fired[0]
	if f.Payload.(Fire).Line != "Configured from console by admin on vty0 (192.0.2.10)" || f.Host != "sw01" || f.Vars()["ds_syslog_1"] != "admin" ||
		f.Vars()["ds_syslog_mnemonic"] != "CONFIG_I" || f.Message == nil || f.Message == &m {
		t.Errorf("fired %+v", f)
	}

	// Without a pattern, every change fires, file changes included.
	fired = nil
	d, _ = New(ds.Event{ID: "c2", Type: ds.EventConfig}, detector.Env{Host: "local", Fire: func(f detector.Fired) { fired = append(fired, f) }})
	d.ConfigChange(detector.ConfigChange{Time: t0, Line: FileLine("/etc/x.conf"), Path: "/etc/x.conf"})
	if len(fired) != 1 || fired[0].Payload.(Fire).Path != "/etc/x.conf" || fired[0].Payload.(Fire).Line != "file /etc/x.conf changed" || fired[0].Host != "local" {
		t.Errorf("fired %+v", fired)
	}
	if _, err := New(ds.Event{ID: "c3", Pattern: "(("}, detector.Env{}); err == nil {
		t.Error("no error for a bad pattern")
	}
}

// waitPath waits a bounded time for a path on ch.
func waitPath(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("changed %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no change reported for %s within 5s", want)
	}
}

func TestWatcherOnDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.conf")
	if err := os.WriteFile(path, []byte("hostname edge-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 16)
	w, err := NewWatcher(ds.RealClock{}, 20*time.Millisecond, nil, func(p string) { ch <- p })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	// An append.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("ip sla 20\n")
	f.Close()
	waitPath(t, ch, path)

	// An editor's save: a new file renamed over the old.
	tmp := filepath.Join(dir, ".dsengine.conf.swp")
	if err := os.WriteFile(tmp, []byte("hostname edge-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	waitPath(t, ch, path)

	// Another file in the directory is not reported; the next change of
	// ours is, and comes first.
	os.WriteFile(filepath.Join(dir, "other.conf"), []byte("x"), 0o644)
	os.WriteFile(path, []byte("hostname edge-3\n"), 0o644)
	waitPath(t, ch, path)

	// After Remove, changes are not reported.
	if err := w.Remove(path); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("hostname edge-4\n"), 0o644)
	select {
	case p := <-ch:
		t.Fatalf("reported %s after Remove", p)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestWatcherSettles(t *testing.T) {
	v := clock.NewVirtual(t0)
	var got []string
	w, err := NewWatcher(v, time.Second, nil, func(p string) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.conf")
	if err := w.Add(path); err != nil {
		t.Fatal(err)
	}
	// A copy makes a create and several writes: one report, a second
	// after the last.
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Create})
	v.Advance(500 * time.Millisecond)
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Write})
	v.Advance(900 * time.Millisecond)
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Write})
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Chmod})
	w.event(fsnotify.Event{Name: filepath.Join(dir, "b.conf"), Op: fsnotify.Write})
	v.Advance(999 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("reported before settling: %v", got)
	}
	v.Advance(time.Millisecond)
	if len(got) != 1 || got[0] != path {
		t.Fatalf("reported %v, want [%s]", got, path)
	}
	// A chmod alone is no change.
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Chmod})
	v.Advance(time.Hour)
	if len(got) != 1 {
		t.Fatalf("a chmod was reported")
	}
}
