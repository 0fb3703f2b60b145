package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
)

// Defaults of Options.
const (
	DefaultMaxConns    = 256
	DefaultIdleTimeout = 10 * time.Minute
)

// Options configure a TCP input.
type Options struct {
	input.Options
	// MaxConns is the most connections served at once (default
	// DefaultMaxConns); one more is closed as soon as it is accepted and
	// counted in Stats.Rejected.
	MaxConns int
	// IdleTimeout closes a connection that sends nothing for that long
	// (default DefaultIdleTimeout; negative: never), counted in
	// Stats.IdleClosed. Senders such as rsyslog reconnect on their next
	// message.
	IdleTimeout time.Duration
}

// Input is a TCP syslog listener. Each connection is read by its own
// goroutine and cut into frames (RFC 6587): a frame that starts with
// "LEN SP" is octet-counted, any other ends at LF (CRLF) or NUL. A wrong
// octet count, or a connection that ends inside an octet-counted frame, is
// counted in Stats.FramingErrors and never ends the listener: what arrived
// is delivered as text and the stream falls back into step at the next
// frame start. A frame longer than MaxLine is cut, delivered and counted as
// oversize. As RFC 6587 has it, the first bytes decide: a newline-framed
// line that happens to begin with digits and a space ("12 x") is read as
// octet-counted, and a sender that mixes framings on one connection gets a
// framing error for a newline-framed line not starting with '<' right after
// an octet-counted frame. A connection that ends without a final LF is not
// an error: its last line is delivered. A full queue makes a connection wait up to Options.Wait (TCP
// flow control then slows the sender), after which the line is dropped and
// counted.
type Input struct {
	ln        net.Listener
	opts      Options
	c         input.Counters
	closeOnce sync.Once
	closeErr  error
}

// Listen binds a TCP listener on addr ("127.0.0.1:5514"; port 0 picks a free
// port, see Addr).
func Listen(addr string, o Options) (*Input, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("syslog tcp %s: %w", addr, err)
	}
	o.Options = o.Options.WithDefaults("tcp:" + ln.Addr().String())
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	return &Input{ln: ln, opts: o}, nil
}

// Addr is the address the listener is bound to.
func (in *Input) Addr() netip.AddrPort {
	return in.ln.Addr().(*net.TCPAddr).AddrPort()
}

// Name implements input.Input.
func (in *Input) Name() string { return in.opts.Name }

// Stats implements input.Input.
func (in *Input) Stats() input.Stats { return in.c.Snapshot(in.opts.Name) }

// Close closes the listener; Run then closes every connection and returns.
// It is only needed when Run is never called.
func (in *Input) Close() error {
	in.closeOnce.Do(func() { in.closeErr = in.ln.Close() })
	return in.closeErr
}

// Run implements input.Input: it accepts and serves connections until ctx
// is done or Close is called, then closes every connection and waits for
// their goroutines.
func (in *Input) Run(ctx context.Context, q *input.Queue) error {
	stop := context.AfterFunc(ctx, func() { _ = in.Close() })
	defer stop()
	defer in.Close()
	em := input.NewEmitter(in.opts.Options, q, &in.c, true)

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
	)
	for {
		conn, err := in.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				break
			}
			in.c.ReadErrors.Add(1) // e.g. out of file descriptors
			if input.Pause(ctx, 50*time.Millisecond) {
				break
			}
			continue
		}
		if in.c.Connections.Load() >= int64(in.opts.MaxConns) {
			in.c.Rejected.Add(1)
			_ = conn.Close()
			continue
		}
		in.c.Accepted.Add(1)
		in.c.Connections.Add(1)
		mu.Lock()
		conns[conn] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.serve(ctx, conn, em)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
			in.c.Connections.Add(-1)
		}()
	}
	mu.Lock()
	for conn := range conns {
		_ = conn.Close()
	}
	mu.Unlock()
	wg.Wait()
	return nil
}

// serve reads frames from one connection until it ends.
func (in *Input) serve(ctx context.Context, conn net.Conn, em *input.Emitter) {
	defer conn.Close()
	var peer netip.AddrPort
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		ap := a.AddrPort()
		peer = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	fr := newFramer(idleReader{conn, in.opts.IdleTimeout}, em.MaxLine())
	for {
		line, info, err := fr.next()
		if info.framingErr {
			in.c.FramingErrors.Add(1)
		}
		em.Emit(ctx, line, peer, info.oversize)
		if err == nil {
			continue
		}
		var ne net.Error
		switch {
		case ctx.Err() != nil, errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		case errors.As(err, &ne) && ne.Timeout():
			in.c.IdleClosed.Add(1)
		default:
			in.c.ReadErrors.Add(1) // e.g. connection reset by the peer
		}
		return
	}
}

// idleReader reads from a connection with a deadline of idle from each
// read (net deadlines are wall-clock times).
type idleReader struct {
	conn net.Conn
	idle time.Duration
}

func (r idleReader) Read(p []byte) (int, error) {
	if r.idle > 0 {
		_ = r.conn.SetReadDeadline(time.Now().Add(r.idle))
	}
	return r.conn.Read(p)
}

// Input is an input.Input.
var _ input.Input = (*Input)(nil)
