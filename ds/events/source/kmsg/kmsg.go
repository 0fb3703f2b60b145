// Package kmsg is the "source kmsg" native event source: the kernel's log
// records from /dev/kmsg as IOS-shaped lines ("%KERN-3-MSG: …"), and the
// crashes they report (a segfault, an OOM kill, an oops, a panic) as crash
// events; at start, the panic logs a previous boot left in pstore.
package kmsg

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/crash"
)

// Default paths.
const (
	DefaultPath   = "/dev/kmsg"
	DefaultPstore = "/sys/fs/pstore"
)

// Descriptor describes the kmsg source to the table.
var Descriptor = source.Descriptor{
	Name:    "kmsg",
	Summary: "kernel log records as %KERN-N-MSG lines; segfaults, OOM kills, oopses, panics (pstore) as crash events",
	Usage:   "source kmsg [path FILE] [pstore DIR]",
	New:     New,
}

// Source reads the kernel's log.
type Source struct {
	path, pstore string
	// uptime is the time since boot (CLOCK_BOOTTIME): the records are
	// stamped with it.
	uptime func() (time.Duration, error)

	c    source.Counters
	cut  atomic.Uint64
	lost atomic.Uint64
}

// New reads the arguments: "path FILE" (default /dev/kmsg) and "pstore
// DIR" (default /sys/fs/pstore), each at most once.
func New(args []string) (source.Source, error) {
	s := &Source{path: DefaultPath, pstore: DefaultPstore, uptime: bootTime}
	seen := map[string]bool{}
	for i := 0; i < len(args); i += 2 {
		k := args[i]
		if k != "path" && k != "pstore" {
			return nil, fmt.Errorf("unknown argument %q: expected path FILE or pstore DIR", k)
		}
		if seen[k] {
			return nil, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		if i+1 >= len(args) || args[i+1] == "" {
			return nil, fmt.Errorf("%s needs a value", k)
		}
		if k == "path" {
			s.path = args[i+1]
		} else {
			s.pstore = args[i+1]
		}
	}
	return s, nil
}

// bootTime is CLOCK_BOOTTIME.
func bootTime() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0, err
	}
	return time.Duration(ts.Nano()), nil
}

// Name is "kmsg".
func (s *Source) Name() string { return "kmsg" }

// Stats are the counters: a record cut at MaxLine and an unreadable one
// count as errors, records the kernel overwrote before they were read
// (EPIPE, a gap in the sequence numbers) as dropped.
func (s *Source) Stats() source.Stats { return s.c.Snapshot(s.Name()) }

// Cut is how many records were cut at MaxLine.
func (s *Source) Cut() uint64 { return s.cut.Load() }

// Lost is how many records the kernel overwrote before they were read.
func (s *Source) Lost() uint64 { return s.lost.Load() }

// Run raises the pstore records, then follows path from its end until ctx
// ends.
func (s *Source) Run(ctx context.Context, env source.Env) error {
	s.readPstore(env)
	if err := s.follow(ctx, env); ctx.Err() == nil {
		return err
	}
	return nil
}

// follow reads path from its end until ctx ends or a read fails.
func (s *Source) follow(ctx context.Context, env source.Env) error {
	st, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("source kmsg: %w; give the kernel log's path with `source kmsg path FILE`", err)
	}
	flag := os.O_RDONLY
	switch {
	case st.Mode()&os.ModeCharDevice != 0:
	case st.Mode()&os.ModeNamedPipe != 0:
		// Read and write: the source's own write end keeps the pipe
		// from reading end-of-file when a writer closes.
		flag = os.O_RDWR
	default:
		return fmt.Errorf("source kmsg: %s is not a character device (/dev/kmsg) or a named pipe; give one with `source kmsg path FILE`", s.path)
	}
	f, err := os.OpenFile(s.path, flag|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("source kmsg: %w; give the kernel log's path with `source kmsg path FILE`", err)
	}
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer func() {
		if stop() {
			f.Close()
		}
	}()
	// Old records are not replayed: a pipe cannot seek, and need not.
	if _, err := f.Seek(0, io.SeekEnd); err != nil && !errors.Is(err, syscall.ESPIPE) {
		return fmt.Errorf("source kmsg: %s: seek to the end: %w", s.path, err)
	}
	up, err := s.uptime()
	if err != nil {
		return fmt.Errorf("source kmsg: the time since boot: %w", err)
	}
	boot := env.Clock.Now().Add(-up)
	if st.Mode()&os.ModeCharDevice != 0 {
		return s.readRecords(f, env, boot, s.mark(env))
	}
	return s.readLines(f, env, boot)
}

