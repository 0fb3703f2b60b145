package fleet_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

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

	logs := &testserver.Buffer{}
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
	retried := func() bool { return strings.Contains(logs.String(), "fleet buckets: JetStream not ready, retrying") }
	if !testserver.Poll(30*time.Second, 10*time.Millisecond, func() bool { return retried() || len(done) > 0 }) || !retried() {
		t.Fatalf("no retry logged with the server down (Await returned: %v):\n%s", len(done) > 0, logs)
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
	logs := &testserver.Buffer{}
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
