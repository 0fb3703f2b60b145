package bootflash

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// UnsafePathError is a directory or file of the store that the store
// refuses because another user could change it, or because it is a
// symbolic link, which the store never follows: a link planted in a
// directory another user can write would make the daemon, often root,
// truncate, overwrite or send a file of the link's choosing. Fix says what
// to do.
type UnsafePathError struct {
	Path    string
	Problem string // e.g. "is writable by group or others (mode 0777)"
	Fix     string // e.g. "chmod 700 /var/lib/dsengine"
}

func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("%s %s; %s", e.Path, e.Problem, e.Fix)
}

// The directory rules. The bootflash root may be shared the way /tmp is
// (sticky, so others cannot rename or remove what the store made), if the
// running user owns it; call_home and outbox may not: the store trusts
// the files in them by name (state.json, values.json, journals, outbox
// messages), and even in a sticky directory another user could create one
// of those names first.
const (
	rootDir    = true  // may be sticky and writable by others
	privateDir = false // writable by its owner only
)

// makeDirs creates, where missing, the root (and its parents) and the
// store's directories, and checks all three (see checkDir). Each of the
// store's directories is made with Mkdir, never following a link.
func makeDirs(root string, dirs ...string) error {
	if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
		// The parents are the operator's choice; only the root itself is
		// the store's.
		if err := os.MkdirAll(filepath.Dir(root), 0o700); err != nil {
			return err
		}
		if err := os.Mkdir(root, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	if err := checkDir(root, rootDir, false); err != nil {
		return err
	}
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := checkDir(d, privateDir, false); err != nil {
			return err
		}
	}
	return nil
}

// checkDirs checks the directories that exist, for a ReadOnly store, which
// creates nothing; exists reports whether the last one does.
func checkDirs(root string, dirs ...string) (exists bool, err error) {
	for i, d := range append([]string{root}, dirs...) {
		if _, err := os.Lstat(d); errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err := checkDir(d, i == 0, true); err != nil {
			return false, err
		}
	}
	return true, nil
}

// checkDir refuses a directory that is a symbolic link, is not owned by
// the running user (readOnly also accepts root), or is writable by group or
// others (a sticky root directory excepted, see rootDir).
func checkDir(path string, isRoot, readOnly bool) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		fix := "remove the link (rm " + path + "); the store makes the directory"
		if isRoot {
			fix = "use the directory it points to instead, or make it a real directory"
			if real, err := filepath.EvalSymlinks(path); err == nil {
				fix = "use the directory it points to (" + real + ") instead"
			}
		}
		return &UnsafePathError{path, "is a symbolic link, which the store never follows", fix}
	}
	if !fi.IsDir() {
		return &UnsafePathError{path, "is not a directory", "remove it (rm " + path + ") and start again"}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: cannot read its owner", path)
	}
	me := os.Geteuid()
	if int(st.Uid) != me && !(readOnly && st.Uid == 0) {
		return &UnsafePathError{path,
			fmt.Sprintf("is owned by %s, not by %s, the user dsengine runs as", userName(int(st.Uid)), userName(me)),
			fmt.Sprintf("check what is in it, then chown %d %s, or run dsengine as its owner", me, path)}
	}
	mode := fi.Mode()
	if mode.Perm()&0o022 != 0 && !(isRoot && mode&fs.ModeSticky != 0) {
		return &UnsafePathError{path,
			fmt.Sprintf("is writable by group or others (mode %04o): another user could plant files or links in it", mode.Perm()),
			"check what is in it, then chmod 700 " + path}
	}
	return nil
}

// userName names a uid for an error: "ann (uid 1000)".
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username + " (uid " + strconv.Itoa(uid) + ")"
	}
	return "uid " + strconv.Itoa(uid)
}

// openFile opens a file of the store. It never follows a symbolic link
// (O_NOFOLLOW), never blocks on a FIFO or device (O_NONBLOCK), and refuses
// anything but a regular file.
func openFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|openFlags, perm)
	if err != nil {
		return nil, openError(path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := regularOnly(path, fi.Mode()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openFlags are added to every open of a store's file: see openFile.
const openFlags = unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC

// openError is the error of an open with openFlags: a symbolic link in
// the way says so and what to do.
func openError(path string, err error) error {
	if errors.Is(err, unix.ELOOP) {
		return &UnsafePathError{path, "is a symbolic link, which the store never follows",
			"remove it (rm " + path + ") and keep " + filepath.Dir(path) + " private (chmod 700)"}
	}
	return err
}

// regularOnly refuses a store's file that is not a regular file.
func regularOnly(path string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	return &UnsafePathError{path, "is not a regular file (" + mode.Type().String() + ")",
		"remove it (rm " + path + ") and keep " + filepath.Dir(path) + " private (chmod 700)"}
}

// fileMode is the fs.FileMode type bits of a stat's st_mode.
func fileMode(m uint32) fs.FileMode {
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
		return 0
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFLNK:
		return fs.ModeSymlink
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

// openDir opens one of the store's directories, for fsync and syncfs,
// without following a link.
func openDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
}
