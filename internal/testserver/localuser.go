package testserver

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// User is a second local user, made for one test with useradd and removed
// with its home (userdel -r) when the test ends: the other user on the host
// that a test plays an attacker or an unprivileged client with.
type User struct {
	Name     string
	UID, GID uint32
}

// AddUser makes a local user with a unique name. The test must run as root,
// as `make test` does.
func AddUser(t testing.TB) *User {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("this test adds a second local user with useradd, which needs root; run the tests as root, as `make test` does")
	}
	Require(t, "useradd", "userdel")
	name := fmt.Sprintf("dst%d%04x", os.Getpid()%1000000, rand.Uint32()&0xffff)
	// useradd fails while another one holds /etc/passwd (tests of other
	// packages add users too): try again for a while.
	deadline := time.Now().Add(StartTimeout)
	for {
		out, err := exec.Command("useradd", "--create-home", "--user-group", "--shell", "/usr/sbin/nologin", name).CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) || !strings.Contains(string(out), "lock") {
			t.Fatalf("useradd %s: %v %s", name, err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(StartTimeout)
		for {
			out, err := exec.Command("userdel", "-r", name).CombinedOutput()
			if err == nil {
				return
			}
			if time.Now().After(deadline) || !strings.Contains(string(out), "lock") {
				t.Errorf("userdel -r %s: %v %s", name, err, out)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("the new user %s: %v", name, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		t.Fatalf("the new user %s has uid %q, gid %q", name, u.Uid, u.Gid)
	}
	return &User{Name: name, UID: uint32(uid), GID: uint32(gid)}
}

// Command returns a command that runs as the user (its uid, its group, no
// supplementary groups), in its own process group.
func (u *User) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true,
		Credential: &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: []uint32{}}}
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/", "LANG=C"}
	return cmd
}

// PublicTestBinary copies the running test binary into a directory every
// user may read and returns its path, so that a test can run it as another
// user (go test builds it under a directory only its owner reads). The copy
// is removed when the test ends.
func PublicTestBinary(t testing.TB) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "dsengine-test-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(dir, filepath.Base(self))
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// SharedDir makes a directory every user may write, sticky like /tmp, and
// removes it when the test ends: where a squatter plants its socket.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dsengine-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	return dir
}
