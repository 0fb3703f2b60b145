package input

// copierChunk is the size of a Copier's chunks: about 130 syslog lines of
// 120 bytes share one allocation, and a line kept downstream (a parsed
// Message's strings point into it) keeps at most 16 KiB alive.
const copierChunk = 16 << 10

// Copier copies lines into shared chunks, so that a reader makes one
// allocation for many lines instead of one per line. Each copy is capped
// (its capacity is its length), so appending to one never writes into
// another. A Copier is not safe for concurrent use: each reader goroutine
// has its own.
type Copier struct {
	chunk []byte
}

// Copy returns a copy of b that no later Copy overwrites.
func (c *Copier) Copy(b []byte) []byte {
	if len(b) > copierChunk/4 {
		return append([]byte(nil), b...) // a large line gets its own
	}
	if cap(c.chunk)-len(c.chunk) < len(b) {
		c.chunk = make([]byte, 0, copierChunk)
	}
	start := len(c.chunk)
	c.chunk = append(c.chunk, b...)
	return c.chunk[start:len(c.chunk):len(c.chunk)]
}

// undo gives back the room of cp, the last Copy, which nobody holds (the
// queue refused it): a flood of dropped lines allocates nothing.
func (c *Copier) undo(cp []byte) {
	if n := len(c.chunk) - len(cp); len(cp) > 0 && n >= 0 && &c.chunk[n:len(c.chunk)][0] == &cp[0] {
		c.chunk = c.chunk[:n]
	}
}
