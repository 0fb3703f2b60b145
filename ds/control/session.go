package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// SessionVTY is the kind of session `dsengine cli` opens.
const SessionVTY = "vty"

// MaxFrame is the longest frame a session takes, in bytes of JSON.
const MaxFrame = 64 << 10

// The kinds of frames. The client sends FrameLine, FrameHelp and
// FrameComplete; the daemon answers with FrameOutput, FramePrompt (ready
// for the next line; Code is the last line's), FrameHelp (Items),
// FrameComplete (Text, the completed line), FrameGets (an applet waits for
// a line, Text its prompt) and FrameExit (the session ends; Code).
const (
	FrameLine     = "line"
	FrameHelp     = "help"
	FrameComplete = "complete"
	FrameOutput   = "output"
	FramePrompt   = "prompt"
	FrameGets     = "gets"
	FrameExit     = "exit"
)

// Frame is one message of a session, either way.
type Frame struct {
	Kind  string `json:"kind"`
	Text  string `json:"text,omitempty"`
	Code  int    `json:"code,omitempty"`
	Items []Item `json:"items,omitempty"`
}

// Item is one word `?` offers and its help.
type Item struct {
	Word string `json:"word"`
	Help string `json:"help,omitempty"`
}

// ErrFrameTooLong is a frame over MaxFrame: it was skipped, and the
// session goes on.
var ErrFrameTooLong = fmt.Errorf("a frame over %d bytes was refused", MaxFrame)

// Conn is one end of a session. Send and Recv may be called from
// different goroutines; each from one at a time.
type Conn struct {
	c   net.Conn
	r   *bufio.Reader
	wmu sync.Mutex
}

func newConn(c net.Conn, r io.Reader) *Conn {
	return &Conn{c: c, r: bufio.NewReaderSize(r, MaxFrame)}
}

// Send writes one frame, within 30 s.
func (c *Conn) Send(f Frame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.c.SetWriteDeadline(time.Now().Add(30 * time.Second))
	_, err = c.c.Write(append(data, '\n'))
	return err
}

// Recv reads the next frame. A frame over MaxFrame is skipped and
// returned as ErrFrameTooLong.
func (c *Conn) Recv() (Frame, error) {
	line, err := c.r.ReadSlice('\n')
	for err == nil && len(bytes.TrimSpace(line)) == 0 {
		line, err = c.r.ReadSlice('\n') // the newline after the request
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = c.r.ReadSlice('\n')
		}
		if err != nil {
			return Frame{}, err
		}
		return Frame{}, ErrFrameTooLong
	}
	if err != nil {
		return Frame{}, err
	}
	var f Frame
	if err := json.Unmarshal(line, &f); err != nil {
		return Frame{}, fmt.Errorf("bad frame: %w", err)
	}
	return f, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// SessionHandler runs one session in the daemon until it returns; the
// connection is closed after. ctx ends when the daemon stops.
type SessionHandler func(ctx context.Context, c *Conn)

// sessions is the session kind a server serves, and its cap.
type sessions struct {
	kind   string
	max    int
	h      SessionHandler
	active chan struct{} // one token per open session
}

// HandleSessions makes the server open sessions of kind with h, at most
// max at once (IOS has 16 vty lines); a client over the cap is told so and
// closed. Call it before Serve.
func (s *Server) HandleSessions(kind string, max int, h SessionHandler) {
	s.sessions = &sessions{kind: kind, max: max, h: h, active: make(chan struct{}, max)}
}

// session runs a session request on conn; buffered is what the request's
// decoder read past the request.
func (s *Server) session(ctx context.Context, conn *net.UnixConn, buffered io.Reader, req Request) {
	c := newConn(conn, io.MultiReader(buffered, conn))
	ss := s.sessions
	if ss == nil || ss.kind != req.Session {
		_ = c.Send(Frame{Kind: FrameExit, Code: 2, Text: fmt.Sprintf("%% refused: this daemon opens no %q session; upgrade the daemon or the CLI so that they match\n", req.Session)})
		return
	}
	select {
	case ss.active <- struct{}{}:
	default:
		s.log.Warn("control socket: session refused: all lines in use", "kind", req.Session, "max", ss.max)
		_ = c.Send(Frame{Kind: FrameExit, Code: 1, Text: fmt.Sprintf("%% refused: all %d vty lines are in use (line vty 0 %d); close a session with exit and try again\n", ss.max, ss.max-1)})
		return
	}
	defer func() { <-ss.active }()
	_ = conn.SetReadDeadline(time.Time{})
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	ss.h(ctx, c)
}

// Open opens a session of kind with the daemon listening at path, with
// the checks Call makes of who answers there. It returns ErrNoDaemon when
// nothing listens there.
func Open(ctx context.Context, path, kind string) (*Conn, error) {
	var d net.Dialer
	dialCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	nc, err := d.DialContext(dialCtx, "unix", path)
	if err != nil {
		if isNoDaemon(err) {
			return nil, ErrNoDaemon
		}
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	conn := nc.(*net.UnixConn)
	peer, err := peerCred(conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("control socket %s: who answers there: %w", path, err)
	}
	if err := checkDaemon(path, peer); err != nil {
		conn.Close()
		return nil, err
	}
	data, _ := json.Marshal(Request{Session: kind})
	if _, err := conn.Write(append(data, '\n')); err != nil {
		conn.Close()
		return nil, fmt.Errorf("control socket %s: %w: %w", path, errGone, err)
	}
	return newConn(conn, conn), nil
}
