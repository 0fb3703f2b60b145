package applet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
)

// File is a file an applet opened with "action file open".
type File interface {
	io.Reader
	io.Writer
	io.Seeker
	io.Closer
}

// Default caps of DirFiles and of a run's open files.
const (
	// DefaultMaxFileSize caps a file an applet writes.
	DefaultMaxFileSize = 4 << 20
	// MaxOpenFiles caps the files one run holds open.
	MaxOpenFiles = 8
)

// The IOS open modes of "action file open", as Tcl's open takes them.
var fileModes = map[string]int{
	"r":  os.O_RDONLY,
	"r+": os.O_RDWR,
	"w":  os.O_WRONLY | os.O_CREATE | os.O_TRUNC,
	"w+": os.O_RDWR | os.O_CREATE | os.O_TRUNC,
	"a":  os.O_WRONLY | os.O_CREATE | os.O_APPEND,
	"a+": os.O_RDWR | os.O_CREATE | os.O_APPEND,
}

// DirFiles is the confined file system of "action file": the names
// "flash:NAME" and "bootflash:NAME" are files under Root and nowhere
// else. A name with "..", a symbolic link anywhere on the way (checked,
// and os.Root confines what the check could miss), anything but a
// regular file, and the names in Reserved are refused; a write past
// MaxFileSize fails.
type DirFiles struct {
	Root string
	// Reserved are names (first path elements) applets may not touch: the
	// daemon's own store. Names starting with "." are always reserved.
	Reserved []string
	// MaxFileSize caps a file's size on write; 0 means
	// DefaultMaxFileSize.
	MaxFileSize int64
}

// Resolve returns the path under Root that an IOS file name means, or an
// error saying why it is refused.
func (d *DirFiles) Resolve(name string) (string, error) {
	fsys, rest, ok := strings.Cut(name, ":")
	if !ok || !slices.Contains([]string{"flash", "bootflash"}, strings.ToLower(fsys)) {
		return "", fmt.Errorf("file %q refused: name a file as flash:NAME or bootflash:NAME", name)
	}
	rest = strings.TrimLeft(rest, "/")
	if rest == "" || strings.ContainsRune(rest, 0) {
		return "", fmt.Errorf("file %q refused: no file name after %s:", name, fsys)
	}
	for _, el := range strings.Split(rest, "/") {
		if el == ".." {
			return "", fmt.Errorf("file %q refused: \"..\" would leave the bootflash directory; name a file under %s:", name, fsys)
		}
	}
	clean := path.Clean(rest)
	first, _, _ := strings.Cut(clean, "/")
	if strings.HasPrefix(first, ".") || slices.Contains(d.Reserved, first) {
		return "", fmt.Errorf("file %q refused: %s belongs to dsengine; choose another name", name, first)
	}
	return clean, nil
}

// check refuses a symbolic link or a non-regular file at rel (a missing
// file passes: open decides).
func (d *DirFiles) check(root *os.Root, name, rel string) error {
	p := ""
	for _, el := range strings.Split(rel, "/") {
		p = path.Join(p, el)
		fi, err := root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("file %s: %w", name, err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("file %s refused: %s is a symbolic link, which applets never follow; remove it", name, p)
		case p != rel && !fi.IsDir():
			return fmt.Errorf("file %s: %s is not a directory", name, p)
		case p == rel && !fi.Mode().IsRegular():
			return fmt.Errorf("file %s refused: not a regular file (%s)", name, fi.Mode().Type())
		}
	}
	return nil
}

// Open opens an IOS file name in an IOS mode (r, r+, w, w+, a, a+).
func (d *DirFiles) Open(_ context.Context, name, mode string) (File, error) {
	flag, ok := fileModes[mode]
	if !ok {
		return nil, fmt.Errorf("file open %s: unknown mode %q; expected r, r+, w, w+, a or a+", name, mode)
	}
	rel, err := d.Resolve(name)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(d.Root)
	if err != nil {
		return nil, fmt.Errorf("file %s: the bootflash directory: %w", name, err)
	}
	defer root.Close()
	if err := d.check(root, name, rel); err != nil {
		return nil, err
	}
	f, err := root.OpenFile(rel, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", name, unwrapPath(err))
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("file %s refused: not a regular file (%s)", name, fi.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	max := d.MaxFileSize
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	return &cappedFile{f: f, name: name, max: max, appending: flag&os.O_APPEND != 0}, nil
}

// Delete removes an IOS file name: a regular file only.
func (d *DirFiles) Delete(_ context.Context, name string) error {
	rel, err := d.Resolve(name)
	if err != nil {
		return err
	}
	root, err := os.OpenRoot(d.Root)
	if err != nil {
		return fmt.Errorf("file %s: the bootflash directory: %w", name, err)
	}
	defer root.Close()
	if err := d.check(root, name, rel); err != nil {
		return err
	}
	if err := root.Remove(rel); err != nil {
		return fmt.Errorf("file delete %s: %w", name, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the *PathError's path, which is the relative one; the
// message names the IOS name instead.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// cappedFile refuses a write that would make the file larger than max.
// It does not embed the *os.File, whose WriteString and ReadFrom would
// bypass the cap.
type cappedFile struct {
	f         *os.File
	name      string
	max       int64
	appending bool
}

func (f *cappedFile) Read(p []byte) (int, error)                { return f.f.Read(p) }
func (f *cappedFile) Seek(off int64, whence int) (int64, error) { return f.f.Seek(off, whence) }
func (f *cappedFile) Close() error                              { return f.f.Close() }

func (f *cappedFile) Write(p []byte) (int, error) {
	off, err := f.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if f.appending {
		fi, err := f.f.Stat()
		if err != nil {
			return 0, err
		}
		off = fi.Size()
	}
	if off+int64(len(p)) > f.max {
		return 0, fmt.Errorf("file %s would grow past %d bytes, the cap of an applet's file", f.name, f.max)
	}
	return f.f.Write(p)
}
