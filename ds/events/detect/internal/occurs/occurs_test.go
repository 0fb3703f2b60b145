package occurs

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func TestWindow(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		period time.Duration
		times  []float64
		want   []bool
	}{
		{"once", 1, 0, []float64{0, 1}, []bool{true, true}},
		{"no period counts forever", 3, 0, []float64{0, 1000, 5000, 6000}, []bool{false, false, true, false}},
		{"closed boundary", 3, 60 * time.Second, []float64{0, 30, 60}, []bool{false, false, true}},
		{"just past the boundary", 3, 60 * time.Second, []float64{0, 30, 60.000000001}, []bool{false, false, false}},
		{"slides", 3, 60 * time.Second, []float64{0, 30, 61, 80}, []bool{false, false, false, true}},
		{"resets after firing", 2, 10 * time.Second, []float64{0, 1, 2, 3, 20}, []bool{false, true, false, true, false}},
		{"equal times", 3, time.Second, []float64{5, 5, 5}, []bool{false, false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := New(tc.n, tc.period)
			for i, s := range tc.times {
				if got := w.Add(at(s)); got != tc.want[i] {
					t.Errorf("Add(%vs) #%d = %v, want %v", s, i, got, tc.want[i])
				}
			}
		})
	}
}

func TestWindowLargeCountIsBounded(t *testing.T) {
	const n = 100_000
	w := New(n, time.Hour)
	fired := 0
	for i := range 2*n + 10 {
		if w.Add(t0.Add(time.Duration(i) * time.Millisecond)) {
			fired++
		}
		if len(w.ring) > ExactLimit+2 {
			t.Fatalf("ring grew to %d slots", len(w.ring))
		}
	}
	if fired != 2 {
		t.Errorf("fired %d times, want 2", fired)
	}
	// Occurrences spread over more than the period never fire.
	w = New(n, time.Minute)
	for i := range 3 * n {
		if w.Add(t0.Add(time.Duration(i) * time.Millisecond * 10)) {
			t.Fatalf("fired at occurrence %d with %d per minute", i, 6000)
		}
	}
}

func TestWindowExactMemory(t *testing.T) {
	w := New(5, time.Minute)
	for i := range 4 {
		w.Add(at(float64(i)))
	}
	if w.Len() != 4 || len(w.ring) > 5 {
		t.Errorf("len %d ring %d", w.Len(), len(w.ring))
	}
	if !w.Add(at(4)) || w.Len() != 0 {
		t.Errorf("fifth did not fire and reset")
	}
}
