package applet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// openFile is a file a run opened, by descriptor.
type openFile struct {
	name string
	f    File
	rd   *bufio.Reader // reads; dropped (and the offset rewound) before a write
}

// file open FD NAME MODE | file read FD VAR [BYTES] | file gets FD VAR |
// file write FD TEXT [BYTES] | file puts FD [nonewline] TEXT | file close FD
// | file delete NAME. FD is a variable: open sets it to the descriptor and
// the others read it (written fd, $fd or ${fd}). The files are the Host's
// (flash:NAME or bootflash:NAME); a run holds at most MaxOpenFiles open
// and closes them when it ends.
func compileFile(args []string) (func(r *run) error, error) {
	usage := "usage: file open FD flash:NAME r|r+|w|w+|a|a+, file read FD VARIABLE [BYTES], file gets FD VARIABLE, " +
		"file write FD TEXT [BYTES], file puts FD [nonewline] TEXT, file close FD, file delete flash:NAME"
	if len(args) == 0 {
		return nil, errors.New(usage)
	}
	sub := strings.ToLower(args[0])
	args = args[1:]
	arity := map[string][2]int{"open": {3, 3}, "read": {2, 3}, "gets": {2, 2}, "write": {2, 3}, "puts": {2, 3},
		"close": {1, 1}, "delete": {1, 1}}
	n, ok := arity[sub]
	if !ok {
		return nil, fmt.Errorf("file %s: unknown operation; %s", args0(sub), usage)
	}
	if len(args) < n[0] || len(args) > n[1] {
		return nil, fmt.Errorf("file %s: wrong arguments; %s", sub, usage)
	}
	if sub == "delete" {
		return func(r *run) error {
			name, err := r.expand(args[0])
			if err != nil {
				return err
			}
			return r.host.DeleteFile(r.ctx, name)
		}, nil
	}
	fd, err := varName(args[0])
	if err != nil {
		return nil, fmt.Errorf("file %s: descriptor: %w", sub, err)
	}
	switch sub {
	case "open":
		mode := strings.ToLower(args[2])
		if _, ok := fileModes[mode]; !ok && !hasVarRef(mode) {
			return nil, fmt.Errorf("file open: unknown mode %q; expected r, r+, w, w+, a or a+", args[2])
		}
		return func(r *run) error {
			name, err := r.expand(args[1])
			if err != nil {
				return err
			}
			m, err := r.expand(mode)
			if err != nil {
				return err
			}
			if len(r.files) >= MaxOpenFiles {
				return fmt.Errorf("file open %s: %d files are open already; close one first", name, MaxOpenFiles)
			}
			f, err := r.host.OpenFile(r.ctx, name, strings.ToLower(m))
			if err != nil {
				return err
			}
			if r.files == nil {
				r.files = map[string]*openFile{}
			}
			r.nextFD++
			d := strconv.Itoa(r.nextFD)
			r.files[d] = &openFile{name: name, f: f}
			return r.set(fd, d)
		}, nil
	case "read", "gets":
		into, err := varName(args[1])
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", sub, err)
		}
		return func(r *run) error {
			h, err := r.file(fd)
			if err != nil {
				return err
			}
			if h.rd == nil {
				h.rd = bufio.NewReader(h.f)
			}
			if sub == "gets" {
				return r.fileGets(h, into)
			}
			limit := int64(r.lim.MaxValue)
			if len(args) == 3 {
				n, err := r.integer(args[2])
				if err != nil {
					return err
				}
				if n < 0 {
					return fmt.Errorf("file read: %d bytes", n)
				}
				limit = min(limit, n)
			}
			data, err := io.ReadAll(io.LimitReader(h.rd, limit))
			if err != nil {
				return fmt.Errorf("file read %s: %w", h.name, err)
			}
			return r.set(into, string(data))
		}, nil
	case "write", "puts":
		nl := ""
		text := args[1:]
		if sub == "puts" {
			nl = "\n"
			if len(text) == 2 {
				if !strings.EqualFold(text[0], "nonewline") {
					return nil, fmt.Errorf("file puts: unexpected %q; %s", text[0], usage)
				}
				nl, text = "", text[1:]
			}
		}
		return func(r *run) error {
			h, err := r.file(fd)
			if err != nil {
				return err
			}
			s, err := r.expand(text[0])
			if err != nil {
				return err
			}
			if sub == "write" && len(text) == 2 {
				n, err := r.integer(text[1])
				if err != nil {
					return err
				}
				if n >= 0 && n < int64(len(s)) {
					s = s[:n]
				}
			}
			if h.rd != nil { // write where the reads got to
				if _, err := h.f.Seek(-int64(h.rd.Buffered()), io.SeekCurrent); err != nil {
					return fmt.Errorf("file %s %s: %w", sub, h.name, err)
				}
				h.rd = nil
			}
			if _, err := io.WriteString(h.f, s+nl); err != nil {
				return fmt.Errorf("file %s %s: %w", sub, h.name, err)
			}
			return nil
		}, nil
	}
	// close
	return func(r *run) error {
		h, err := r.file(fd)
		if err != nil {
			return err
		}
		d := r.vars[fd]
		delete(r.files, d)
		if err := h.f.Close(); err != nil {
			return fmt.Errorf("file close %s: %w", h.name, err)
		}
		return nil
	}, nil
}

func args0(s string) string { return strconv.Quote(s) }

// file returns the open file whose descriptor the variable fd holds.
func (r *run) file(fd string) (*openFile, error) {
	d, ok := r.lookup(fd)
	if !ok {
		return nil, unsetError(fd)
	}
	h := r.files[d]
	if h == nil {
		return nil, fmt.Errorf("file descriptor %s (%q) is not open; open it with file open", fd, d)
	}
	return h, nil
}

// fileGets reads a line into the variable into, without its newline;
// $_result is its length in bytes, -1 at the end of the file (Tcl's gets).
func (r *run) fileGets(h *openFile, into string) error {
	var line []byte
	for {
		chunk, err := h.rd.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > r.lim.MaxValue {
			return fmt.Errorf("file gets %s: a line longer than %d bytes", h.name, r.lim.MaxValue)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				if err := r.set(into, ""); err != nil {
					return err
				}
				return r.set("_result", "-1")
			}
			break
		}
		if err != nil {
			return fmt.Errorf("file gets %s: %w", h.name, err)
		}
		break
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	if err := r.set(into, s); err != nil {
		return err
	}
	return r.set("_result", strconv.Itoa(len(s)))
}

// closeFiles closes what the run left open.
func (r *run) closeFiles() {
	for d, h := range r.files {
		h.f.Close()
		delete(r.files, d)
	}
}
