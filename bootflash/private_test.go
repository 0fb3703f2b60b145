package bootflash

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// victimFile is a root-owned file outside the store that a planted link
// points to; untouched reports whether it still holds what it held.
type victimFile struct{ path, data string }

func newVictim(t *testing.T) victimFile {
	t.Helper()
	v := victimFile{filepath.Join(t.TempDir(), "victim"), "root's own data\n"}
	if err := os.WriteFile(v.path, []byte(v.data), 0o600); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v victimFile) check(t *testing.T) {
	t.Helper()
	got, err := os.ReadFile(v.path)
	if err != nil || string(got) != v.data {
		t.Errorf("the file a planted link points to was changed: %q, %v", got, err)
	}
}

// wantRefused checks that Open failed with an error naming path and
// saying what to do.
func wantRefused(t *testing.T, err error, path string, words ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("Open accepted the store; want it refused because of %s", path)
		return
	}
	msg := err.Error()
	t.Log(msg)
	var ue *UnsafePathError
	if !errors.As(err, &ue) || ue.Path != path {
		t.Errorf("Open error is not an UnsafePathError for %s: %#v", path, err)
	}
	for _, w := range append([]string{path}, words...) {
		if !strings.Contains(msg, w) {
			t.Errorf("Open error does not say %q:\n%s", w, msg)
		}
	}
}

// TestPlantedLinks plants, as root, a symbolic link in place of each of the
// store's files and directories: Open refuses the store, naming the link,
// and never writes through it.
func TestPlantedLinks(t *testing.T) {
	for _, name := range []string{LockFile, StateFile, OutboxDir} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			s := mustOpen(t, root, testOptions())
			mustPut(t, s, "1", "1.0", nil)
			s.Close()
			victim := newVictim(t)
			target := victim.path
			elsewhere := t.TempDir()
			if name == OutboxDir {
				target = elsewhere
			}
			path := filepath.Join(root, Dir, name)
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{true, false} {
				opts := testOptions()
				opts.ReadOnly = ro
				s, err := Open(root, opts)
				if err == nil {
					s.OutboxPut("m1", []byte("<aml/>"))
					s.Close()
				}
				if ro && name == LockFile {
					// A ReadOnly store never opens the lock.
					if err != nil {
						t.Errorf("ReadOnly Open: %v", err)
					}
					continue
				}
				wantRefused(t, err, path, "symbolic link", "rm "+path)
			}
			victim.check(t)
			if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
				t.Errorf("the store wrote into the directory a planted link points to: %v", ents)
			}
		})
	}
}

// TestDirectoryRules opens stores whose directories another user can
// change. Where the scenario needs it, a second local user plants a link
// to a root-owned file: Open must refuse the store with an error naming
// the directory and the fix, and the file must stay untouched.
func TestDirectoryRules(t *testing.T) {
	u := newTestUser(t)
	cases := []struct {
		name string
		// setup prepares the store at root (already opened once, with a
		// DS and an outbox message) and returns the path Open must name
		// and the words of the fix.
		setup func(t *testing.T, root string, v victimFile) (path string, fix []string)
	}{
		{"call_home writable by others", func(t *testing.T, root string, v victimFile) (string, []string) {
			dir := filepath.Join(root, Dir)
			chmod(t, root, 0o755)
			chmod(t, dir, 0o777)
			u.run(t, "ln", "-sfn", v.path, filepath.Join(dir, LockFile))
			return dir, []string{"writable by group or others", "chmod 700 " + dir}
		}},
		{"outbox writable by others", func(t *testing.T, root string, v victimFile) (string, []string) {
			dir := filepath.Join(root, Dir, OutboxDir)
			chmod(t, root, 0o755)
			chmod(t, filepath.Dir(dir), 0o755)
			chmod(t, dir, 0o777)
			// A message that would send the victim's content out.
			u.run(t, "ln", "-sfn", v.path, filepath.Join(dir, "zz-leak"))
			return dir, []string{"writable by group or others", "chmod 700 " + dir}
		}},
		{"bootflash writable by others", func(t *testing.T, root string, v victimFile) (string, []string) {
			chmod(t, root, 0o777)
			dir := filepath.Join(root, Dir)
			u.run(t, "mv", dir, dir+".old")
			u.run(t, "mkdir", "-m", "0700", dir)
			u.run(t, "ln", "-s", v.path, filepath.Join(dir, LockFile))
			return root, []string{"writable by group or others", "chmod 700 " + root}
		}},
		{"bootflash writable by group", func(t *testing.T, root string, v victimFile) (string, []string) {
			chmod(t, root, 0o770)
			return root, []string{"writable by group or others", "chmod 700 " + root}
		}},
		{"sticky bootflash, call_home made by another user", func(t *testing.T, root string, v victimFile) (string, []string) {
			dir := filepath.Join(root, Dir)
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			chmod(t, root, 0o777|os.ModeSticky)
			u.run(t, "mkdir", "-m", "0777", dir)
			u.run(t, "ln", "-s", v.path, filepath.Join(dir, LockFile))
			return dir, []string{"owned by " + u.name, fmt.Sprintf("uid %d", os.Geteuid())}
		}},
		{"call_home owned by another user", func(t *testing.T, root string, v victimFile) (string, []string) {
			dir := filepath.Join(root, Dir)
			chmod(t, root, 0o755)
			chown(t, dir, u)
			u.run(t, "ln", "-sfn", v.path, filepath.Join(dir, LockFile))
			return dir, []string{"owned by " + u.name, "chown"}
		}},
		{"sticky bootflash of another user", func(t *testing.T, root string, v victimFile) (string, []string) {
			chown(t, root, u)
			chmod(t, root, 0o777|os.ModeSticky)
			return root, []string{"owned by " + u.name, "chown"}
		}},
		{"bootflash is a link", func(t *testing.T, root string, v victimFile) (string, []string) {
			real := root + ".real"
			if err := os.Rename(root, real); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, root); err != nil {
				t.Fatal(err)
			}
			return root, []string{"symbolic link", real}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := filepath.Join(reachableDir(t), "bootflash")
			s := mustOpen(t, root, testOptions())
			mustPut(t, s, "1", "1.0", nil)
			if err := s.OutboxPut("m1", []byte("<aml/>")); err != nil {
				t.Fatal(err)
			}
			s.Close()
			v := newVictim(t)
			path, fix := c.setup(t, root, v)
			for _, ro := range []bool{true, false} {
				opts := testOptions()
				opts.ReadOnly = ro
				s, err := Open(root, opts)
				if err == nil {
					// What the daemon would do next: send the outbox.
					if names, err := s.OutboxList(); err == nil {
						for _, name := range names {
							if data, err := s.OutboxGet(name); err == nil && string(data) == v.data {
								t.Errorf("the outbox returned the content of %s", v.path)
							}
						}
					}
					s.Close()
				}
				wantRefused(t, err, path, fix...)
			}
			v.check(t)
		})
	}
}

