package fleet_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
)

func TestEnsureStreamsChecksThePartitionCount(t *testing.T) {
	c := fleettest.Start(t, 1)
	_, js := c.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: 8}); err != nil {
		t.Fatal(err)
	}
	if err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: 8}); err != nil {
		t.Fatalf("same count again: %v", err)
	}
	err := fleet.EnsureStreams(ctx, js, fleet.StreamOptions{Partitions: 4})
	if err == nil || !strings.Contains(err.Error(), "refused: stream DS_SYSLOG has 8 partitions and --partitions is 4") {
		t.Fatalf("other count: %v", err)
	}
	if n, err := fleet.Partitions(ctx, js); n != 8 || err != nil {
		t.Fatalf("Partitions = %d, %v", n, err)
	}
	if _, err := fleet.EnsureBuckets(ctx, js, 1, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}
