package unixgram

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// reachable reports whether a user other than the owner could reach the
// socket at bound: it is at path itself, or some directory between dir
// and it is not private (owned by us, mode 0700).
func reachable(t *testing.T, dir, path, bound string) bool {
	t.Helper()
	if bound == path {
		return true
	}
	for d := filepath.Dir(bound); d != dir; d = filepath.Dir(d) {
		if d == "/" || d == "." {
			t.Fatalf("socket bound at %s, outside %s", bound, dir)
		}
		fi, err := os.Lstat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 || !fi.IsDir() || fi.Sys().(*syscall.Stat_t).Uid != uint32(os.Geteuid()) {
			return true
		}
	}
	return false
}

// setUmask sets the process's umask for the test: 0, so that a socket
// file made by bind has mode 0777 until Listen sets its mode.
func setUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// TestModeBeforeReachable stops Listen right after bind. Until the socket
// has its mode it must not be reachable at a wider mode, even with umask
// 0; a link swapped in at the path then must be refused, not chmodded
// through.
func TestModeBeforeReachable(t *testing.T) {
	setUmask(t, 0)
	for _, swap := range []string{"symlink", "file"} {
		t.Run(swap, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "log.sock")
			victim := filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, []byte("root's"), 0o600); err != nil {
				t.Fatal(err)
			}
			o := Options{Mode: 0o660}
			called := false
			o.afterBind = func(bound string) {
				called = true
				fi, err := os.Lstat(bound)
				if err != nil || fi.Mode().Type() != os.ModeSocket {
					t.Fatalf("afterBind: no socket at %s: %v", bound, err)
				}
				if perm := fi.Mode().Perm(); perm&^o.Mode != 0 && reachable(t, dir, path, bound) {
					t.Errorf("the socket is reachable at %s with mode %04o before Listen set %04o", bound, perm, o.Mode)
				}
				// Another user swaps something in at the path.
				os.Remove(path)
				var err2 error
				if swap == "symlink" {
					err2 = os.Symlink(victim, path)
				} else {
					err2 = os.WriteFile(path, []byte("planted"), 0o666)
				}
				if err2 != nil {
					t.Fatal(err2)
				}
			}
			in, err := Listen(path, o)
			if !called {
				t.Fatal("afterBind was not called")
			}
			if err == nil {
				in.Close()
				t.Errorf("Listen succeeded although a %s was swapped in at %s", swap, path)
			} else if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "refused") {
				t.Errorf("Listen error does not name the path and the refusal: %v", err)
			} else {
				t.Log(err)
			}
			if fi, err := os.Stat(victim); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("the link's target was changed: %v, %v", fi.Mode(), err)
			}
			if fi, err := os.Lstat(path); err != nil || (swap == "symlink") != (fi.Mode().Type() == os.ModeSymlink) {
				t.Errorf("what was swapped in at %s was changed: %v", path, err)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 2 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("Listen left files behind: %v", names)
			}
		})
	}
}

// TestModeFromTheStart: the socket is in place with its mode as soon as
// it is reachable, with umask 0 and with a umask narrower than the mode.
func TestModeFromTheStart(t *testing.T) {
	for _, mask := range []int{0, 0o077} {
		setUmask(t, mask)
		for _, mode := range []os.FileMode{0o600, 0o660, 0o666} {
			dir := t.TempDir()
			path := filepath.Join(dir, "log.sock")
			o := Options{Mode: mode}
			o.afterBind = func(bound string) {
				if fi, err := os.Lstat(bound); err == nil && fi.Mode().Perm()&^mode != 0 && reachable(t, dir, path, bound) {
					t.Errorf("umask %03o: the socket is reachable with mode %04o before it has %04o", mask, fi.Mode().Perm(), mode)
				}
			}
			in, err := Listen(path, o)
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(path)
			if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != mode {
				t.Errorf("umask %03o: socket %v, %v; want mode %04o", mask, fi.Mode(), err, mode)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("umask %03o: %d entries beside the socket, want none", mask, len(ents)-1)
			}
			if err := in.Close(); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestLinkAtPath: a symbolic link at the path, to a socket or to a file,
// is refused and left alone; its target keeps its mode.
func TestLinkAtPath(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "log.sock")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path, Options{Mode: 0o666}); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("Listen on a link: %v", err)
	}
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("target: %v, %v", fi.Mode(), err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeSymlink {
		t.Errorf("the link was changed: %v", err)
	}
}
