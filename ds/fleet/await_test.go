package fleet_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// logLines is a log destination that tells when a line arrives.
type logLines struct {
	mu   sync.Mutex
	b    bytes.Buffer
	line chan struct{}
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.line <- struct{}{}:
	default:
	}
	return l.b.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAwaitWaitsForJetStream: a worker starting while its nats-server is
// down waits, says so, and creates its buckets once the server is back.
func TestAwaitWaitsForJetStream(t *testing.T) {
	c := fleettest.Start(t, 1)
	nc, err := nats.Connect(c.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	c.Nodes[0].Stop()

	logs := &logLines{line: make(chan struct{}, 1)}
	log := slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- fleet.Await(ctx, log, "fleet buckets", func(ctx context.Context) error {
			// Each try bounded, as a JetStream request is by default.
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			_, err := fleet.EnsureBuckets(ctx, js, 1, 2*time.Second)
			return err
		})
	}()
	select {
	case <-logs.line:
	case err := <-done:
		t.Fatalf("Await returned %v with the server down", err)
	case <-ctx.Done():
		t.Fatal("no retry logged with the server down")
	}
	if !strings.Contains(logs.String(), "fleet buckets: JetStream not ready, retrying") {
		t.Fatalf("log: %s", logs)
	}
	c.Nodes[0].Restart()
	if err := <-done; err != nil {
		t.Fatalf("Await after the restart: %v\n%s", err, logs)
	}
	if _, err := js.KeyValue(ctx, fleet.BucketLeases); err != nil {
		t.Fatalf("bucket %s: %v", fleet.BucketLeases, err)
	}
}

// TestAwaitGivesUp: a refusal is returned at once, and a context that ends
// ends the wait with the last error.
func TestAwaitGivesUp(t *testing.T) {
	c := fleettest.Start(t, 1)
	_, js := c.Connect(t)
	ctx := context.Background()
	if err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: 8}); err != nil {
		t.Fatal(err)
	}
	logs := &logLines{line: make(chan struct{}, 1)}
	log := slog.New(slog.NewTextHandler(logs, nil))
	tries := 0
	err := fleet.Await(ctx, log, "relay streams", func(ctx context.Context) error {
		tries++
		return fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: 4})
	})
	if !errors.Is(err, fleet.ErrRefused) || tries != 1 || logs.String() != "" {
		t.Fatalf("refused: err %v after %d tries; log %q", err, tries, logs)
	}

	ctx, cancel := context.WithCancel(ctx)
	busy := errors.New("JetStream system temporarily unavailable")
	err = fleet.Await(ctx, log, "fleet buckets", func(context.Context) error {
		cancel() // the daemon stops during the first try
		return busy
	})
	if !errors.Is(err, busy) || !strings.HasPrefix(err.Error(), "fleet buckets: ") {
		t.Fatalf("cancelled: %v", err)
	}
}