// TestStickyBootflash: a bootflash directory that others can write but
// that is sticky and owned by the running user (like /tmp for root) is
// accepted; its call_home is private.
func TestStickyBootflash(t *testing.T) {
	root := filepath.Join(t.TempDir(), "bootflash")
	if err := os.Mkdir(root, 0o700); err != nil {
		t.Fatal(err)
	}
	chmod(t, root, 0o777|os.ModeSticky)
	s := mustOpen(t, root, testOptions())
	defer s.Close()
	mustPut(t, s, "1", "1.0", nil)
	for _, d := range []string{filepath.Join(root, Dir), filepath.Join(root, Dir, OutboxDir)} {
		fi, err := os.Lstat(d)
		if err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, %v; want private", d, fi.Mode(), err)
		}
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, path string, u testUser) {
	t.Helper()
	if err := os.Lchown(path, u.uid, u.gid); err != nil {
		t.Fatal(err)
	}
}

// TestPlantedFIFO puts a FIFO in place of the lock and of state.json:
// Open must refuse it at once instead of blocking in open(2).
func TestPlantedFIFO(t *testing.T) {
	for _, name := range []string{LockFile, StateFile} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			s := mustOpen(t, root, testOptions())
			s.Close()
			path := filepath.Join(root, Dir, name)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				s, err := Open(root, testOptions())
				if err == nil {
					s.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				wantRefused(t, err, path, "not a regular file", "rm "+path)
			case <-time.After(10 * time.Second):
				t.Fatalf("Open blocked on the FIFO %s", path)
			}
		})
	}
}

// TestReadCapped: a file is read whole up to its cap, refused past it,
// and a FIFO or a link in its place is refused without blocking.
func TestReadCapped(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4095, 4096, 4097} {
		path := filepath.Join(dir, fmt.Sprint(size))
		want := bytes.Repeat([]byte{'x'}, size)
		if err := os.WriteFile(path, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readCapped(path, 4096)
		switch {
		case size > 4096:
			if !errors.Is(err, errTooLarge) {
				t.Errorf("%d bytes with a cap of 4096: %v, want %v", size, err, errTooLarge)
			}
		case err != nil || !bytes.Equal(got, want):
			t.Errorf("%d bytes: read %d, %v", size, len(got), err)
		}
	}
	if _, err := readCapped(filepath.Join(dir, "none"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	var unsafe *UnsafePathError
	if _, err := readCapped(fifo, 10); !errors.As(err, &unsafe) || !strings.Contains(err.Error(), "not a regular file (p") {
		t.Errorf("a FIFO: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "1"), link); err != nil {
		t.Fatal(err)
	}
	if _, err := readCapped(link, 10); !errors.As(err, &unsafe) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a link: %v", err)
	}
}
