package executor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// maxSimName is the longest file name SimFileName returns, under the
// 255-byte limit of Linux file systems.
const maxSimName = 200

// SimFileName is the file, inside a sim directory, that holds the canned
// output of an IOS command; `ds test --device DIR` uses the same rule. The
// command is trimmed and its runs of blanks collapsed to one space; then
// every byte outside [A-Za-z0-9._-] (space, "/", "|", ":", non-ASCII, ...)
// becomes "_", so do the leading dots, and ".txt" is appended:
// "show interfaces Gi1/0/5" → "show_interfaces_Gi1_0_5.txt",
// "../../etc/passwd" → "___.._etc_passwd.txt". The result is always one
// plain file name (no "/", never "." or "..", never hidden). A name longer
// than 200 bytes keeps its first 183 bytes and ends with "_" and 16 hex
// digits of the SHA-256 of the normalized command.
func SimFileName(command string) string {
	norm := config.NormalizeCommand(command)
	b := []byte(norm)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	for i := 0; i < len(b) && b[i] == '.'; i++ {
		b[i] = '_'
	}
	name := string(b)
	if name == "" {
		name = "_"
	}
	if len(name)+len(".txt") > maxSimName {
		sum := sha256.Sum256([]byte(norm))
		name = name[:maxSimName-len(".txt")-17] + "_" + hex.EncodeToString(sum[:8])
	}
	return name + ".txt"
}

// sim answers commands from a directory of canned outputs.
type sim struct {
	dir  string
	opts Options
}

func newSim(cfg config.Executor, _ []config.CommandMapping, opts Options) (Executor, error) {
	if cfg.Dir == "" {
		return nil, errors.New("executor sim: no directory; usage: executor sim DIR")
	}
	st, err := os.Stat(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("executor sim: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("executor sim: %s is not a directory", cfg.Dir)
	}
	return &sim{dir: cfg.Dir, opts: opts}, nil
}

// Close does nothing.
func (s *sim) Close() error { return nil }

// Run returns the content of DIR/SimFileName(command), at most MaxOutput
// bytes. When that file does not exist and the command has output
// modifiers ("| include X"), the file of the command without them is read
// and filtered, as the local executor does.
func (s *sim) Run(ctx context.Context, command string) (Output, error) {
	start := s.opts.Now()
	fail := func(detail string, err error) error {
		return &Error{Executor: "sim", Command: command, Kind: ErrRefused, Detail: detail, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return Output{}, &Error{Executor: "sim", Command: command, Kind: err, Detail: "canceled", Err: err}
	}
	if strings.TrimSpace(command) == "" {
		return Output{}, fail("empty command", nil)
	}
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return Output{}, fail("", err)
	}
	defer root.Close()

	name := SimFileName(command)
	text, truncated, err := s.read(root, name)
	var filters []filter
	if errors.Is(err, fs.ErrNotExist) {
		base, f, ferr := splitModifiers(command)
		if ferr == nil && len(f) > 0 && base != "" {
			baseName := SimFileName(base)
			text, truncated, err = s.read(root, baseName)
			if errors.Is(err, fs.ErrNotExist) {
				return Output{}, fail(fmt.Sprintf("no canned output: neither %s nor %s exists",
					filepath.Join(s.dir, name), filepath.Join(s.dir, baseName)), nil)
			}
			filters = f
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return Output{}, fail(fmt.Sprintf("no canned output: %s does not exist", filepath.Join(s.dir, name)), nil)
	}
	if err != nil {
		return Output{}, fail("", err)
	}
	return Output{Text: applyFilters(text, filters), Truncated: truncated, Duration: s.opts.Now().Sub(start)}, nil
}

// read returns the first MaxOutput bytes of a file inside the directory;
// os.Root keeps symbolic links from leading outside it.
func (s *sim) read(root *os.Root, name string) (string, bool, error) {
	f, err := root.Open(name)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(s.opts.MaxOutput)+1))
	if err != nil {
		return "", false, err
	}
	if len(b) > s.opts.MaxOutput {
		return string(b[:s.opts.MaxOutput]), true, nil
	}
	return string(b), false, nil
}
