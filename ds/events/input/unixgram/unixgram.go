package unixgram

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
)

// DefaultMode is the socket's permission: its owner and group may send.
// Anyone who can send can inject events that run actions, so the socket is
// not world-writable as /dev/log is; widen it with Options.Mode.
const DefaultMode os.FileMode = 0o660

// Options configure a Unix datagram input.
type Options struct {
	input.Options
	// Mode is the socket file's permission (default DefaultMode).
	Mode os.FileMode

	// afterBind, if set, is called with the socket file's path right
	// after bind, before the file has its mode and is in place (tests).
	afterBind func(bound string)
}

// Input is a Unix datagram syslog listener. Each datagram is one line: a
// trailing run of LF, CR and NUL bytes is removed, and a datagram longer
// than MaxLine is cut to MaxLine, delivered and counted as oversize. A full
// queue drops and counts the line, never blocking the read loop (a local
// sender blocks or gets EAGAIN when the socket buffer fills, so the kernel
// drops nothing). The socket file is created by Listen with Options.Mode
// and removed when Run returns (or by Close), if it is still the one
// Listen made.
type Input struct {
	conn      *net.UnixConn
	path      string
	made      os.FileInfo // the socket file as created, to remove only that one
	opts      input.Options
	c         input.Counters
	closeOnce sync.Once
	closeErr  error
}

// Listen creates the socket at path. A socket file left at path by a
// process that is gone is replaced; a live socket (one that accepts a
// datagram connection), a symbolic link or any other kind of file at path
// is an error.
//
// The socket is never reachable with another mode than Options.Mode, and
// nothing at path is ever followed: Listen binds it in a new private
// directory (mode 0700) beside path, sets its mode there, and links it
// into place with link(2), which fails rather than replace or follow
// whatever another user may have put at path meanwhile; then it removes
// the private directory. (A umask set around bind would act on the whole
// process, and fchmod on the socket before bind cannot widen past the
// umask.) The private directory's name makes the bound path up to 14
// bytes longer than path, within the 107 bytes a socket path may have.
func Listen(path string, o Options) (*Input, error) {
	if err := removeStale(path); err != nil {
		return nil, fmt.Errorf("syslog unix %s: %w", path, err)
	}
	mode := o.Mode
	if mode == 0 {
		mode = DefaultMode
	}
	conn, made, err := bindPrivate(path, mode, o.afterBind)
	if err != nil {
		return nil, fmt.Errorf("syslog unix %s: %w", path, err)
	}
	return &Input{
		conn: conn,
		path: path,
		made: made,
		opts: o.Options.WithDefaults("unix:" + path),
	}, nil
}

// maxSocketPath is the longest path bind(2) takes (sun_path less its NUL).
const maxSocketPath = 107

// bindPrivate binds a socket in a private directory beside path, gives it
// mode and links it to path; see Listen. made is the socket file.
func bindPrivate(path string, mode os.FileMode, afterBind func(string)) (*net.UnixConn, os.FileInfo, error) {
	priv, err := os.MkdirTemp(filepath.Dir(path), ".u")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(priv)
	bound := filepath.Join(priv, "s")
	if len(bound) > maxSocketPath {
		return nil, nil, fmt.Errorf("the path is too long: binding beside it needs %d bytes, and a socket path may have %d; use a shorter one",
			len(bound), maxSocketPath)
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: bound, Net: "unixgram"})
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*net.UnixConn, os.FileInfo, error) {
		conn.Close()
		return nil, nil, err
	}
	if afterBind != nil {
		afterBind(bound)
	}
	// Nobody else can reach into priv: this chmod acts on our socket.
	if err := os.Chmod(bound, mode); err != nil {
		return fail(err)
	}
	made, err := os.Lstat(bound)
	if err != nil {
		return fail(err)
	}
	if err := os.Link(bound, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = errors.New("something was put at the path while the socket was being made " +
				"(another user, if its directory is writable by others); refused and left alone: " +
				"keep the socket's directory private to the daemon's user")
		}
		return fail(err)
	}
	return conn, made, nil
}

// removeStale removes a socket file at path that nobody listens on.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	switch fi.Mode().Type() {
	case os.ModeSocket:
	case os.ModeSymlink:
		return fmt.Errorf("a symlink is at the path; refused, never followed: remove it (rm %s) if it is not needed", path)
	default:
		return fmt.Errorf("%s exists and is not a socket", fi.Mode().Type())
	}
	if c, err := net.DialTimeout("unixgram", path, time.Second); err == nil {
		c.Close()
		return errors.New("a process is already listening on it")
	}
	return os.Remove(path)
}

// Path is the socket's path.
func (in *Input) Path() string { return in.path }

// Name implements input.Input.
func (in *Input) Name() string { return in.opts.Name }

// Stats implements input.Input.
func (in *Input) Stats() input.Stats { return in.c.Snapshot(in.opts.Name) }

// Close closes the socket and removes its file if it is still the one
// Listen created. Run calls it when it returns.
func (in *Input) Close() error {
	in.closeOnce.Do(func() {
		in.closeErr = in.conn.Close()
		if fi, err := os.Lstat(in.path); err == nil && os.SameFile(fi, in.made) {
			if err := os.Remove(in.path); err != nil && in.closeErr == nil {
				in.closeErr = err
			}
		}
	})
	return in.closeErr
}

// Run implements input.Input: it reads datagrams until ctx is done or Close
// is called.
func (in *Input) Run(ctx context.Context, q input.Sink) error {
	stop := context.AfterFunc(ctx, func() { _ = in.Close() })
	defer stop()
	defer in.Close()
	em := input.NewEmitter(in.opts, q, &in.c, false)
	max := em.MaxLine()
	buf := make([]byte, max+1)
	for {
		n, _, flags, _, err := in.conn.ReadMsgUnix(buf, nil)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			in.c.ReadErrors.Add(1)
			if input.Pause(ctx, 10*time.Millisecond) {
				return nil
			}
			continue
		}
		line, truncated := buf[:n], n > max || flags&msgTrunc != 0
		if truncated {
			line = buf[:max]
		} else {
			line = input.TrimLineEnd(line)
		}
		em.Emit(ctx, line, netip.AddrPort{}, truncated)
	}
}

// Input is an input.Input.
var _ input.Input = (*Input)(nil)
