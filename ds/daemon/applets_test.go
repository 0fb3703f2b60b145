package daemon

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

func mustConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := iosconfig.Parse("dsengine.conf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// blockingHost holds every `cli command` until released.
type blockingHost struct {
	started chan string
	release chan struct{}
	ran     atomic.Int64
	done    chan struct{} // a value after each run's command
	*applet.MemoryState
}

func (h *blockingHost) CLI(ctx context.Context, command string) (string, error) {
	h.started <- command
	<-h.release
	h.ran.Add(1)
	h.done <- struct{}{}
	return "", nil
}
func (h *blockingHost) Syslog(context.Context, int, string) error { return nil }
func (h *blockingHost) Mail(context.Context, applet.Mail) error   { return nil }
func (h *blockingHost) Reload(context.Context) error              { return nil }
func (h *blockingHost) OpenFile(context.Context, string, string) (applet.File, error) {
	return nil, errors.New("no files")
}
func (h *blockingHost) DeleteFile(context.Context, string) error { return errors.New("no files") }

// TestAppletTriggersQueueBounded: an event storm on an applet queues at
// most engine.DefaultQueueDepth runs behind the one running, and drops and
// counts the rest, instead of starting a goroutine per fire.
func TestAppletTriggersQueueBounded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := clock.NewVirtual(t0)
	hub := detect.NewHub(ctx, detect.Options{Clock: clk, Host: "edge-1"})
	defer hub.Close()
	host := &blockingHost{started: make(chan string, 1), release: make(chan struct{}), done: make(chan struct{}, 64),
		MemoryState: &applet.MemoryState{}}
	a := &applets{ctx: ctx, hub: hub, clock: clk, host: host, log: slog.New(slog.DiscardHandler)}
	a.load(mustConfig(t, "event manager applet STORM\n event none\n action 1.0 cli command \"show clock\"\n"))

	const fires = 40
	if _, err := hub.Run(AppletOwnerPrefix+"STORM", nil); err != nil {
		t.Fatal(err)
	}
	<-host.started // the first run holds the worker
	for range fires - 1 {
		if _, err := hub.Run(AppletOwnerPrefix+"STORM", nil); err != nil {
			t.Fatal(err)
		}
	}
	st := a.stats()
	if len(st) != 1 || st[0].Name != "STORM" {
		t.Fatalf("stats = %+v", st)
	}
	if want := int64(fires - 1 - engine.DefaultQueueDepth); st[0].Dropped != want {
		t.Errorf("dropped %d triggers, want %d", st[0].Dropped, want)
	}
	go func() {
		for range host.started {
		}
	}()
	close(host.release)
	timeout := time.After(10 * time.Second)
	for i := range 1 + engine.DefaultQueueDepth {
		select {
		case <-host.done:
		case <-timeout:
			t.Fatalf("%d of %d queued runs ran", i, 1+engine.DefaultQueueDepth)
		}
	}
	a.close()
	cancel()
	a.wait()
	if n := host.ran.Load(); n != 1+engine.DefaultQueueDepth {
		t.Errorf("%d runs, want %d", n, 1+engine.DefaultQueueDepth)
	}
	close(host.started)
}
