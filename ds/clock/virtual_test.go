package clock

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestVirtualRunsTimersInOrder(t *testing.T) {
	v := NewVirtual(t0)
	var ran []string
	v.AfterFunc(3*time.Second, func() { ran = append(ran, "c@"+v.Now().Sub(t0).String()) })
	v.AfterFunc(1*time.Second, func() {
		ran = append(ran, "a@"+v.Now().Sub(t0).String())
		// A timer started by a timer runs in the same move when due.
		v.AfterFunc(time.Second, func() { ran = append(ran, "b@"+v.Now().Sub(t0).String()) })
	})
	stopped := v.AfterFunc(2500*time.Millisecond, func() { ran = append(ran, "never") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop must report true once, then false")
	}
	v.Advance(10 * time.Second)
	want := []string{"a@1s", "b@2s", "c@3s"}
	if !reflect.DeepEqual(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
	if got := v.Now(); !got.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("Now = %v", got)
	}
	if v.Pending() != 0 {
		t.Errorf("%d timers left", v.Pending())
	}
}

func TestVirtualNeverGoesBack(t *testing.T) {
	v := NewVirtual(t0)
	v.Set(t0.Add(time.Hour))
	v.Set(t0)
	if !v.Now().Equal(t0.Add(time.Hour)) {
		t.Errorf("clock went back to %v", v.Now())
	}
	fired := false
	v.AfterFunc(0, func() { fired = true })
	v.Set(t0) // an earlier time still runs what is due now
	if !fired {
		t.Error("a timer due now did not run")
	}
}
