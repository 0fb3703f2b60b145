package executor

import (
	"bytes"
	"sync"
)

// capture keeps the first max bytes written to it and discards the rest,
// always reporting success so the writer drains; full is closed once when
// the first byte is discarded, so the caller can stop the command.
type capture struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	max       int
	truncated bool
	full      chan struct{}
}

func newCapture(max int) *capture {
	return &capture{max: max, full: make(chan struct{})}
}

// Write keeps what fits under the cap.
func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	room := c.max - c.buf.Len()
	if len(p) <= room {
		c.buf.Write(p)
		return len(p), nil
	}
	c.buf.Write(p[:room])
	if !c.truncated {
		c.truncated = true
		close(c.full)
	}
	return len(p), nil
}

// result returns the text kept and whether some was discarded.
func (c *capture) result() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String(), c.truncated
}
