package correlate

// ring keeps the most recent occurrence times (Unix nanoseconds) of one
// event, oldest first, in a fixed buffer: when it is full a new time
// replaces the oldest one, so it never grows.
type ring struct {
	buf  []int64
	data []any // per slot: the occurrence's data; nil for match times
	head int   // index of the oldest time
	n    int   // number of times held
}

// push appends t, dropping the oldest time when the ring is full. Times
// must not decrease.
func (r *ring) push(t int64, d any) {
	c := len(r.buf)
	if c == 0 {
		return
	}
	if r.n < c {
		i := r.head + r.n
		if i >= c {
			i -= c
		}
		r.buf[i] = t
		if r.data != nil {
			r.data[i] = d
		}
		r.n++
		return
	}
	r.buf[r.head] = t
	if r.data != nil {
		r.data[r.head] = d
	}
	r.head++
	if r.head == c {
		r.head = 0
	}
}

// expire drops the times before from.
func (r *ring) expire(from int64) {
	for r.n > 0 && r.buf[r.head] < from {
		if r.data != nil {
			r.data[r.head] = nil
		}
		r.head++
		if r.head == len(r.buf) {
			r.head = 0
		}
		r.n--
	}
}

// last returns the newest time; the ring must not be empty.
func (r *ring) last() int64 {
	i := r.head + r.n - 1
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return r.buf[i]
}

// lastData returns the newest time's data; the ring must not be empty.
func (r *ring) lastData() any {
	if r.data == nil {
		return nil
	}
	i := r.head + r.n - 1
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return r.data[i]
}

// oldest returns the oldest time; the ring must not be empty.
func (r *ring) oldest() int64 { return r.buf[r.head] }

// reset empties the ring.
func (r *ring) reset() {
	clear(r.data) // let the data go
	r.head, r.n = 0, 0
}
