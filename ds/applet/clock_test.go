package applet

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
)

type outcome struct {
	res Result
	err error
}

// start runs a in its own goroutine on the virtual clock v and waits until
// it has armed n timers (maxrun, plus one for a wait).
func start(t *testing.T, ctx context.Context, a *config.Applet, env Env, h Host, v *clock.Virtual, n int) <-chan outcome {
	t.Helper()
	env.Clock = v
	done := make(chan outcome, 1)
	go func() {
		res, err := Run(ctx, a, env, h)
		done <- outcome{res, err}
	}()
	for v.Pending() < n {
		select {
		case o := <-done:
			t.Fatalf("run ended before arming %d timers: %v", n, o.err)
		default:
			runtime.Gosched()
		}
	}
	return done
}

func TestWaitOnVirtualClock(t *testing.T) {
	v := clock.NewVirtual(epoch)
	h := newHost()
	a := parseApplet(t, `puts "before"`, `wait 5`, `cli command "show clock"`)
	done := start(t, context.Background(), a, Env{}, h, v, 2)
	v.Advance(4 * time.Second)
	select {
	case o := <-done:
		t.Fatalf("run ended after 4s of a 5s wait: %+v", o)
	default:
	}
	if len(h.Calls()) != 0 {
		t.Fatalf("cli ran during the wait: %q", h.Calls())
	}
	v.Advance(time.Second)
	o := <-done
	if o.err != nil || o.res.Output != "before\n" || len(h.Calls()) != 1 {
		t.Fatalf("after the wait: %+v, calls %q", o, h.Calls())
	}
	if v.Pending() != 0 {
		t.Errorf("%d timers left pending", v.Pending())
	}
}

func TestWaitZeroAndBad(t *testing.T) {
	runAll(t, []runCase{
		{name: "zero", lines: []string{`wait 0`, `puts "x"`}, out: "x\n"},
		{name: "negative", lines: []string{`wait -1`}, err: `wait "-1": expected 0 to`},
		{name: "not a number", lines: []string{`wait soon`}, err: `wait "soon"`},
	})
}

func TestMaxRunEndsWait(t *testing.T) {
	v := clock.NewVirtual(epoch)
	a := parseApplet(t, `wait 30`, `puts "never"`)
	done := start(t, context.Background(), a, Env{}, newHost(), v, 2)
	v.Advance(config.DefaultMaxRun)
	o := <-done
	if !errors.Is(o.err, ErrMaxRun) || o.res.Output != "" {
		t.Fatalf("got %+v; want ErrMaxRun", o)
	}
	var e *Error
	if !errors.As(o.err, &e) || e.Label != "0001" || e.Verb != "wait" {
		t.Errorf("error does not name the wait: %v", o.err)
	}
}

func TestMaxRunStopsInfiniteLoop(t *testing.T) {
	v := clock.NewVirtual(epoch)
	a := parseApplet(t, `set i 0`, `while 1 eq 1`, `increment i`, `cli command "show clock"`, `end`)
	a.MaxRun = 45 * time.Second
	h := newHost()
	done := start(t, context.Background(), a, Env{Limits: Limits{MaxSteps: -1}}, h, v, 1)
	// The loop is running before virtual time moves (the maxrun timer is
	// armed before the first action).
	deadline := time.Now().Add(10 * time.Second)
	for len(h.Calls()) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the loop did not start")
		}
		runtime.Gosched()
	}
	v.Advance(44 * time.Second)
	select {
	case o := <-done:
		t.Fatalf("ended before maxrun: %v", o.err)
	default:
	}
	v.Advance(time.Second)
	o := <-done
	if !errors.Is(o.err, ErrMaxRun) {
		t.Fatalf("got %v; want ErrMaxRun", o.err)
	}
	if o.res.Vars["i"] == "" || o.res.Vars["i"] == "0" {
		t.Errorf("the loop did not run: i = %q", o.res.Vars["i"])
	}
	t.Logf("%v after %s iterations", o.err, o.res.Vars["i"])
}

func TestMaxRunOnTheWallClock(t *testing.T) {
	a := parseApplet(t, `while 1 eq 1`, `end`)
	a.MaxRun = 20 * time.Millisecond
	_, err := Run(context.Background(), a, Env{Limits: Limits{MaxSteps: -1}}, newHost())
	if !errors.Is(err, ErrMaxRun) {
		t.Fatalf("got %v; want ErrMaxRun", err)
	}
}

func TestMaxStepsStopsInfiniteLoop(t *testing.T) {
	a := parseApplet(t, `while 1 eq 1`, `end`)
	_, err := Run(context.Background(), a, Env{Clock: clock.NewVirtual(epoch), Limits: Limits{MaxSteps: 1000}}, newHost())
	if !errors.Is(err, ErrMaxSteps) {
		t.Fatalf("got %v; want ErrMaxSteps", err)
	}
}

func TestCancelledContext(t *testing.T) {
	v := clock.NewVirtual(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	a := parseApplet(t, `wait 5`)
	done := start(t, ctx, a, Env{}, newHost(), v, 2)
	cancel()
	o := <-done
	if !errors.Is(o.err, context.Canceled) {
		t.Fatalf("got %v; want context.Canceled", o.err)
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	// append doubling a value stops at MaxValue.
	a := parseApplet(t, `set x "ab"`, `while 1 eq 1`, `append x "$x"`, `end`)
	_, err := Run(ctx, a, Env{Limits: Limits{MaxValue: 1 << 10}}, newHost())
	if err == nil || !errorsContain(err, "longer than 1024 bytes") {
		t.Errorf("append: %v", err)
	}
	a = parseApplet(t, `while 1 eq 1`, `puts "0123456789"`, `end`)
	res, err := Run(ctx, a, Env{Limits: Limits{MaxOutput: 100}}, newHost())
	if err == nil || !errorsContain(err, "output would exceed 100 bytes") || len(res.Output) > 100 {
		t.Errorf("puts: %v (%d bytes)", err, len(res.Output))
	}
}

func errorsContain(err error, s string) bool {
	return err != nil && contains(err.Error(), s)
}
