package tcp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// frameInfo says how a frame was read.
type frameInfo struct {
	oversize bool // longer than the limit: cut to it
	// framingErr: the octet count of the frame before was wrong (this frame
	// is the text up to the next frame start), or the peer ended the
	// connection in the middle of an octet-counted frame (this frame is
	// what arrived of it).
	framingErr bool
}

// framer cuts a TCP byte stream into syslog frames (RFC 6587):
//
//   - a frame that starts with "LEN SP" (LEN: 1 to 9 digits, the first not
//     0) is octet-counted: the next LEN bytes are the message, whatever
//     they hold;
//   - any other frame is newline-terminated: the message ends at LF (a CR
//     before it is removed) or NUL.
//
// LF, CR and NUL bytes between frames are skipped. After an octet-counted
// frame the next frame must be octet-counted too or start with '<' (after
// any separators); if it does not, the count was wrong: that is a framing
// error, and the bytes up to the next LF, NUL or octet-counted frame start
// ("LEN SP <") are delivered as one text frame, so the stream falls back
// into step. A count too large by less than the next frame swallows the
// start of that frame and cannot be told. A frame longer than max is cut
// to max and the rest of it is discarded.
type framer struct {
	r          *bufio.Reader
	max        int
	buf        []byte // the frame being returned
	afterOctet bool   // the last frame was octet-counted
}

func newFramer(r io.Reader, max int) *framer {
	return &framer{r: bufio.NewReaderSize(r, 16<<10), max: max}
}

// next returns the next frame, valid until the next call. At the end of
// the stream (or on a read error or timeout) it returns the error together
// with what it read of an unfinished frame, if anything.
func (f *framer) next() ([]byte, frameInfo, error) {
	first, err := f.skipSeparators()
	if err != nil {
		return nil, frameInfo{}, err
	}
	afterOctet := f.afterOctet
	f.afterOctet = false
	if isDigit(first) {
		n, hlen, ok, err := f.octetHeader()
		if err != nil {
			// The stream ended inside what may have been a count: it is
			// the unterminated last line.
			b, _ := f.r.Peek(f.r.Buffered())
			f.buf = append(f.buf[:0], b[:min(len(b), f.max)]...)
			_, _ = f.r.Discard(len(b))
			return f.buf, frameInfo{}, err
		}
		if ok {
			_, _ = f.r.Discard(hlen)
			return f.octets(n)
		}
	}
	if afterOctet && first != '<' {
		// An octet-counted frame is followed by neither a count nor a
		// message: its count was wrong.
		line, info, err := f.text(true)
		info.framingErr = true
		return line, info, err
	}
	return f.text(false)
}

// skipSeparators discards LF, CR and NUL bytes and returns the byte after
// them, left unread.
func (f *framer) skipSeparators() (byte, error) {
	for {
		b, err := f.r.Peek(1)
		if err != nil {
			return 0, err
		}
		if c := b[0]; c != '\n' && c != '\r' && c != 0 {
			return c, nil
		}
		_, _ = f.r.Discard(1)
	}
}

// octetHeader looks (without reading) for "LEN SP" at the start of the
// frame and returns LEN and the header's length.
func (f *framer) octetHeader() (n, hlen int, ok bool, err error) {
	for i := 0; i <= 9; i++ {
		b, err := f.r.Peek(i + 1)
		if len(b) < i+1 {
			return 0, 0, false, err
		}
		switch c := b[i]; {
		case isDigit(c):
		case c == ' ' && i > 0 && b[0] != '0':
			for _, d := range b[:i] {
				n = n*10 + int(d-'0')
			}
			return n, i + 1, true, nil
		default:
			return 0, 0, false, nil
		}
	}
	return 0, 0, false, nil // ten digits: not a count
}

