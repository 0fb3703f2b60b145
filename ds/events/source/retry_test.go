package source

import (
	"context"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/internal/testserver"
)

func TestBackoff(t *testing.T) {
	b := Backoff{Min: time.Second, Max: 5 * time.Second}
	var got []time.Duration
	for range 5 {
		got = append(got, b.Next())
	}
	b.Reset()
	got = append(got, b.Next())
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits %v, want %v", got, want)
		}
	}
}

func TestSleep(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	done := make(chan bool)
	go func() { done <- Sleep(context.Background(), v, time.Minute) }()
	waitTimer(t, v)
	v.Advance(time.Minute)
	if !<-done {
		t.Fatal("Sleep on the clock reported ctx ended")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- Sleep(ctx, v, time.Minute) }()
	waitTimer(t, v)
	cancel()
	if <-done {
		t.Fatal("Sleep after cancel reported it slept")
	}
}

// waitTimer waits until Sleep has set its timer on v.
func waitTimer(t *testing.T, v *clock.Virtual) {
	t.Helper()
	if !testserver.Poll(5*time.Second, time.Millisecond, func() bool { return v.Pending() == 1 }) {
		t.Fatal("Sleep set no timer")
	}
}
