// Package journal is the "source journal" native event source: the
// system journal's records, read with `journalctl --follow --output=json`,
// as IOS-shaped lines ("%SSHD-6-LOG: …"), and systemd-coredump's records
// and the kernel's crash lines as crash events.
package journal

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/crash"
)

// Descriptor describes the journal source to the table.
var Descriptor = source.Descriptor{
	Name:    "journal",
	Summary: "system journal records as %IDENT-N-LOG lines; systemd-coredump records and kernel crash lines as crash events",
	Usage:   "source journal [directory DIR] [unit NAME ...]",
	New:     New,
}

// Backoff bounds the wait before journalctl is started again after it
// exited: it doubles from MinBackoff to MaxBackoff, and starts over
// after a run that read records.
const (
	MinBackoff = time.Second
	MaxBackoff = time.Minute
)

// maxRecord is the longest JSON record read; a longer one is skipped and
// counted.
const maxRecord = 1 << 20

// Source follows the journal.
type Source struct {
	dir        string
	units      []string
	journalctl string // the program, found in PATH

	c        source.Counters
	restarts atomic.Uint64
	cut      atomic.Uint64
}

// New reads the arguments: "directory DIR" (the journal files of DIR
// instead of the system's) and "unit NAME ..." (only those units'
// records).
func New(args []string) (source.Source, error) {
	s := &Source{journalctl: "journalctl"}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "directory":
			if s.dir != "" {
				return nil, errors.New("directory given twice")
			}
			if i+1 >= len(args) || args[i+1] == "" {
				return nil, errors.New("directory needs a path")
			}
			i++
			s.dir = args[i]
		case "unit":
			n := 0
			for i+1 < len(args) && args[i+1] != "directory" && args[i+1] != "unit" {
				i++
				s.units = append(s.units, args[i])
				n++
			}
			if n == 0 {
				return nil, errors.New("unit needs a unit name")
			}
		default:
			return nil, fmt.Errorf("unknown argument %q: expected directory DIR or unit NAME ...", args[i])
		}
	}
	return s, nil
}

// Name is "journal".
func (s *Source) Name() string { return "journal" }

// Stats are the counters: a record that is not JSON, one over 1 MiB, a
// message cut at MaxLine and each exit of journalctl count as errors.
func (s *Source) Stats() source.Stats { return s.c.Snapshot(s.Name()) }

// Restarts is how many times journalctl was started again.
func (s *Source) Restarts() uint64 { return s.restarts.Load() }

// Run runs journalctl until ctx ends, again with backoff when it exits,
// from the record after the last one read (--after-cursor), or from the
// start of Run before the first.
func (s *Source) Run(ctx context.Context, env source.Env) error {
	prog, err := exec.LookPath(s.journalctl)
	if err != nil {
		return fmt.Errorf("source journal: %w: install systemd's journalctl or remove the `source journal` line", err)
	}
	since := env.Clock.Now()
	cursor := ""
	backoff := source.Backoff{Min: MinBackoff, Max: MaxBackoff}
	for {
		n, err := s.follow(ctx, env, prog, since, &cursor)
		if ctx.Err() != nil {
			return nil
		}
		s.c.Errors.Add(1)
		if n > 0 {
			backoff.Reset()
		}
		wait := backoff.Next()
		env.Log.Warn("source journal: journalctl exited; starting it again", "err", err, "after", wait)
		if !source.Sleep(ctx, env.Clock, wait) {
			return nil
		}
		s.restarts.Add(1)
	}
}

// args are journalctl's arguments.
func (s *Source) args(since time.Time, cursor string) []string {
	a := []string{"--follow", "--output=json", "--all", "--no-pager", "--quiet"}
	if cursor != "" {
		a = append(a, "--after-cursor="+cursor)
	} else {
		a = append(a, "--since=@"+strconv.FormatInt(since.Unix(), 10))
	}
	if s.dir != "" {
		a = append(a, "--directory="+s.dir)
	}
	for _, u := range s.units {
		a = append(a, "--unit="+u)
	}
	return a
}

// follow runs journalctl once and hands on its records; it returns how
// many it read and why it ended.
func (s *Source) follow(ctx context.Context, env source.Env, prog string, since time.Time, cursor *string) (int, error) {
	cmd := exec.CommandContext(ctx, prog, s.args(since, *cursor)...)
	var stderr bytes.Buffer
	cmd.Stderr = &limited{w: &stderr, n: 4096}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	n := 0
	r := bufio.NewReaderSize(out, 64<<10)
	for {
		line, err := readLine(r)
		if errors.Is(err, errTooLong) {
			s.c.Errors.Add(1)
			env.Log.Warn("source journal: a record over 1 MiB skipped")
			continue
		}
		if err != nil {
			break
		}
		n++
		s.handle(env, line, cursor)
	}
	err = cmd.Wait()
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		err = fmt.Errorf("%v: %s", err, msg)
	}
	return n, err
}

var errTooLong = errors.New("record too long")

// readLine reads one line of at most maxRecord bytes; a longer one is
// read to its end and errTooLong returned. A last line without its
// newline (journalctl was killed while writing it) is dropped.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	over := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !over {
			if len(buf)+len(chunk) > maxRecord {
				over, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil:
			return nil, err
		case over:
			return nil, errTooLong
		}
		return buf, nil
	}
}

// handle hands on one record.
func (s *Source) handle(env source.Env, line []byte, cursor *string) {
	f, err := parseRecord(line)
	if err != nil {
		s.c.Errors.Add(1)
		env.Log.Warn("source journal: not a JSON record", "err", err)
		return
	}
	if c := f["__CURSOR"]; c != "" {
		*cursor = c
	}
	at, ok := f.time()
	if !ok {
		at = env.Clock.Now()
	}
	l, cut := f.Line()
	if cut {
		s.cut.Add(1)
		s.c.Errors.Add(1)
	}
	s.c.Syslog(env, at, l)
	if e, ok := f.crash(at); ok {
		crash.Raise(env, &s.c, e)
	}
}

// limited keeps the first n bytes written to it.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
