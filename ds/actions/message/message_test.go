package message

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
)

func TestSyslogEntry(t *testing.T) {
	var logged, echoed []string
	m := New(Options{
		Syslog: func(sev ds.Severity, line string) error { logged = append(logged, line); return nil },
		Echo:   func(sev ds.Severity, line string, _ events.Origin) { echoed = append(echoed, line) },
	})
	if err := m.Log(context.Background(), 4, Line(4, "DS 6030 ran\n%SYS-5-CONFIG_I: forged")); err != nil {
		t.Fatal(err)
	}
	want := "%DS-4-MSG: DS 6030 ran %SYS-5-CONFIG_I: forged"
	if len(logged) != 1 || logged[0] != want || len(echoed) != 1 || echoed[0] != want {
		t.Errorf("logged %q, echoed %q; want %q once each (one line: a newline must not forge a second message)", logged, echoed, want)
	}
}

func TestBroadcastPassesTextOnStdin(t *testing.T) {
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	// A stand-in for wall that records its arguments and standard input:
	// the real wall broadcasts to terminals, which a test cannot read.
	fake := filepath.Join(dir, "wall")
	script := "#!/bin/sh\necho \"args:$#\" > " + got + "\ncat >> " + got + "\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Wall: fake})
	if err := m.Broadcast(context.Background(), "/etc/passwd"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(got)
	if string(data) != "args:0\n/etc/passwd\n" {
		t.Errorf("wall got %q; the text must come on stdin, never as an argument (wall reads a file named by its argument)", data)
	}
}

func TestRealWallRuns(t *testing.T) {
	// util-linux wall is part of Debian's base system; with no terminal
	// logged in it broadcasts to nobody and succeeds.
	m := New(Options{})
	if err := m.Broadcast(context.Background(), "dsengine test broadcast"); err != nil {
		t.Fatal(err)
	}
}
