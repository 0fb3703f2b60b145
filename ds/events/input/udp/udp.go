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
	// ReadBuffer is the socket receive buffer to ask for, for each
	// socket (default DefaultReadBuffer; negative: leave the system
	// default).
	ReadBuffer int
	// Readers is how many sockets share the address (SO_REUSEPORT), each
	// read by its own goroutine: the kernel gives each sender (its address
	// and port) one of them, so a sender's datagrams stay in order. 0 or 1
	// is one socket; the daemon asks for one a core.
	Readers int
}

// Input is a UDP syslog listener. Each datagram is one line: a trailing run
// of LF, CR and NUL bytes is removed, and a datagram longer than MaxLine is
// cut to MaxLine, delivered and counted as oversize (the read buffer is one
// byte larger than MaxLine to notice). On IPv4 a datagram carries at most
// 65,507 bytes, so with the default MaxLine (64 KiB) no datagram is cut.
// Lines go to the Queue with Offer: a full queue drops and counts the line,
// never blocking the read loop. When the kernel drops datagrams because the
// socket buffer is full, Stats.KernelDrops says how many (SO_RXQ_OVFL,
// summed over the sockets).
type Input struct {
	conns     []*net.UDPConn  // one, or Options.Readers sharing the address
	drops     []atomic.Uint64 // each socket's SO_RXQ_OVFL count
	lines     []atomic.Uint64 // each socket's datagrams
	opts      input.Options
	granted   atomic.Int64 // the receive buffer the kernel granted (each socket's)
	single    bool         // tests: one datagram per read, without a Copier (as before batching)
	c         input.Counters
	closeOnce sync.Once
	closeErr  error
}

// Listen binds a UDP socket on addr ("127.0.0.1:5514"; port 0 picks a free
// port, see Addr), or o.Readers sockets sharing it with SO_REUSEPORT.
func Listen(addr string, o Options) (*Input, error) {
	readers := max(o.Readers, 1)
	lc := net.ListenConfig{Control: setRxqOverflow}
	if readers > 1 {
		// A bind without SO_REUSEPORT first: a port another program
		// (another dsengine) holds is refused, as with one socket,
		// instead of the kernel sharing its senders between the two.
		// It also picks the port when addr says 0.
		probe, err := lc.ListenPacket(context.Background(), "udp", addr)
		if err != nil {
			return nil, fmt.Errorf("syslog udp %s: %w", addr, err)
		}
		addr = probe.LocalAddr().String()
		probe.Close()
		lc.Control = setReusePort
	}
	var conns []*net.UDPConn
	for range readers {
		pc, err := lc.ListenPacket(context.Background(), "udp", addr)
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			return nil, fmt.Errorf("syslog udp %s: %w", addr, err)
		}
		conns = append(conns, pc.(*net.UDPConn))
	}
	rb := o.ReadBuffer
	if rb == 0 {
		rb = DefaultReadBuffer
	}
	in := &Input{
		conns: conns,
		drops: make([]atomic.Uint64, len(conns)),
		lines: make([]atomic.Uint64, len(conns)),
		opts:  o.Options.WithDefaults("udp:" + conns[0].LocalAddr().String()),
	}
	_ = in.SetReadBuffer(rb) // best effort: ReadBuffer says what the kernel granted
	return in, nil
}

// SetReadBuffer asks for a socket receive buffer of n bytes (n <= 0: leave
// it) and records what the kernel granted; it is safe while Run reads.
func (in *Input) SetReadBuffer(n int) error {
	for i, c := range in.conns {
		granted, err := setReadBuffer(c, n)
		if i == 0 {
			in.granted.Store(int64(granted))
		}
		if err != nil {
			return fmt.Errorf("syslog udp %s: receive buffer of %d bytes: %w", in.Addr(), n, err)
		}
	}
	return nil
}

// Sockets is how many sockets read the address.
func (in *Input) Sockets() int { return len(in.conns) }

// SocketLines is how many datagrams each socket read: how the kernel
// spread the senders over them.
func (in *Input) SocketLines() []uint64 {
	out := make([]uint64, len(in.lines))
	for i := range in.lines {
		out[i] = in.lines[i].Load()
	}
	return out
}

// ReadBuffer is the receive buffer the kernel granted, as it reports it
// (Linux: twice the data it holds, for its bookkeeping); 0 if unknown.
func (in *Input) ReadBuffer() int { return int(in.granted.Load()) }

// Addr is the address the socket is bound to.
func (in *Input) Addr() netip.AddrPort {
	return in.conns[0].LocalAddr().(*net.UDPAddr).AddrPort()
}

// Name implements input.Input.
func (in *Input) Name() string { return in.opts.Name }

// Stats implements input.Input.
func (in *Input) Stats() input.Stats {
	st := in.c.Snapshot(in.opts.Name)
	st.KernelDrops = 0
	for i := range in.drops {
		st.KernelDrops += in.drops[i].Load()
	}
	return st
}

// Close closes the sockets; Run then returns. It is only needed when Run
// is never called, since Run closes them when ctx is done.
func (in *Input) Close() error {
	in.closeOnce.Do(func() {
		for _, c := range in.conns {
			in.closeErr = errors.Join(in.closeErr, c.Close())
		}
	})
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

// Run implements input.Input: it reads datagrams, a goroutine a socket,
// until ctx is done or Close is called.
func (in *Input) Run(ctx context.Context, q input.Sink) error {
	stop := context.AfterFunc(ctx, func() { _ = in.Close() })
	defer stop()
	defer in.Close()
	em := input.NewEmitter(in.opts, q, &in.c, false)
	var wg sync.WaitGroup
	for i, conn := range in.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.read(ctx, conn, em, &in.drops[i], &in.lines[i])
			_ = in.Close() // one socket gone: the others stop too, and Run returns
		}()
	}
	wg.Wait()
	return nil
}

// read reads conn's datagrams until ctx is done or conn is closed.
func (in *Input) read(ctx context.Context, conn *net.UDPConn, em *input.Emitter, drops, lines *atomic.Uint64) {
	max := em.MaxLine()
	var r reader
	cp := &input.Copier{}
	if in.single {
		r, cp = newSingleReader(conn, max), nil
	} else {
		r = newReader(conn, max)
	}
	for {
		n, err := r.read()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			if errors.Is(err, errors.ErrUnsupported) {
				r = newSingleReader(conn, max) // no recvmmsg: one at a time
				continue
			}
			in.c.ReadErrors.Add(1)
			if input.Pause(ctx, 10*time.Millisecond) {
				return
			}
			continue
		}
		if d, ok := r.kernelDrops(); ok {
			drops.Store(d)
		}
		lines.Add(uint64(n))
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
