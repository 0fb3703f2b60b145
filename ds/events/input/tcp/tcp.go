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
	DefaultIdleTimeout = 2 * time.Minute
	DefaultEvictIdle   = 5 * time.Second
)

// Options configure a TCP input.
type Options struct {
	input.Options
	// MaxConns is the most connections served at once (default
	// DefaultMaxConns). When they are all open, a new connection takes the
	// place of one that has sent nothing for EvictIdle, see Input; if none
	// has, the new one is closed as soon as it is accepted and counted in
	// Stats.Rejected.
	MaxConns int
	// IdleTimeout closes a connection that sends nothing for that long
	// (default DefaultIdleTimeout; negative: never), counted in
	// Stats.IdleClosed. Senders such as rsyslog reconnect on their next
	// message. It is a socket deadline, on the wall clock.
	IdleTimeout time.Duration
	// EvictIdle is how long, on the clock of Options.Now, a connection
	// must have sent nothing before a new connection may take its place
	// when MaxConns are open (default DefaultEvictIdle; negative: never,
	// new connections are rejected at the cap). It spares a sender that
	// has just connected and not yet written its line.
	EvictIdle time.Duration
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
//
// # Connections
//
// Idle connections cannot lock senders out. A connection that sends
// nothing for IdleTimeout (2 minutes) is closed. When MaxConns connections
// are open, a new one takes the place of an idle one: of the connections
// that have sent nothing for EvictIdle (5 s), the one of the peer address
// holding the most connections, and of those the one idle longest, is
// closed and counted in Stats.IdleClosed. Only when every connection sent
// something within EvictIdle is the new one rejected (Stats.Rejected).
// rsyslog (imtcp maxSessions) and syslog-ng (max-connections) reject every
// new connection at the cap, so a few hundred connections that never send
// lock every sender out until they close. A share of the cap kept for new
// peers would only move the threshold: an attacker fills the share too.
// Evicting the idlest keeps the cap a bound on resources, and the cost of
// holding the cap falls on whoever holds the most idle connections. It
// costs an idle legitimate sender a reconnection, which syslog senders
// make on their next message; one that writes before it sees the close
// may lose that message, as with the idle timeout.
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
	if o.EvictIdle == 0 {
		o.EvictIdle = DefaultEvictIdle
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
func (in *Input) Run(ctx context.Context, q input.Sink) error {
	stop := context.AfterFunc(ctx, func() { _ = in.Close() })
	defer stop()
	defer in.Close()
	em := input.NewEmitter(in.opts.Options, q, &in.c, true)

	var wg sync.WaitGroup
	conns := newConnSet()
	for {
		nc, err := in.ln.Accept()
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
		c := newConn(nc, in.opts.Now)
		admitted, evicted := conns.admit(c, in.opts.MaxConns, in.opts.Now(), in.opts.EvictIdle)
		if evicted {
			in.c.IdleClosed.Add(1)
			in.c.Connections.Add(-1)
		}
		if !admitted {
			in.c.Rejected.Add(1)
			_ = nc.Close()
			continue
		}
		in.c.Accepted.Add(1)
		in.c.Connections.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.serve(ctx, c, em)
			if conns.remove(c) {
				in.c.Connections.Add(-1)
			}
		}()
	}
	conns.closeAll()
	wg.Wait()
	return nil
}

// serve reads frames from one connection until it ends.
func (in *Input) serve(ctx context.Context, c *conn, em *input.Emitter) {
	defer c.Close()
	fr := newFramer(idleReader{c, in.opts.IdleTimeout}, em.MaxLine())
	for {
		line, info, err := fr.next()
		if info.framingErr {
			in.c.FramingErrors.Add(1)
		}
		em.Emit(ctx, line, c.peer, info.oversize)
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
// read (net deadlines are wall-clock times), and marks the connection
// active when a read returns data.
type idleReader struct {
	conn *conn
	idle time.Duration
}

func (r idleReader) Read(p []byte) (int, error) {
	if r.idle > 0 {
		_ = r.conn.SetReadDeadline(time.Now().Add(r.idle))
	}
	n, err := r.conn.Read(p)
	if n > 0 {
		r.conn.touch()
	}
	return n, err
}

// Input is an input.Input.
var _ input.Input = (*Input)(nil)
