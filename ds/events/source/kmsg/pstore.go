package kmsg

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/crash"
)

// readPstore raises one crash event per panic log (dmesg-*, console-*) a
// previous boot left in the pstore directory; a missing directory is a
// host without pstore. The event's time is the record's (the file's
// modification time, which pstore sets to it).
func (s *Source) readPstore(env source.Env) {
	ents, err := os.ReadDir(s.pstore)
	if err != nil {
		if !os.IsNotExist(err) {
			s.c.Errors.Add(1)
			env.Log.Warn("source kmsg: pstore not read", "dir", s.pstore, "err", err)
		}
		return
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if n := e.Name(); !e.IsDir() && (strings.HasPrefix(n, "dmesg-") || strings.HasPrefix(n, "console-")) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		p := filepath.Join(s.pstore, n)
		data, err := os.ReadFile(p)
		if err != nil {
			s.c.Errors.Add(1)
			env.Log.Warn("source kmsg: pstore record not read", "file", p, "err", err)
			continue
		}
		at := env.Clock.Now()
		if fi, err := os.Stat(p); err == nil {
			at = fi.ModTime()
		}
		crash.Raise(env, &s.c, crash.Event{Time: at, Kind: crash.KindPanic, Source: "pstore", CoreFile: n,
			Text: panicLine(string(data)), Backtrace: string(data)})
	}
}

// panicLine is the line of a panic log that says what happened: the
// first panic, oops or BUG line, else its last line.
func panicLine(log string) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	for _, l := range lines {
		// Lines are "<6>[  12.3] text" or "Panic#1 Part1" headers.
		t := l
		if i := strings.Index(t, "] "); i >= 0 && strings.HasPrefix(strings.TrimLeft(t, "<0123456789>"), "[") {
			t = t[i+2:]
		}
		if _, ok := crash.FromKernel(t, time.Time{}, ""); ok {
			return strings.TrimSpace(t)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.TrimSpace(lines[len(lines)-1])
}
