package control

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/dsengine/dsengine/internal/testserver"
	"golang.org/x/sys/unix"
)

// serve runs srv with h until the test ends; nil h answers "ok".
func serve(t *testing.T, srv *Server, h Handler) {
	t.Helper()
	if h == nil {
		h = func(context.Context, Request) Response { return Response{Stdout: "ok\n"} }
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// TestListenNeverFollowsASymlink: a symlink planted at the socket's path is
// replaced by the socket, never followed — neither by the check for a
// running daemon (the link points at a live socket here) nor by the mode
// change (the link points at a file whose mode must not change).
func TestListenNeverFollowsASymlink(t *testing.T) {
	dir := t.TempDir()
	decoyPath := filepath.Join(dir, "decoy.sock")
	decoy, err := net.Listen("unix", decoyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer decoy.Close()
	if err := os.Chmod(decoyPath, 0o666); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "root-owned.conf")
	if err := os.WriteFile(target, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{decoyPath, target} {
		path := filepath.Join(dir, "dsengine.sock")
		if err := os.Symlink(to, path); err != nil {
			t.Fatal(err)
		}
		srv, err := Listen(path, nil)
		if err != nil {
			t.Fatalf("symlink to %s at the socket path: %v", filepath.Base(to), err)
		}
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
			t.Errorf("after Listen over a symlink to %s the path is %v (%v), want a 0600 socket", filepath.Base(to), st.Mode(), err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = srv.Serve(ctx, nil)
	}
	for path, want := range map[string]os.FileMode{decoyPath: 0o666, target: 0o644} {
		st, err := os.Lstat(path)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s, which a planted symlink pointed at: mode %v (%v), want %v", filepath.Base(path), st.Mode(), err, want)
		}
	}
}

// TestListenSymlinkRace: an attacker swapping a symlink in at the socket's
// path again and again while the daemon starts never gets the daemon to
// change the mode of the link's target.
func TestListenSymlinkRace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.sock")
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = os.Remove(path)
			_ = os.Symlink(target, path)
		}
	}()
	for range 600 {
		srv, err := Listen(path, nil)
		if err == nil {
			srv.listener.Close()
		}
	}
	close(stop)
	<-done
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o644 {
		t.Errorf("the symlink's target changed mode to %v", st.Mode().Perm())
	}
}

// TestListenRefusesADirectoryOthersCanWrite: a socket directory another
// user can write is refused (they could replace the socket), unless it is
// sticky and the daemon's own; so is one that belongs to another user.
func TestListenRefusesADirectoryOthersCanWrite(t *testing.T) {
	other := testserver.AddUser(t)
	cases := []struct {
		name  string
		mode  os.FileMode
		owner uint32
		want  string // "" for accepted
	}{
		{"private", 0o700, 0, ""},
		{"readable", 0o755, 0, ""},
		{"group-writable", 0o770, 0, "writable by group or others"},
		{"world-writable", 0o777, 0, "writable by group or others"},
		{"sticky, the daemon's", 0o777 | os.ModeSticky, 0, ""},
		{"sticky, another user's", 0o777 | os.ModeSticky, other.UID, "belongs to uid"},
		{"another user's", 0o700, other.UID, "belongs to uid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(dir, int(c.owner), int(c.owner)); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, c.mode); err != nil {
				t.Fatal(err)
			}
			srv, err := Listen(filepath.Join(dir, "dsengine.sock"), nil)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Listen in a %v directory: %v", c.mode, err)
				}
				srv.listener.Close()
				return
			}
			if err == nil {
				srv.listener.Close()
				t.Fatalf("Listen in a %v directory of uid %d succeeded, want it refused", c.mode, c.owner)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "control-socket PATH") {
				t.Errorf("error %q: want %q and what to do", err, c.want)
			}
		})
	}
}

// TestSocketNeverAppearsWider: under a umask of 0, the socket appears at
// its path already a 0600 socket: inotify, watching the directory from
// before Listen, sees it moved into place (IN_MOVED_TO) and never created
// there or changed after (IN_CREATE, IN_ATTRIB), which is when a wider mode
// or a symlink swapped in could be seen. Nothing else is left beside it.
func TestSocketNeverAppearsWider(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.sock")
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_MOVED_TO|unix.IN_ATTRIB); err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0)
	srv, err := Listen(path, nil)
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, srv, nil)
	var events []uint32 // the masks of the socket's events
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil {
			break // EAGAIN: every event was read
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)]), "\x00")
			if name == "dsengine.sock" {
				events = append(events, ev.Mask)
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
	if len(events) != 1 || events[0]&unix.IN_MOVED_TO == 0 {
		t.Errorf("inotify events at the socket's path: %#x; want one IN_MOVED_TO (%#x): created elsewhere with its mode, then moved into place",
			events, unix.IN_MOVED_TO)
	}
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("socket %v (%v), want mode 0600 under umask 0", st.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "dsengine.sock" {
			t.Errorf("Listen left %s beside the socket", e.Name())
		}
	}
}