// mark writes a record of the source's own to the kernel log and returns
// the text that identifies it, or "" when the write fails. A record the
// kernel had not finished when the source sought to the end (one written
// without a newline) is handed out once the next one is stored, and its
// stamp cannot tell it is old: the kernel stamps with its own clock, a
// millisecond or more off CLOCK_MONOTONIC. The records read before the
// marker are old.
func (s *Source) mark(env source.Env) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return ""
	}
	text := "dsengine: source kmsg reads the kernel log from here (" + hex.EncodeToString(b) + ")"
	f, err := os.OpenFile(s.path, os.O_WRONLY, 0)
	if err == nil {
		_, err = f.Write([]byte("<14>" + text + "\n"))
		f.Close()
	}
	if err != nil {
		env.Log.Debug("source kmsg: no marker record written: a record the kernel had not finished at the start may be read as new", "err", err)
		return ""
	}
	return text
}

// readRecords reads /dev/kmsg, one record a read. Until the record whose
// text is marker (none when marker is empty), the records are old and
// skipped; so is the marker. A gap (EPIPE) ends the skipping: the marker
// may be among the records overwritten.
func (s *Source) readRecords(f *os.File, env source.Env, boot time.Time, marker string) error {
	buf := make([]byte, 64<<10)
	var last uint64
	skipOld := marker != ""
	for {
		n, err := f.Read(buf)
		switch {
		case errors.Is(err, syscall.EPIPE):
			// The kernel overwrote records before they were read: the
			// next read returns the oldest one left.
			s.lost.Add(1)
			s.c.Dropped.Add(1)
			skipOld = false
			continue
		case errors.Is(err, syscall.EAGAIN):
			continue
		case err != nil:
			return fmt.Errorf("source kmsg: %s: %w", s.path, err)
		}
		if skipOld {
			if r, ok := parseRecord(buf[:n]); ok {
				last = r.seq
				skipOld = r.text != marker
			}
			continue
		}
		last = s.handle(buf[:n], env, boot, last)
	}
}

// readLines reads a named pipe of records, one a line (a fixture, a
// relay of another host's kernel log); continuation lines (" KEY=VALUE") are skipped,
// a line longer than MaxLine is cut.
func (s *Source) readLines(f *os.File, env source.Env, boot time.Time) error {
	r := bufio.NewReaderSize(f, MaxLine+256)
	var last uint64
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			rec := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) { // the rest of the line
				_, err = r.ReadSlice('\n')
			}
			if err == nil {
				last = s.handle(rec, env, boot, last)
				continue
			}
		}
		if len(line) > 0 && line[0] != ' ' && err == nil {
			last = s.handle(line, env, boot, last)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("source kmsg: %s: %w", s.path, err)
		}
	}
}

// handle hands on one record and returns its sequence number.
func (s *Source) handle(b []byte, env source.Env, boot time.Time, last uint64) uint64 {
	r, ok := parseRecord(b)
	if !ok {
		s.c.Errors.Add(1)
		env.Log.Debug("source kmsg: not a kernel log record", "record", string(b[:min(len(b), 80)]))
		return last
	}
	if r.cut {
		s.cut.Add(1)
		s.c.Errors.Add(1)
	}
	if last != 0 && r.seq > last+1 {
		s.lost.Add(r.seq - last - 1)
		s.c.Dropped.Add(r.seq - last - 1)
	}
	at := boot.Add(r.ts)
	s.c.Syslog(env, at, r.Line())
	if e, ok := crash.FromKernel(r.text, at, "kmsg"); ok {
		crash.Raise(env, &s.c, e)
	}
	return r.seq
}
