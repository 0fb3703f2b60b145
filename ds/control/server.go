package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Handler runs one request in the daemon. Its context ends when the
// daemon stops or the client goes away (cause ErrClientGone).
type Handler func(ctx context.Context, req Request) Response

// Server answers requests on a Unix socket.
type Server struct {
	path     string
	listener *net.UnixListener
	ident    os.FileInfo // the socket file Listen made, to remove only that one
	uid      uint32      // the daemon's user: it and root may send commands
	log      *slog.Logger
	refused  atomic.Uint64
	wg       sync.WaitGroup
	sessions *sessions // nil: no interactive sessions
}

// maxSocketPath is the longest path a Unix socket can be bound at (the
// kernel's sun_path, less its terminating NUL).
const maxSocketPath = 107

// Listen creates the socket at path, mode 0600, replacing a stale socket
// left by a daemon that died, or whatever else is at the path (a symlink
// there is replaced, never followed). It refuses when another daemon
// answers there, and when the socket's directory could let another user
// replace the socket: one that belongs to a user other than the daemon's
// and root, or that group or others can write, unless it is sticky and the
// daemon's own. log receives the refused clients; nil discards.
func Listen(path string, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	uid := uint32(os.Geteuid())
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := checkDir(dir, uid); err != nil {
		return nil, err
	}
	if err := checkOccupant(path, uid); err != nil {
		return nil, err
	}
	l, ident, err := bindPrivately(path)
	if err != nil {
		return nil, err
	}
	return &Server{path: path, listener: l, ident: ident, uid: uid, log: log}, nil
}

// checkDir refuses a socket directory in which a user other than uid and
// root could replace the socket.
func checkDir(dir string, uid uint32) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("control socket directory %s: %w", dir, err)
	}
	owner := st.Sys().(*syscall.Stat_t).Uid
	mode := st.Mode()
	switch {
	case !st.IsDir():
		return fmt.Errorf("control socket directory %s is not a directory; name another path with `control-socket PATH`", dir)
	case owner != uid && owner != 0:
		return fmt.Errorf("control socket directory %s belongs to uid %d, who could replace the socket; use a directory of this user (uid %d) or root, or name another path with `control-socket PATH`",
			dir, owner, uid)
	case mode.Perm()&0o022 != 0 && (mode&os.ModeSticky == 0 || owner != uid):
		return fmt.Errorf("control socket directory %s is writable by group or others (mode %v), who could replace the socket; run `chmod go-w %s`, or name another path with `control-socket PATH`",
			dir, mode, dir)
	}
	return nil
}

// checkOccupant looks at what is at path without following a symlink: a
// socket a daemon answers on is refused, anything else will be replaced.
func checkOccupant(path string, uid uint32) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("control socket %s: %w", path, err)
	case st.IsDir():
		return fmt.Errorf("control socket %s is a directory; remove it, or name another path with `control-socket PATH`", path)
	case st.Mode()&os.ModeSocket == 0:
		return nil // a file or a symlink: the rename replaces it
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil // stale, from a daemon that did not stop cleanly
	}
	defer c.Close()
	if peer, err := peerCred(c.(*net.UnixConn)); err == nil && peer.Uid != uid && peer.Uid != 0 {
		return fmt.Errorf("control socket %s: process %d of uid %d listens there, not a dsengine daemon of this user; stop it and remove the socket, or name another path with `control-socket PATH`",
			path, peer.Pid, peer.Uid)
	}
	return fmt.Errorf("control socket %s: another dsengine daemon is listening there", path)
}

// bindPrivately binds the socket in a new directory only this user can
// enter, sets its mode there, and renames it to path: it is never
// reachable at path before its mode is set, and rename replaces a symlink
// at path instead of following it.
func bindPrivately(path string) (*net.UnixListener, os.FileInfo, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".ds")
	if err != nil {
		return nil, nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	defer os.RemoveAll(tmp)
	private := filepath.Join(tmp, "s")
	if len(private) > maxSocketPath {
		return nil, nil, fmt.Errorf("control socket %s: the path is too long; the daemon binds it as %s, over the %d bytes a Unix socket allows: name a shorter one with `control-socket PATH`",
			path, private, maxSocketPath)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: private, Net: "unix"})
	if err != nil {
		return nil, nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	l.SetUnlinkOnClose(false) // it moves; Serve removes it at its path
	ident, err := os.Lstat(private)
	if err == nil {
		err = os.Chmod(private, 0o600)
	}
	if err == nil {
		err = os.Rename(private, path)
	}
	if err != nil {
		l.Close()
		return nil, nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return l, ident, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Refused is the number of clients refused because they run as a user
// other than the daemon's and root.
func (s *Server) Refused() uint64 { return s.refused.Load() }

// Serve answers requests until ctx is done, each in its own goroutine,
// then closes the socket and waits for the requests in progress (whose
// contexts ctx's end cancels).
func (s *Server) Serve(ctx context.Context, h Handler) error {
	stop := context.AfterFunc(ctx, func() { s.listener.Close() })
	defer func() {
		stop()
		s.listener.Close()
		s.wg.Wait()
		s.removeSocket()
	}()
	for {
		conn, err := s.listener.AcceptUnix()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("control socket %s: %w", s.path, err)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.answer(ctx, conn, h)
		}()
	}
}

// removeSocket removes the socket Listen made, if it is still the one at
// the path.
func (s *Server) removeSocket() {
	if st, err := os.Lstat(s.path); err == nil && os.SameFile(st, s.ident) {
		os.Remove(s.path)
	}
}

func (s *Server) answer(ctx context.Context, conn *net.UnixConn, h Handler) {
	defer conn.Close()
	peer, perr := peerCred(conn)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var req Request
	dec := json.NewDecoder(io.LimitReader(conn, MaxRequest))
	derr := dec.Decode(&req)
	if perr != nil || (peer.Uid != s.uid && peer.Uid != 0) {
		// The request was read, so that the client's write does not fail
		// and it gets the reason; nothing of it is used.
		n := s.refused.Add(1)
		if perr != nil {
			s.log.Warn("control socket: client refused: its credentials are unknown", "err", perr, "refused", n)
		} else {
			s.log.Warn("control socket: client refused: not the daemon's user or root", "pid", peer.Pid, "uid", peer.Uid, "refused", n)
		}
		msg := fmt.Sprintf("dsengine: refused: this daemon takes commands only from its own user (uid %d) and root; run the command as one of them\n", s.uid)
		if derr == nil && req.Session != "" {
			_ = newConn(conn, conn).Send(Frame{Kind: FrameExit, Code: 1, Text: msg})
			return
		}
		reply(conn, Response{Stderr: msg, Code: 1})
		return
	}
	if derr != nil {
		reply(conn, Response{Stderr: fmt.Sprintf("bad request: %v\n", derr), Code: 2})
		return
	}
	if req.Session != "" {
		s.session(ctx, conn, dec.Buffered(), req)
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	// The client sends nothing after its request: the read ends when it
	// closes the connection (Ctrl-C, or its timeout), and the command's
	// context with it.
	rctx, cancel := context.WithCancelCause(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		_, _ = io.Copy(io.Discard, conn)
		cancel(ErrClientGone)
	}()
	resp := h(rctx, req)
	reply(conn, resp)
	conn.Close() // ends the watch
	<-watched
	cancel(nil)
}

// reply writes resp, within 30 s.
func reply(conn net.Conn, resp Response) {
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	w := bufio.NewWriter(conn)
	_ = json.NewEncoder(w).Encode(resp)
	_ = w.Flush()
}
