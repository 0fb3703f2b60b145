package input

import "bytes"

// Lines cuts a byte stream (a file, stdin) into lines at LF, the way the
// file and stdin inputs need it: a trailing CR is removed (CRLF), a partial
// last line waits in Lines until its LF arrives or Flush, and a line longer
// than the limit is emitted cut to the limit, with the rest up to its LF
// discarded. Lines is not safe for concurrent use.
type Lines struct {
	max  int
	buf  []byte // the partial line so far, at most max+1 bytes
	skip bool   // discard up to the next LF (the rest of a cut line, or a line joined midway)
}

// NewLines returns a Lines that delivers lines of at most max bytes.
func NewLines(max int) *Lines {
	if max <= 0 {
		max = MaxLine
	}
	return &Lines{max: max}
}

// Write cuts p into lines and calls emit for each complete one; truncated
// says the line was longer than the limit and was cut. The line passed to
// emit is valid only during the call. Empty lines are passed too (the
// Emitter ignores them).
func (l *Lines) Write(p []byte, emit func(line []byte, truncated bool)) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk, p = p[:i], p[i+1:]
		} else {
			p = nil
		}
		if l.skip {
			if i >= 0 {
				l.skip = false
			}
			continue
		}
		if i >= 0 && len(l.buf) == 0 {
			line := trimCR(chunk)
			if len(line) > l.max {
				emit(line[:l.max], true)
			} else {
				emit(line, false)
			}
			continue
		}
		// The partial line keeps up to max+1 bytes: one more than max
		// tells a line that is too long from one of max bytes and a CR.
		if room := l.max + 1 - len(l.buf); len(chunk) > room {
			l.buf = append(l.buf, chunk[:room]...)
			emit(l.buf[:l.max], true)
			l.buf = l.buf[:0]
			l.skip = i < 0
			continue
		}
		l.buf = append(l.buf, chunk...)
		if i >= 0 {
			l.emitPartial(emit)
		}
	}
}

// Flush emits the partial line, if there is one, as if its LF had arrived,
// and forgets any line being skipped.
func (l *Lines) Flush(emit func(line []byte, truncated bool)) {
	if len(l.buf) > 0 {
		l.emitPartial(emit)
	}
	l.Reset()
}

// emitPartial emits the partial line as a complete one and empties it.
func (l *Lines) emitPartial(emit func(line []byte, truncated bool)) {
	line := trimCR(l.buf)
	if len(line) > l.max {
		emit(line[:l.max], true)
	} else {
		emit(line, false)
	}
	l.buf = l.buf[:0]
}

// Reset forgets the partial line without emitting it.
func (l *Lines) Reset() {
	l.buf = l.buf[:0]
	l.skip = false
}

// SkipToNextLine discards what comes up to and including the next LF: the
// rest of a line whose start was not read.
func (l *Lines) SkipToNextLine() {
	l.buf = l.buf[:0]
	l.skip = true
}

// Pending is the length of the partial line waiting for its LF.
func (l *Lines) Pending() int { return len(l.buf) }

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
