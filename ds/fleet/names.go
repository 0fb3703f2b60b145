package fleet

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The streams, buckets and subjects a fleet uses.
const (
	// StreamSyslog holds every parsed line, on SubjectSyslog.<partition>.<host>.
	StreamSyslog  = "DS_SYSLOG"
	SubjectSyslog = "ds.syslog"
	// StreamActions is the work queue of action intents, on
	// SubjectActions.<DS>.
	StreamActions  = "DS_ACTIONS"
	SubjectActions = "ds.actions"
	// BucketLeases holds the partition leases ("p.<n>"), the live
	// workers ("w.<id>") and the timers lease (LeaseTimers); its TTL is
	// the lease TTL.
	BucketLeases = "DS_LEASES"
	// LeaseTimers is the key of the timers lease: its holder is the one
	// worker that runs the periodic events and EEM timers.
	LeaseTimers = "timers"
	// BucketCheckpoints holds one Checkpoint per partition ("p.<n>").
	BucketCheckpoints = "DS_CHECKPOINTS"
	// BucketStats holds each worker's DS statistics ("<worker>"), summed
	// by the fleet view.
	BucketStats = "DS_STATS"
	// BucketDone holds the IDs of the intents whose run completed
	// (worker.DoneKey of the ID); its TTL is the de-duplication window.
	BucketDone = "DS_DONE"
)

// Defaults of a fleet.
const (
	DefaultPartitions = 16
	DefaultLeaseTTL   = 10 * time.Second
	DefaultCheckpoint = 5 * time.Second
	// DefaultDedup is the de-duplication window of both streams: it must
	// cover a lease TTL, a checkpoint interval and the replay window's
	// catch-up (docs/operations.md, Fleet).
	DefaultDedup = 2 * time.Minute
)

// partitionsPrefix starts the description of a DS_SYSLOG stream; the
// partition count follows it. JetStream 2.9 has no stream metadata.
const partitionsPrefix = "dsengine partitions="

// Partition is the partition of a device: FNV-1a of its lower-cased host
// name modulo n. It never changes for a host and a count.
func Partition(host string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(host)))
	return int(h.Sum32() % uint32(n))
}

// Subject is the subject of a line of host in partition p. The host is one
// subject token: the characters a token cannot hold become '_'.
func Subject(p int, host string) string {
	if host == "" {
		host = "_"
	}
	tok := strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, host)
	return SubjectSyslog + "." + strconv.Itoa(p) + "." + tok
}

// PartitionSubject is every subject of partition p.
func PartitionSubject(p int) string { return SubjectSyslog + "." + strconv.Itoa(p) + ".*" }

// StreamOptions size the streams.
type StreamOptions struct {
	Partitions int           // of DS_SYSLOG; fixed for its life
	Replicas   int           // 1, or 3 in a three-node cluster
	Dedup      time.Duration // both streams' de-duplication window
	MaxAge     time.Duration // how long DS_SYSLOG keeps lines; 0: 24 h
}

func (o StreamOptions) withDefaults() StreamOptions {
	if o.Partitions <= 0 {
		o.Partitions = DefaultPartitions
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Dedup <= 0 {
		o.Dedup = DefaultDedup
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 24 * time.Hour
	}
	return o
}

// EnsureStreams creates DS_SYSLOG and DS_ACTIONS when they are not there,
// and checks that an existing DS_SYSLOG has o.Partitions partitions:
// a different count would move devices between partitions and split their
// state, so it is refused.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, o StreamOptions) error {
	o = o.withDefaults()
	desc := partitionsPrefix + strconv.Itoa(o.Partitions)
	s, err := js.Stream(ctx, StreamSyslog)
	switch {
	case err == nil:
		info, err := s.Info(ctx)
		if err != nil {
			return fmt.Errorf("stream %s: %w", StreamSyslog, err)
		}
		n, err := StreamPartitions(info.Config.Description)
		if err != nil {
			return err
		}
		if n != o.Partitions {
			return fmt.Errorf("%w: stream %s has %d partitions and --partitions is %d; give --partitions %d (the count is fixed for the stream's life)", ErrRefused, StreamSyslog, n, o.Partitions, n)
		}
	case errors.Is(err, jetstream.ErrStreamNotFound):
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: StreamSyslog, Description: desc,
			Subjects: []string{SubjectSyslog + ".>"}, Replicas: o.Replicas, Duplicates: o.Dedup, MaxAge: o.MaxAge,
			Storage: jetstream.FileStorage, Retention: jetstream.LimitsPolicy})
		if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return fmt.Errorf("create stream %s: %w", StreamSyslog, err)
		}
	default:
		return fmt.Errorf("stream %s: %w", StreamSyslog, err)
	}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: StreamActions,
		Subjects: []string{SubjectActions + ".>"}, Replicas: o.Replicas, Duplicates: o.Dedup,
		Storage: jetstream.FileStorage, Retention: jetstream.WorkQueuePolicy})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", StreamActions, err)
	}
	return nil
}

// Partitions reads the partition count of the DS_SYSLOG stream.
func Partitions(ctx context.Context, js jetstream.JetStream) (int, error) {
	s, err := js.Stream(ctx, StreamSyslog)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w; start `dsengine relay --jetstream URL` first, it creates it", StreamSyslog, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", StreamSyslog, err)
	}
	return StreamPartitions(info.Config.Description)
}

// StreamPartitions reads the count from a DS_SYSLOG stream's description.
func StreamPartitions(desc string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(desc, partitionsPrefix))
	if !strings.HasPrefix(desc, partitionsPrefix) || err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: stream %s was not created by dsengine (description %q); delete it or use another server", ErrRefused, StreamSyslog, desc)
	}
	return n, nil
}

// Buckets are the fleet's key-value buckets.
type Buckets struct {
	Leases, Checkpoints, Stats jetstream.KeyValue
}

// EnsureBuckets creates or opens the buckets; ttl is the lease TTL.
func EnsureBuckets(ctx context.Context, js jetstream.JetStream, replicas int, ttl time.Duration) (Buckets, error) {
	if replicas <= 0 {
		replicas = 1
	}
	var b Buckets
	var err error
	if b.Leases, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: BucketLeases, TTL: ttl, Replicas: replicas}); err != nil {
		return b, fmt.Errorf("bucket %s: %w", BucketLeases, err)
	}
	if b.Checkpoints, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: BucketCheckpoints, Replicas: replicas}); err != nil {
		return b, fmt.Errorf("bucket %s: %w", BucketCheckpoints, err)
	}
	if b.Stats, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: BucketStats, TTL: 10 * ttl, Replicas: replicas}); err != nil {
		return b, fmt.Errorf("bucket %s: %w", BucketStats, err)
	}
	return b, nil
}

// EnsureDone creates or opens the bucket of completed intents; window is
// the de-duplication window (0: DefaultDedup).
func EnsureDone(ctx context.Context, js jetstream.JetStream, replicas int, window time.Duration) (jetstream.KeyValue, error) {
	if window <= 0 {
		window = DefaultDedup
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: BucketDone, TTL: window, Replicas: max(replicas, 1)})
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", BucketDone, err)
	}
	return kv, nil
}
