// Package coredump is the "source coredump" native event source: each
// core file that appears in the core dump directory (systemd-coredump's
// /var/lib/systemd/coredump) is a crash event whose crash alert group
// message carries the core file, when it is not over the size cap.
package coredump

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/crash"
)

// Defaults.
const (
	DefaultDirectory = "/var/lib/systemd/coredump"
	DefaultMaxSize   = 1 << 20
	// Settle is how long a core file must go unwritten before it is read:
	// one the kernel writes in place grows while it is dumped (one
	// systemd-coredump renames into the directory is whole at once).
	Settle = 2 * time.Second
)

// Descriptor describes the coredump source to the table.
var Descriptor = source.Descriptor{
	Name:    "coredump",
	Summary: "core files appearing in the core dump directory as crash events, the core attached under a size cap",
	Usage:   "source coredump [directory DIR] [max-size BYTES]",
	New:     New,
}

// Source watches the core dump directory.
type Source struct {
	dir     string
	maxSize int64

	c        source.Counters
	oversize atomic.Uint64
	watching func() // called once the watch is set (tests)
}

// New reads the arguments: "directory DIR" (default
// /var/lib/systemd/coredump) and "max-size BYTES" (default 1048576; 0
// attaches none).
func New(args []string) (source.Source, error) {
	s := &Source{dir: DefaultDirectory, maxSize: DefaultMaxSize}
	seen := map[string]bool{}
	for i := 0; i < len(args); i += 2 {
		k := args[i]
		if k != "directory" && k != "max-size" {
			return nil, fmt.Errorf("unknown argument %q: expected directory DIR or max-size BYTES", k)
		}
		if seen[k] {
			return nil, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		if i+1 >= len(args) || args[i+1] == "" {
			return nil, fmt.Errorf("%s needs a value", k)
		}
		if k == "directory" {
			s.dir = args[i+1]
			continue
		}
		n, err := strconv.ParseInt(args[i+1], 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("max-size %q is not a number of bytes (0 or more)", args[i+1])
		}
		s.maxSize = n
	}
	return s, nil
}

// Name is "coredump".
func (s *Source) Name() string { return "coredump" }

// Stats are the counters; a core file that could not be read is an
// error.
func (s *Source) Stats() source.Stats { return s.c.Snapshot(s.Name()) }

// Oversize is how many core files were over the cap: named, not attached.
func (s *Source) Oversize() uint64 { return s.oversize.Load() }

// Run watches the directory until ctx ends; a file already there is not
// reported.
func (s *Source) Run(ctx context.Context, env source.Env) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("source coredump: %w", err)
	}
	defer w.Close()
	if err := w.Add(s.dir); err != nil {
		return fmt.Errorf("source coredump: watch %s: %w; create it or give another with `source coredump directory DIR`", s.dir, err)
	}
	if s.watching != nil {
		s.watching()
	}
	settled := make(chan string, 16)
	timers := map[string]ds.Timer{}
	defer func() {
		for _, t := range timers {
			t.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.Errors:
			s.c.Errors.Add(1)
			env.Log.Warn("source coredump: watch", "dir", s.dir, "err", err)
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("source coredump: the watch ended")
			}
			name := filepath.Base(ev.Name)
			if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) || !isCore(name) {
				continue
			}
			if t := timers[ev.Name]; t != nil {
				t.Stop()
			}
			path := ev.Name
			timers[path] = env.Clock.AfterFunc(Settle, func() {
				select {
				case settled <- path:
				case <-ctx.Done():
				}
			})
		case path := <-settled:
			delete(timers, path)
			s.raise(env, path)
		}
	}
}

// isCore reports whether name is a core file: "core", "core.…"; not a
// file systemd-coredump is still writing (".#core…").
func isCore(name string) bool {
	return name == "core" || strings.HasPrefix(name, "core.")
}

// raise hands on the crash of the core file at path.
func (s *Source) raise(env source.Env, path string) {
	fi, err := os.Stat(path)
	if err != nil {
		s.c.Errors.Add(1)
		env.Log.Warn("source coredump: core file gone before it was read", "file", path, "err", err)
		return
	}
	e := parseName(filepath.Base(path))
	if e.Process == "" {
		fromELF(path, &e)
	}
	if e.Process == "" {
		e.Process = "unknown"
	}
	e.Source, e.Kind, e.CoreFile, e.CoreSize = "coredump", crash.KindProcess, path, fi.Size()
	if e.Time.IsZero() {
		e.Time = fi.ModTime()
	}
	switch {
	case fi.Size() > s.maxSize:
		s.oversize.Add(1)
		e.CoreNote = fmt.Sprintf("not attached: over the max-size of %d bytes", s.maxSize)
	default:
		if e.Core, err = os.ReadFile(path); err != nil {
			s.c.Errors.Add(1)
			e.Core, e.CoreNote = nil, "not attached: "+err.Error()
		}
	}
	crash.Raise(env, &s.c, e)
}

// compression are the suffixes systemd-coredump gives a compressed core.
var compression = []string{".zst", ".xz", ".lz4", ".gz"}

// parseName reads the process and pid from a core file's name:
// systemd-coredump's "core.COMM.UID.BOOTID.PID.USEC[.zst]" (its time as
// well), the kernel's "core.PID" (core_uses_pid); what it cannot read
// stays zero.
func parseName(name string) crash.Event {
	var e crash.Event
	for _, c := range compression {
		name = strings.TrimSuffix(name, c)
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(name, "core"), ".")
	parts := strings.Split(rest, ".")
	if n := len(parts); n >= 5 {
		pid, err1 := strconv.Atoi(parts[n-2])
		us, err2 := strconv.ParseInt(parts[n-1], 10, 64)
		if err1 == nil && err2 == nil {
			e.Process, e.PID, e.Time = unescape(strings.Join(parts[:n-4], ".")), pid, time.UnixMicro(us)
			return e
		}
	}
	if pid, err := strconv.Atoi(rest); err == nil {
		e.PID = pid
	}
	return e
}

// unescape undoes systemd's \xNN escapes of a command name.
func unescape(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
