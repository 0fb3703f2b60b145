package bootflash

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// testUser is a second local user, made by the test that needs one.
type testUser struct {
	name     string
	uid, gid int
}

var userSeq atomic.Int64

// newTestUser adds a local user with useradd and deletes it (userdel -r)
// when the test ends. The tests run as root (see the Makefile). useradd
// waits for a lock on /etc/passwd that other tests may hold, so it is
// retried until a deadline.
func newTestUser(t *testing.T) testUser {
	t.Helper()
	name := fmt.Sprintf("dsetest%d%c", os.Getpid(), 'a'+rune(userSeq.Add(1)-1))
	home := filepath.Join(t.TempDir(), "home")
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.Command("useradd", "--create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin",
			"--user-group", name).CombinedOutput()
		if err == nil {
			break
		}
		// Exit status 10: cannot lock the password file; someone else holds it.
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 10 && time.Now().Before(deadline) {
			continue
		}
		t.Fatalf("useradd %s (the bootflash tests run as root): %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, err := exec.Command("userdel", "--remove", name).CombinedOutput()
			if err == nil {
				return
			}
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 10 && time.Now().Before(deadline) {
				continue
			}
			t.Errorf("userdel --remove %s: %v\n%s", name, err, out)
			return
		}
	})
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return testUser{name: name, uid: uid, gid: gid}
}

// run runs a command as the user and fails the test if it fails.
func (u testUser) run(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid)}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("as %s: %s %q: %v\n%s", u.name, name, args, err, out)
	}
}

// reachableDir makes a temporary directory that every user can reach
// (t.TempDir's parents are private to root).
func reachableDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dsetest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
