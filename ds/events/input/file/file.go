package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/dsengine/dsengine/ds/events/input"
)

// How often the file is looked at besides inotify's events: a safety net
// with inotify (it misses writes through a symbolic link's target in another
// directory, and on network file systems), the only way without.
const (
	DefaultPoll         = time.Second
	DefaultPollNoNotify = 250 * time.Millisecond
)

// Options configure a file input.
type Options struct {
	input.Options
	// FromStart reads the file from its beginning (a replay) instead of
	// from its end.
	FromStart bool
	// Poll is how often the file is looked at besides inotify's events
	// (default DefaultPoll, or DefaultPollNoNotify without inotify).
	Poll time.Duration
	// NoNotify does without inotify and only polls.
	NoNotify bool
}

// Tailer follows one file. Lines end at LF (a CR before it is removed); a
// line longer than MaxLine is cut, delivered and counted as oversize. A
// partial last line waits for its LF, except when the file is truncated or
// rotated: then it is delivered as it is. A full queue makes the tailer wait
// up to Options.Wait, then the line is dropped and counted.
//
// The tailer starts at the end of the file (skipping the rest of a partial
// last line), or at its start with Options.FromStart; a file that does not
// exist yet is read from its start once it appears. It notices:
//
//   - truncation: the file is smaller than what was read → the partial
//     line is delivered and the file is read again from its start
//     (Stats.Truncations). A file truncated and rewritten beyond the old
//     size between two looks cannot be told from one that grew;
//   - rotation: the path names another file (rename and re-create, or
//     delete and re-create) → the old file is read to its end, its partial
//     line delivered, and the new file read from its start
//     (Stats.Rotations). While the path names no file, the old file stays
//     open and followed, so a writer that still appends to it loses
//     nothing; lines it writes to the old file after the new one appears
//     (and the tailer has moved) are lost, as with tail -F.
//
// Changes are noticed through inotify on the file's directory
// (github.com/fsnotify/fsnotify), and by polling every Options.Poll.
type Tailer struct {
	path    string
	opts    Options
	c       input.Counters
	started chan struct{}
}

// New returns a Tailer of path, which need not exist yet.
func New(path string, o Options) (*Tailer, error) {
	if path == "" {
		return nil, errors.New("syslog file: no path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("syslog file %s: %w", path, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("syslog file %s: not a regular file", path)
	}
	o.Options = o.Options.WithDefaults("file:" + abs)
	return &Tailer{path: abs, opts: o, started: make(chan struct{})}, nil
}

// Path is the absolute path followed.
func (t *Tailer) Path() string { return t.path }

// Name implements input.Input.
func (t *Tailer) Name() string { return t.opts.Name }

// Stats implements input.Input.
func (t *Tailer) Stats() input.Stats { return t.c.Snapshot(t.opts.Name) }

// Started is closed once Run has opened the file (or found it missing) and
// set up its watch: what is appended after that is delivered.
func (t *Tailer) Started() <-chan struct{} { return t.started }

// Run implements input.Input: it follows the file until ctx is done.
func (t *Tailer) Run(ctx context.Context, q input.Sink) error {
	em := input.NewEmitter(t.opts.Options, q, &t.c, true)
	f := &follower{
		path:  t.path,
		c:     &t.c,
		lines: input.NewLines(em.MaxLine()),
		buf:   make([]byte, 64<<10),
		emit:  func(line []byte, truncated bool) { em.Emit(ctx, line, netip.AddrPort{}, truncated) },
	}
	defer f.close()

	var events <-chan fsnotify.Event
	var errs <-chan error
	if !t.opts.NoNotify {
		if w, err := fsnotify.NewWatcher(); err == nil {
			defer w.Close()
			if err := w.Add(filepath.Dir(t.path)); err == nil {
				events, errs = w.Events, w.Errors
			}
		}
	}
	poll := t.opts.Poll
	if poll <= 0 {
		poll = DefaultPoll
		if events == nil {
			poll = DefaultPollNoNotify
		}
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()

	f.start(t.opts.FromStart)
	close(t.started)
	for {
		f.check(ctx)
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if ev.Name != t.path {
				continue
			}
		drain: // one look serves every event already queued
			for {
				select {
				case _, ok := <-events:
					if !ok {
						events = nil
						break drain
					}
				default:
					break drain
				}
			}
		case _, ok := <-errs: // an overflowed event queue: look
			if !ok {
				errs = nil
			}
		case <-ticker.C:
		}
	}
}

// follower is the state of a Tailer's Run.
type follower struct {
	path  string
	c     *input.Counters
	f     *os.File    // the file being followed; nil while none is open
	fi    os.FileInfo // f's identity, from when it was opened
	off   int64       // how far f was read
	lines *input.Lines
	buf   []byte
	emit  func(line []byte, truncated bool)
}

// start opens the file if it exists, at its end unless fromStart.
func (f *follower) start(fromStart bool) {
	if !f.open() || fromStart {
		return
	}
	size := f.fi.Size()
	if _, err := f.f.Seek(size, io.SeekStart); err != nil {
		f.c.ReadErrors.Add(1)
		return
	}
	f.off = size
	last := make([]byte, 1)
	if size > 0 {
		if _, err := f.f.ReadAt(last, size-1); err == nil && last[0] != '\n' {
			f.lines.SkipToNextLine() // the rest of a line whose start is not ours
		}
	}
}

// open opens the path from its start and reports whether it did.
func (f *follower) open() bool {
	file, err := os.Open(f.path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			f.c.ReadErrors.Add(1)
		}
		return false
	}
	fi, err := file.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		file.Close()
		f.c.ReadErrors.Add(1)
		return false
	}
	f.f, f.fi, f.off = file, fi, 0
	return true
}

// check reads what was appended and handles truncation and rotation.
func (f *follower) check(ctx context.Context) {
	if f.f == nil {
		if !f.open() {
			return
		}
	}
	f.readToEnd(ctx)
	fi, err := os.Stat(f.path)
	if err != nil {
		return // gone: follow the old file until a new one appears
	}
	if !os.SameFile(fi, f.fi) {
		f.readToEnd(ctx)
		f.lines.Flush(f.emit)
		f.close()
		f.c.Rotations.Add(1)
		if f.open() {
			f.readToEnd(ctx)
		}
		return
	}
	if cur, err := f.f.Stat(); err == nil && cur.Size() < f.off {
		f.lines.Flush(f.emit)
		if _, err := f.f.Seek(0, io.SeekStart); err != nil {
			f.c.ReadErrors.Add(1)
			return
		}
		f.off = 0
		f.c.Truncations.Add(1)
		f.readToEnd(ctx)
	}
}

// readToEnd reads f up to its current end, delivering complete lines.
func (f *follower) readToEnd(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := f.f.Read(f.buf)
		f.off += int64(n)
		f.lines.Write(f.buf[:n], f.emit)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				f.c.ReadErrors.Add(1)
			}
			return
		}
		if n == 0 {
			return
		}
	}
}

// close closes the followed file, if any.
func (f *follower) close() {
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
}

// Tailer is an input.Input.
var _ input.Input = (*Tailer)(nil)