// octets reads an octet-counted message of n bytes.
func (f *framer) octets(n int) ([]byte, frameInfo, error) {
	var info frameInfo
	want := min(n, f.max)
	if cap(f.buf) < want {
		f.buf = make([]byte, want)
	}
	f.buf = f.buf[:want]
	got, err := io.ReadFull(f.r, f.buf)
	if err != nil {
		info.framingErr = true
		return f.buf[:got], info, eof(err)
	}
	if n > f.max {
		info.oversize = true
		if _, err := f.r.Discard(n - f.max); err != nil {
			info.framingErr = true
			return f.buf, info, eof(err)
		}
	}
	f.afterOctet = true
	return f.buf, info, nil
}

// text reads a newline-terminated message. With resync (after a wrong
// octet count) it also ends before an octet-counted frame start.
func (f *framer) text(resync bool) ([]byte, frameInfo, error) {
	var info frameInfo
	f.buf = f.buf[:0]
	prevDigit, over := false, false
	// add keeps up to max+1 bytes: one more than max tells a line that is
	// too long from one of max bytes followed by CR LF.
	add := func(b []byte) {
		if len(b) == 0 {
			return
		}
		prevDigit = isDigit(b[len(b)-1])
		if room := f.max + 1 - len(f.buf); len(b) > room {
			b = b[:room]
			over = true
		}
		f.buf = append(f.buf, b...)
	}
	finish := func(lf bool) []byte {
		if lf && !over {
			f.buf = trimCR(f.buf)
		}
		if len(f.buf) > f.max {
			f.buf = f.buf[:f.max]
			info.oversize = true
		}
		return f.buf
	}
	for {
		if _, err := f.r.Peek(1); err != nil {
			return finish(false), info, err // unterminated last line
		}
		b, _ := f.r.Peek(f.r.Buffered())
		end := indexTerminator(b)
		seg := b
		if end >= 0 {
			seg = b[:end]
		}
		if resync {
			at, undecided := frameStart(seg, prevDigit)
			switch {
			case at >= 0 && !undecided:
				add(seg[:at])
				_, _ = f.r.Discard(at)
				return finish(false), info, nil
			case at >= 0 && end < 0:
				// A frame may start at the end of what has arrived: keep
				// it unread and wait for one more byte to decide.
				add(seg[:at])
				_, _ = f.r.Discard(at)
				if _, err := f.r.Peek(len(seg) - at + 1); err != nil {
					rest, _ := f.r.Peek(f.r.Buffered())
					add(rest)
					_, _ = f.r.Discard(len(rest))
					return finish(false), info, err
				}
				continue
			}
		}
		add(seg)
		if end >= 0 {
			_, _ = f.r.Discard(end + 1)
			return finish(b[end] == '\n'), info, nil
		}
		_, _ = f.r.Discard(len(seg))
	}
}

// frameStart returns the index in b of the first octet-counted frame start
// "LEN SP <". undecided says b ends before that could be told (b ends in
// digits, or in digits and a space); prevDigit says the byte before b was a
// digit, so a run of digits at the start of b does not start a count.
func frameStart(b []byte, prevDigit bool) (at int, undecided bool) {
	for i := 0; i < len(b); i++ {
		if b[i] < '1' || b[i] > '9' {
			continue
		}
		if (i == 0 && prevDigit) || (i > 0 && isDigit(b[i-1])) {
			continue
		}
		j := i
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		switch {
		case j-i > 9:
		case j == len(b) || j+1 == len(b) && b[j] == ' ':
			return i, true
		case b[j] == ' ' && b[j+1] == '<':
			return i, false
		}
		i = j - 1
	}
	return -1, false
}

// indexTerminator returns the index of the first LF or NUL in b, or -1.
func indexTerminator(b []byte) int {
	lf := bytes.IndexByte(b, '\n')
	before := b
	if lf >= 0 {
		before = b[:lf]
	}
	if nul := bytes.IndexByte(before, 0); nul >= 0 {
		return nul
	}
	return lf
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// eof turns io.ErrUnexpectedEOF into io.EOF: for the connection both mean
// the peer closed it.
func eof(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF
	}
	return err
}
