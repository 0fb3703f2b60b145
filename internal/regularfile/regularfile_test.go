package regularfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOnlyRegularFiles: a named pipe (with no writer: opening it would
// block), a device, a directory and a socket are refused at once; a
// regular file, also through a symlink, is read; a file over the limit is
// refused.
func TestOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "a named pipe", "/dev/zero": "a character device", dir: "a directory"} {
		_, err := Read(path, 1<<20)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%s): %v, want %s refused", path, err, want)
		}
	}
	for _, path := range []string{file, link} {
		if data, err := Read(path, 5); err != nil || string(data) != "hello" {
			t.Errorf("Read(%s): %q, %v", path, data, err)
		}
	}
	if _, err := Read(file, 4); err == nil || !strings.Contains(err.Error(), "file is 5 bytes; the limit is 4") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), 4); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v, want ErrNotExist", err)
	}
}
