package control

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerCred returns the process at the other end of a connection as the
// kernel recorded it when the connection was made (SO_PEERCRED).
func peerCred(c *net.UnixConn) (*unix.Ucred, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, err
	}
	return cred, cerr
}

// checkDaemon decides whether the CLI may send a command to the process
// answering at path: a daemon run by root, or by the user who owns both
// the socket and its directory. Owning the socket alone says nothing: any
// user can plant one in a directory others may write, like /tmp.
func checkDaemon(path string, peer *unix.Ucred) error {
	if peer.Uid == 0 {
		return nil
	}
	sock, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	sockOwner := sock.Sys().(*syscall.Stat_t).Uid
	dirOwner := dir.Sys().(*syscall.Stat_t).Uid
	if peer.Uid == sockOwner && peer.Uid == dirOwner {
		return nil
	}
	return fmt.Errorf("control socket %s is %w: process %d answering there runs as uid %d, while the socket belongs to uid %d and its directory to uid %d; nothing was sent. Stop that process and remove the socket, or name the daemon's socket with `control-socket PATH`",
		path, ErrUntrustedPeer, peer.Pid, peer.Uid, sockOwner, dirOwner)
}
