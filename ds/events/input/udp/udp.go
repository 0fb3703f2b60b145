package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
)

// DefaultReadBuffer is the socket receive buffer asked for (SO_RCVBUF); the
// kernel caps it at net.core.rmem_max.
const DefaultReadBuffer = 4 << 20

// Options configure a UDP input.
type Options struct {
	input.Options
	// ReadBuffer is the socket receive buffer to ask for (default
	// DefaultReadBuffer; negative: leave the system default).
	ReadBuffer int
}

// Input is a UDP syslog listener. Each datagram is one line: a trailing run
// of LF, CR and NUL bytes is removed, and a datagram longer than MaxLine is
// cut to MaxLine, delivered and counted as oversize (the read buffer is one
// byte larger than MaxLine to notice). On IPv4 a datagram carries at most
// 65,507 bytes, so with the default MaxLine (64 KiB) no datagram is cut.
// Lines go to the Queue with Offer: a full queue drops and counts the line,
// never blocking the read loop. When the kernel drops datagrams because the
// socket buffer is full, Stats.KernelDrops says how many (SO_RXQ_OVFL).
type Input struct {
	conn      *net.UDPConn
	opts      input.Options
	c         input.Counters
	closeOnce sync.Once
	closeErr  error
}

// Listen binds a UDP socket on addr ("127.0.0.1:5514"; port 0 picks a free
// port, see Addr).
func Listen(addr string, o Options) (*Input, error) {
	lc := net.ListenConfig{Control: setRxqOverflow}
	pc, err := lc.ListenPacket(context.Background(), "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("syslog udp %s: %w", addr, err)
	}
	conn := pc.(*net.UDPConn)
	rb := o.ReadBuffer
	if rb == 0 {
		rb = DefaultReadBuffer
	}
	if rb > 0 {
		_ = conn.SetReadBuffer(rb) // best effort: the kernel caps it
	}
	return &Input{
		conn: conn,
		opts: o.Options.WithDefaults("udp:" + conn.LocalAddr().String()),
	}, nil
}

// Addr is the address the socket is bound to.
func (in *Input) Addr() netip.AddrPort {
	return in.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Name implements input.Input.
func (in *Input) Name() string { return in.opts.Name }

// Stats implements input.Input.
func (in *Input) Stats() input.Stats { return in.c.Snapshot(in.opts.Name) }

// Close closes the socket; Run then returns. It is only needed when Run is
// never called, since Run closes the socket when ctx is done.
func (in *Input) Close() error {
	in.closeOnce.Do(func() { in.closeErr = in.conn.Close() })
	return in.closeErr
}

// Run implements input.Input: it reads datagrams until ctx is done or Close
// is called.
func (in *Input) Run(ctx context.Context, q *input.Queue) error {
	stop := context.AfterFunc(ctx, func() { _ = in.Close() })
	defer stop()
	defer in.Close()
	em := input.NewEmitter(in.opts, q, &in.c, false)
	max := em.MaxLine()
	buf := make([]byte, max+1)
	oob := make([]byte, 128)
	for {
		n, oobn, flags, peer, err := in.conn.ReadMsgUDPAddrPort(buf, oob)
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
		if oobn > 0 {
			if drops, ok := rxqOverflow(oob[:oobn]); ok {
				in.c.KernelDrops.Store(drops)
			}
		}
		line, truncated := buf[:n], n > max || flags&msgTrunc != 0
		if truncated {
			line = buf[:max]
		} else {
			line = input.TrimLineEnd(line)
		}
		em.Emit(ctx, line, netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port()), truncated)
	}
}

// Input is an input.Input.
var _ input.Input = (*Input)(nil)
