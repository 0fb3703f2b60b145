package engine

import (
	"context"
	"sync"
	"time"
)

// runContext is a run's context: its parent with the run's maxrun
// deadline. Its timer starts only when Done is first asked for (an action
// that waits on a process, a socket or a queue); a run whose actions never
// wait (a message, a log line) only has Err compare the time. A timer per
// run was a tenth of the fire path of `ds test`.
//
// The deadline is wall-clock time, as context deadlines are: maxrun
// bounds how long a run really takes, also in a replay on a virtual clock.
type runContext struct {
	context.Context // the parent
	deadline        time.Time

	mu      sync.Mutex
	timed   context.Context // the parent with the deadline, once Done was asked for
	cancel  context.CancelFunc
	stopped bool
}

// closed is the Done of a stopped run's context that never started a
// timer.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func newRunContext(parent context.Context, maxRun time.Duration) *runContext {
	return &runContext{Context: parent, deadline: time.Now().Add(maxRun)}
}

func (c *runContext) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *runContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timed == nil {
		if c.stopped {
			return closed
		}
		c.timed, c.cancel = context.WithDeadline(c.Context, c.deadline)
	}
	return c.timed.Done()
}

func (c *runContext) Err() error {
	c.mu.Lock()
	timed, stopped := c.timed, c.stopped
	c.mu.Unlock()
	if timed != nil {
		return timed.Err()
	}
	if stopped {
		return context.Canceled
	}
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// stop releases the timer, if one started; Err and Done then report the
// run's context as cancelled.
func (c *runContext) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.cancel != nil {
		c.cancel()
	}
}
