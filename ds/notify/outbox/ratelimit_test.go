package outbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// restart is one start of the call-home stages on the store under root:
// a new store, outbox (started) and rate limiter of limit per minute.
type restart struct {
	o  *Outbox
	rl *RateLimiter
}

func startStages(t *testing.T, root string, clk *clock.Virtual, limit int) restart {
	t.Helper()
	store := openStore(t, root, clk)
	o := newOutbox(t, store, clk, &fake{name: transport.NameHTTP})
	o.Start()
	rl, err := NewRateLimiter(limit, clk, o.Stats(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(); store.Close() })
	return restart{o, rl}
}

func (r restart) stop() { r.o.Close(); r.o.store.(interface{ Close() error }).Close() }

func (r restart) send() error {
	return r.rl.Enqueue(context.Background(), dsMessage(httpTo("https://c.example.com/")))
}

// TestRateLimitSurvivesARestart: issue 13, 12 restarts admitted 720
// messages in 37 s at rate-limit 60. The admissions of the last minute are
// kept beside the outbox, which no longer holds the messages once they are
// delivered.
func TestRateLimitSurvivesARestart(t *testing.T) {
	clk := clock.NewVirtual(t0)
	root := t.TempDir()
	first := startStages(t, root, clk, 3)
	for range 3 {
		if err := first.send(); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	waitFor(t, "delivery", func() bool { return first.o.Stats().Snapshot().Success[TypeDS].HTTP == 3 })
	first.stop()

	// Restarted within the minute: the window is full.
	second := startStages(t, root, clk, 3)
	if err := second.send(); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("after a restart: %v", err)
	}
	if n := second.o.Stats().Snapshot().RatelimitDropped[TypeDS].HTTP; n != 1 {
		t.Errorf("ratelimit-dropped %d", n)
	}
	second.stop()

	// A minute after the first admission, one place is free again, and
	// what this start admits counts at the next.
	clk.Set(t0.Add(time.Minute))
	third := startStages(t, root, clk, 3)
	if err := third.send(); err != nil {
		t.Errorf("a minute later: %v", err)
	}
	third.stop()
	fourth := startStages(t, root, clk, 3)
	if err := fourth.send(); !errors.Is(err, ErrRateLimited) {
		t.Errorf("after the next restart: %v", err)
	}
	// Once the minute has passed for every admission, all pass.
	clk.Set(t0.Add(2 * time.Minute))
	for i := range 3 {
		if err := fourth.send(); err != nil {
			t.Errorf("message %d two minutes later: %v", i, err)
		}
	}
	if err := fourth.send(); !errors.Is(err, ErrRateLimited) {
		t.Errorf("the fourth two minutes later: %v", err)
	}
}

// TestRateLimitAfterTheClockWentBack: admissions stamped later than the
// clock at the start (the clock was set back) count as made at the start,
// so they hold for one minute, not until the clock catches up.
func TestRateLimitAfterTheClockWentBack(t *testing.T) {
	root := t.TempDir()
	later := clock.NewVirtual(t0.Add(time.Hour))
	first := startStages(t, root, later, 1)
	if err := first.send(); err != nil {
		t.Fatal(err)
	}
	first.stop()
	clk := clock.NewVirtual(t0)
	second := startStages(t, root, clk, 1)
	if err := second.send(); !errors.Is(err, ErrRateLimited) {
		t.Errorf("after the restart: %v", err)
	}
	clk.Advance(time.Minute)
	if err := second.send(); err != nil {
		t.Errorf("a minute later: %v", err)
	}
}

// TestUnreadableRateLimitFile: a damaged ratelimit.json is reported, the
// limit starts from an empty minute, and the next admission replaces it.
func TestUnreadableRateLimitFile(t *testing.T) {
	clk := clock.NewVirtual(t0)
	root := t.TempDir()
	store := openStore(t, root, clk)
	if err := store.RateLimitPut([]byte("{not json")); err != nil {
		t.Fatal(err)
	}
	store.Close()
	first := startStages(t, root, clk, 1)
	if w := first.o.Warnings(); len(w) != 1 || !strings.Contains(w[0], "ratelimit.json: unreadable") {
		t.Errorf("warnings %q", w)
	}
	if err := first.send(); err != nil {
		t.Fatal(err)
	}
	first.stop()
	second := startStages(t, root, clk, 1)
	if w := second.o.Warnings(); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if err := second.send(); !errors.Is(err, ErrRateLimited) {
		t.Errorf("after the restart: %v", err)
	}
}
