package engine

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRunContextDeadline: a run's context reports its deadline passed,
// through Err alone and through Done (whose timer starts when it is asked
// for), its parent's cancellation, and its own stop.
func TestRunContextDeadline(t *testing.T) {
	// Err alone: no timer, the time is compared.
	rc := newRunContext(context.Background(), -time.Second)
	if err := rc.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past deadline: Err %v", err)
	}
	rc.stop()

	// Done: a timer that fires.
	rc = newRunContext(context.Background(), 20*time.Millisecond)
	if rc.Err() != nil {
		t.Errorf("Err %v before the deadline", rc.Err())
	}
	select {
	case <-rc.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done never closed after the deadline")
	}
	if err := rc.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("after Done: Err %v", err)
	}
	rc.stop()

	// The parent's cancellation, seen by Err and by a child's Done.
	parent, cancel := context.WithCancel(context.Background())
	rc = newRunContext(parent, time.Hour)
	child, stopChild := context.WithCancel(rc)
	defer stopChild()
	cancel()
	if err := rc.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled parent: Err %v", err)
	}
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a child of the run's context missed its parent's cancellation")
	}
	if d, ok := rc.Deadline(); !ok || time.Until(d) < 59*time.Minute {
		t.Errorf("Deadline %v %v", d, ok)
	}

	// Stopped without a timer: cancelled.
	rc = newRunContext(context.Background(), time.Hour)
	rc.stop()
	if err := rc.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("stopped: Err %v", err)
	}
	select {
	case <-rc.Done():
	default:
		t.Error("stopped: Done not closed")
	}
}
