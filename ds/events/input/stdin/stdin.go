package stdin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
)

// stopGrace is how long Run waits, once ctx is done, for a blocked Read to
// return.
const stopGrace = 100 * time.Millisecond

// Reader is an input that reads lines from an io.Reader: one line per LF
// (a CR before it is removed); a last line without LF is delivered at end of
// input; a line longer than MaxLine is cut, delivered and counted as
// oversize. A full queue makes it wait up to Options.Wait, then the line is
// dropped and counted.
type Reader struct {
	r    io.Reader
	opts input.Options
	c    input.Counters
}

// New returns an input reading r, named "stdin" unless o.Name says
// otherwise.
func New(r io.Reader, o input.Options) *Reader {
	return &Reader{r: r, opts: o.WithDefaults("stdin")}
}

// Name implements input.Input.
func (s *Reader) Name() string { return s.opts.Name }

// Stats implements input.Input.
func (s *Reader) Stats() input.Stats { return s.c.Snapshot(s.opts.Name) }

// Run implements input.Input. It returns nil at end of input, after
// delivering the last line, and an error if a read fails. When ctx ends
// first it returns nil: a Read blocked in a reader with SetReadDeadline (a
// pipe or terminal as *os.File, a net.Conn) is interrupted; any other
// reader's blocked Read is left to return on its own (its goroutine then
// ends without delivering anything), as an io.Reader offers no way to
// interrupt it.
func (s *Reader) Run(ctx context.Context, q input.Sink) error {
	em := input.NewEmitter(s.opts, q, &s.c, true)
	done := make(chan error, 1)
	go func() { done <- s.read(ctx, em) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	if d, ok := s.r.(interface{ SetReadDeadline(time.Time) error }); ok {
		_ = d.SetReadDeadline(time.Unix(1, 0))
	}
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
	return nil
}

// read reads lines until end of input, a read error or ctx's end.
func (s *Reader) read(ctx context.Context, em *input.Emitter) error {
	lines := input.NewLines(em.MaxLine())
	emit := func(line []byte, truncated bool) { em.Emit(ctx, line, netip.AddrPort{}, truncated) }
	buf := make([]byte, 64<<10)
	for {
		n, err := s.r.Read(buf)
		if ctx.Err() != nil {
			return nil
		}
		lines.Write(buf[:n], emit)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			lines.Flush(emit)
			return nil
		default:
			s.c.ReadErrors.Add(1)
			lines.Flush(emit)
			return fmt.Errorf("%s: %w", s.opts.Name, err)
		}
	}
}

// Reader is an input.Input.
var _ input.Input = (*Reader)(nil)
