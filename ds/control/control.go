package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Limits on what crosses the socket.
const (
	MaxRequest  = 1 << 20
	MaxResponse = 64 << 20
)

// Request is one CLI command: its words and arguments, as typed.
type Request struct {
	Args []string `json:"args"`
}

// Response is what the command printed and its exit code.
type Response struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

// Handler runs one request in the daemon.
type Handler func(ctx context.Context, req Request) Response

// ErrNoDaemon means no daemon answers on the socket: the CLI then acts on
// the bootflash directly.
var ErrNoDaemon = errors.New("no daemon is running")

var errGone = errors.New("the daemon did not answer (it may be restarting; try again)")

// Server answers requests on a Unix socket.
type Server struct {
	path     string
	listener net.Listener
	wg       sync.WaitGroup
}

// Listen creates the socket at path, mode 0600, replacing a stale one left
// by a daemon that died. It refuses when another daemon answers there.
func Listen(path string) (*Server, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s: another dsengine daemon is listening there", path)
	}
	_ = os.Remove(path) // stale, from a daemon that did not stop cleanly
	// The umask keeps the socket private from the moment it exists.
	old := syscall.Umask(0o077)
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return &Server{path: path, listener: l}, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers requests until ctx is done, each in its own goroutine,
// then closes the socket and waits for the requests in progress.
func (s *Server) Serve(ctx context.Context, h Handler) error {
	go func() {
		<-ctx.Done()
		s.listener.Close()
	}()
	defer func() {
		s.wg.Wait()
		os.Remove(s.path)
	}()
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("control socket %s: %w", s.path, err)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			s.answer(ctx, conn, h)
		}()
	}
}

func (s *Server) answer(ctx context.Context, conn net.Conn, h Handler) {
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var req Request
	dec := json.NewDecoder(io.LimitReader(conn, MaxRequest))
	if err := dec.Decode(&req); err != nil {
		_ = json.NewEncoder(conn).Encode(Response{Stderr: fmt.Sprintf("bad request: %v\n", err), Code: 2})
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	resp := h(ctx, req)
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	w := bufio.NewWriter(conn)
	_ = json.NewEncoder(w).Encode(resp)
	_ = w.Flush()
}

// Call sends one request to the daemon listening at path. It returns
// ErrNoDaemon when nothing listens there.
func Call(ctx context.Context, path string, req Request) (Response, error) {
	var d net.Dialer
	dialCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := d.DialContext(dialCtx, "unix", path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
			return Response{}, ErrNoDaemon
		}
		return Response{}, fmt.Errorf("control socket %s: %w", path, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	// A daemon that accepted the connection and went away before its
	// answer fails the write or the read, depending on timing: either way
	// it is stopping or restarting.
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return Response{}, fmt.Errorf("control socket %s: %w: %w", path, errGone, err)
	}
	var resp Response
	if err := json.NewDecoder(io.LimitReader(conn, MaxResponse)).Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("control socket %s: %w: %w", path, errGone, err)
	}
	return resp, nil
}
