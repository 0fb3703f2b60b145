package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
)

// DefaultReadBuffer is the socket receive buffer asked for: 8 MiB, about
// 25 ms of datagrams at 300,000 lines/s of 1 KiB (with SO_RCVBUFFORCE when
// root, otherwise capped at net.core.rmem_max).
const DefaultReadBuffer = 8 << 20

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
	granted   atomic.Int64 // the receive buffer the kernel granted
	single    bool         // tests: one datagram per read, without a Copier (as before batching)
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
	in := &Input{
		conn: conn,
		opts: o.Options.WithDefaults("udp:" + conn.LocalAddr().String()),
	}
	_ = in.SetReadBuffer(rb) // best effort: ReadBuffer says what the kernel granted
	return in, nil
}

// SetReadBuffer asks for a socket receive buffer of n bytes (n <= 0: leave
// it) and records what the kernel granted; it is safe while Run reads.
func (in *Input) SetReadBuffer(n int) error {
	granted, err := setReadBuffer(in.conn, n)
	in.granted.Store(int64(granted))
	if err != nil {
		return fmt.Errorf("syslog udp %s: receive buffer of %d bytes: %w", in.Addr(), n, err)
	}
	return nil
}

// ReadBuffer is the receive buffer the kernel granted, as it reports it
// (Linux: twice the data it holds, for its bookkeeping); 0 if unknown.
func (in *Input) ReadBuffer() int { return int(in.granted.Load()) }

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

// reader reads datagrams: in batches (recvmmsg) on Linux, one at a time
// elsewhere.
type reader interface {
	// read waits for datagrams and reads as many as it can at once.
	read() (int, error)
	// datagram is the i-th datagram read: its bytes (at most max+1),
	// whether it was longer than max, and its sender. The bytes are only
	// valid until the next read.
	datagram(i int) ([]byte, bool, netip.AddrPort)
	// kernelDrops is the kernel's drop count as of the last read.
	kernelDrops() (uint64, bool)
}

// singleReader reads one datagram per system call.
type singleReader struct {
	conn  *net.UDPConn
	buf   []byte
	oob   []byte
	max   int
	n     int
	oobn  int
	flags int
	peer  netip.AddrPort
}

func newSingleReader(conn *net.UDPConn, max int) *singleReader {
	return &singleReader{conn: conn, buf: make([]byte, max+1), oob: make([]byte, 128), max: max}
}

func (r *singleReader) read() (int, error) {
	var err error
	r.n, r.oobn, r.flags, r.peer, err = r.conn.ReadMsgUDPAddrPort(r.buf, r.oob)
	if err != nil {
		return 0, err
	}
	return 1, nil
}

func (r *singleReader) datagram(int) ([]byte, bool, netip.AddrPort) {
	return r.buf[:r.n], r.n > r.max || r.flags&msgTrunc != 0, netip.AddrPortFrom(r.peer.Addr().Unmap(), r.peer.Port())
}

func (r *singleReader) kernelDrops() (uint64, bool) {
	if r.oobn == 0 {
		return 0, false
	}
	return rxqOverflow(r.oob[:r.oobn])
}

// Run implements input.Input: it reads datagrams until ctx is done or Close
// is called.
func (in *Input) Run(ctx context.Context, q input.Sink) error {
	stop := context.AfterFunc(ctx, func() { _ = in.Close() })
	defer stop()
	defer in.Close()
	em := input.NewEmitter(in.opts, q, &in.c, false)
	max := em.MaxLine()
	var r reader
	cp := &input.Copier{}
	if in.single {
		r, cp = newSingleReader(in.conn, max), nil
	} else {
		r = newReader(in.conn, max)
	}
	for {
		n, err := r.read()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			if errors.Is(err, errors.ErrUnsupported) {
				r = newSingleReader(in.conn, max) // no recvmmsg: one at a time
				continue
			}
			in.c.ReadErrors.Add(1)
			if input.Pause(ctx, 10*time.Millisecond) {
				return nil
			}
			continue
		}
		if drops, ok := r.kernelDrops(); ok {
			in.c.KernelDrops.Store(drops)
		}
		for i := range n {
			line, truncated, peer := r.datagram(i)
			if truncated {
				line = line[:min(len(line), max)]
			} else {
				line = input.TrimLineEnd(line)
			}
			em.EmitWith(ctx, cp, line, peer, truncated)
		}
	}
}

// Input is an input.Input.
var _ input.Input = (*Input)(nil)
