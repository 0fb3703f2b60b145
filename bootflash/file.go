package bootflash

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// stageFile writes data to a new temporary file beside dir/name and, with
// sync, fsyncs it; the caller renames it into place. A file staged without
// sync must be made durable (syncFS) before anything that relies on its
// content, e.g. the removal of the journal that could rewrite it. A
// non-zero mtime is set on the file (the outbox orders messages by it). On
// error nothing is left behind.
func stageFile(dir, name string, data []byte, mtime time.Time, sync bool) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+tmpMarker+"*")
	if err != nil {
		return "", diskError(dir, err)
	}
	// The name is kept apart from the results: a failed return must not
	// clear it before the file is removed.
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", diskError(dir, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(tmp, mtime, mtime); err != nil {
			return fail(err)
		}
	}
	if sync {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", diskError(dir, err)
	}
	return tmp, nil
}

// diskError adds what to do to an error that says the filesystem holding
// dir is full (ENOSPC, EDQUOT); the error is still errors.Is ENOSPC.
func diskError(dir string, err error) error {
	switch {
	case errors.Is(err, unix.ENOSPC):
		return fmt.Errorf("%w; free space on the filesystem holding %s", err, dir)
	case errors.Is(err, unix.EDQUOT):
		return fmt.Errorf("%w; raise the quota or free space on the filesystem holding %s", err, dir)
	}
	return err
}

// writeFileAtomic replaces dir/name with data: temporary file, fsync,
// rename, fsync of dir.
func writeFileAtomic(dir, name string, data []byte, mtime time.Time) error {
	tmp, err := stageFile(dir, name, data, mtime, true)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// syncDir makes the directory's entries (renames, creations, unlinks)
// durable.
func syncDir(dir string) error {
	d, err := openDir(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncFS makes everything written on the filesystem holding dir durable:
// the data of every file and every directory change (syncfs(2), which
// reports writeback errors since Linux 5.8). One call replaces an fsync of
// each of many files written together.
func syncFS(dir string) error {
	d, err := openDir(dir)
	if err != nil {
		return err
	}
	for {
		err = unix.Syncfs(int(d.Fd()))
		if err != unix.EINTR {
			break
		}
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("syncfs %s: %w", dir, err)
	}
	return nil
}

// errTooLarge is wrapped by readCapped when a file exceeds its cap.
var errTooLarge = errors.New("file too large")

// readCapped reads a whole file but refuses one larger than max bytes, and
// anything but a regular file (see openFile).
//
// It reads with plain system calls into a buffer sized by fstat: through
// an os.File (its poller registration, io.ReadAll's growing buffer) the
// 20,000 files of a start with 10,000 DS cost twice as much.
func readCapped(path string, max int64) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|openFlags, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(path, unix.O_RDONLY|openFlags, 0)
	}
	if err != nil {
		return nil, openError(path, &fs.PathError{Op: "open", Path: path, Err: err})
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if err := regularOnly(path, fileMode(st.Mode)); err != nil {
		return nil, err
	}
	if st.Size > max {
		return nil, fmt.Errorf("%s: %w (more than %d bytes)", path, errTooLarge, max)
	}
	// One byte more than the size: a read that fills it says the file
	// grew since the fstat, and the loop goes on to its end or the cap.
	data := make([]byte, st.Size+1)
	n := 0
	for {
		if n == len(data) {
			if int64(n) > max {
				return nil, fmt.Errorf("%s: %w (more than %d bytes)", path, errTooLarge, max)
			}
			data = append(data, make([]byte, min(int64(len(data)), max+1-int64(n)))...)
		}
		m, err := unix.Read(fd, data[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		n += m
		// The store replaces its files by rename, never in place: a
		// file as long as fstat said is whole, and the read that would
		// return 0 is saved (20,000 system calls at a start).
		if m == 0 || int64(n) == st.Size {
			return data[:n:n], nil
		}
	}
}

// removeIfExists unlinks path; a missing file is not an error.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// removeTemps deletes leftover temporary files in dir and returns their
// names. Only a lock holder may call it: another writer's temporary files
// would otherwise vanish under it.
func removeTemps(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range ents {
		if e.Type().IsRegular() && isTemp(e.Name()) {
			if err := removeIfExists(filepath.Join(dir, e.Name())); err != nil {
				return removed, err
			}
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}
