package udp

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

const msgTrunc = syscall.MSG_TRUNC

// setRxqOverflow asks the kernel to report, with each datagram, how many
// datagrams it dropped on this socket (SO_RXQ_OVFL).
func setRxqOverflow(network, address string, c syscall.RawConn) error {
	return c.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RXQ_OVFL, 1)
	})
}

// setReusePort is setRxqOverflow and SO_REUSEPORT: several sockets share
// the address, and the kernel spreads the senders over them.
func setReusePort(network, address string, c syscall.RawConn) error {
	if err := setRxqOverflow(network, address, c); err != nil {
		return err
	}
	var serr error
	if err := c.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) }); err != nil {
		return err
	}
	return serr
}

// setReadBuffer asks for a receive buffer of n bytes: SO_RCVBUFFORCE first,
// which passes net.core.rmem_max for root (CAP_NET_ADMIN), then SO_RCVBUF,
// which the kernel caps. It returns what the kernel granted (SO_RCVBUF read
// back: Linux counts its bookkeeping too, so it is twice what it allows
// for data).
func setReadBuffer(conn *net.UDPConn, n int) (int, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return 0, err
	}
	var granted int
	var serr error
	err = rc.Control(func(fd uintptr) {
		if n > 0 {
			if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n) != nil {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, n)
			}
		}
		var gerr error
		granted, gerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		serr = errors.Join(serr, gerr)
	})
	return granted, errors.Join(err, serr)
}

// rxqOverflow returns the drop count of an SO_RXQ_OVFL control message,
// without allocating (the kernel adds it to every datagram once a drop
// has happened).
func rxqOverflow(oob []byte) (uint64, bool) {
	for len(oob) >= unix.SizeofCmsghdr {
		h, data, rest, err := unix.ParseOneSocketControlMessage(oob)
		if err != nil {
			return 0, false
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_RXQ_OVFL && len(data) >= 4 {
			return uint64(binary.NativeEndian.Uint32(data)), true // a host-order uint32
		}
		oob = rest
	}
	return 0, false
}

// batchSize is how many datagrams one recvmmsg may return.
const batchSize = 64

// oobSize holds the SO_RXQ_OVFL message of one datagram.
const oobSize = 64

// mmsghdr is struct mmsghdr: Go pads it as C does.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// batchReader reads up to batchSize datagrams per system call (recvmmsg)
// into buffers it reuses: no allocation per datagram or per batch.
type batchReader struct {
	rc    syscall.RawConn
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names [][unix.SizeofSockaddrInet6]byte
	oob   []byte
	bufs  [][]byte
	max   int
	n     int
	errno syscall.Errno
	read1 func(fd uintptr) bool // made once: a method value allocates
}

func newReader(conn *net.UDPConn, max int) reader {
	rc, err := conn.SyscallConn()
	if err != nil {
		return newSingleReader(conn, max)
	}
	r := &batchReader{
		rc:    rc,
		hdrs:  make([]mmsghdr, batchSize),
		iovs:  make([]unix.Iovec, batchSize),
		names: make([][unix.SizeofSockaddrInet6]byte, batchSize),
		oob:   make([]byte, batchSize*oobSize),
		bufs:  make([][]byte, batchSize),
		max:   max,
	}
	// One array for every buffer: pages the kernel never writes (past
	// each short datagram) take no memory.
	all := make([]byte, batchSize*(max+1))
	for i := range r.bufs {
		r.bufs[i] = all[i*(max+1) : (i+1)*(max+1) : (i+1)*(max+1)]
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(max + 1)
		h := &r.hdrs[i].hdr
		h.Name = &r.names[i][0]
		h.Iov = &r.iovs[i]
		h.SetIovlen(1)
		h.Control = &r.oob[i*oobSize]
	}
	r.read1 = r.recvmmsg
	return r
}

// recvmmsg is the RawConn.Read callback: false asks the poller to wait
// until the socket is readable.
func (r *batchReader) recvmmsg(fd uintptr) bool {
	for i := range r.hdrs {
		h := &r.hdrs[i].hdr
		h.Namelen = unix.SizeofSockaddrInet6
		h.SetControllen(oobSize)
		h.Flags = 0
		r.hdrs[i].n = 0
	}
	for {
		n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(len(r.hdrs)), unix.MSG_DONTWAIT, 0, 0)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		r.n, r.errno = int(n), errno
		return true
	}
}

func (r *batchReader) read() (int, error) {
	if err := r.rc.Read(r.read1); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, r.errno
	}
	return r.n, nil
}

func (r *batchReader) datagram(i int) ([]byte, bool, netip.AddrPort) {
	m := &r.hdrs[i]
	n := int(m.n)
	truncated := n > r.max || m.hdr.Flags&unix.MSG_TRUNC != 0
	return r.bufs[i][:min(n, r.max+1)], truncated, sockaddrPeer(r.names[i][:m.hdr.Namelen])
}

// kernelDrops is the drop count the last datagram of the batch carries.
func (r *batchReader) kernelDrops() (uint64, bool) {
	if r.n == 0 {
		return 0, false
	}
	h := &r.hdrs[r.n-1].hdr
	if h.Controllen == 0 {
		return 0, false
	}
	i := r.n - 1
	return rxqOverflow(r.oob[i*oobSize : i*oobSize+int(h.Controllen)])
}

// sockaddrPeer decodes a sockaddr_in or sockaddr_in6 (IPv4-mapped
// addresses as IPv4) without allocating.
func sockaddrPeer(b []byte) netip.AddrPort {
	if len(b) < 4 {
		return netip.AddrPort{}
	}
	port := binary.BigEndian.Uint16(b[2:4])
	switch binary.NativeEndian.Uint16(b[0:2]) {
	case unix.AF_INET:
		if len(b) >= 8 {
			return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port)
		}
	case unix.AF_INET6:
		if len(b) >= 24 {
			return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])).Unmap(), port)
		}
	}
	return netip.AddrPort{}
}
