package input

import (
	"context"
	"time"
)

// TrimLineEnd removes the trailing LF, CR and NUL bytes a sender may end a
// datagram with.
func TrimLineEnd(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case '\n', '\r', 0:
			b = b[:len(b)-1]
		default:
			return b
		}
	}
	return b
}

// Pause waits d, or less if ctx ends first, and reports whether ctx ended:
// the back-off of a read loop after an error.
func Pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return true
	case <-t.C:
		return false
	}
}
