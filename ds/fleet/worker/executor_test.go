package worker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/ds/fleet/worker"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// execRig is a one-node server with the streams and the DS_DONE bucket.
type execRig struct {
	c    *fleettest.Cluster
	ctx  context.Context
	js   jetstream.JetStream
	done jetstream.KeyValue
}

func newExecRig(t *testing.T) *execRig {
	f := fleettest.StartFleet(t, 1, 1, time.Minute)
	done, err := fleet.EnsureDone(f.Ctx, f.JS, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return &execRig{c: f.Cluster, ctx: f.Ctx, js: f.JS, done: done}
}

func (x *execRig) publish(t *testing.T, id string) {
	in := fleet.Intent{ID: id, DS: "9001", Device: "dev1", Trigger: engine.Trigger{Time: time.Unix(0, 0)}}
	b, _ := in.Marshal()
	msg := &nats.Msg{Subject: fleet.IntentSubject(in.DS), Data: b, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, in.ID)
	if _, err := x.js.PublishMsg(x.ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// executor runs an executor on its own connection; kill closes the
// connection and stops it, as a kill -9 would: no ack, no more progress.
func (x *execRig) executor(t *testing.T, run func(context.Context, fleet.Intent) error) (ex *worker.Executor, kill func()) {
	nc, err := nats.Connect(x.c.URL())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithCancel(x.ctx)
	ex, err = worker.NewExecutor(ctx, worker.ExecutorOptions{JS: js, Done: x.done, Run: run, AckWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ex.Run(ctx)
	}()
	kill = func() { once.Do(func() { nc.Close(); cancel(); <-stopped }) }
	t.Cleanup(kill)
	return ex, kill
}

// TestExecutorKilledMidRun: an executor dies while an intent's run is in
// progress; the intent was not acked, so the other executor runs it.
func TestExecutorKilledMidRun(t *testing.T) {
	x := newExecRig(t)
	started := make(chan string, 1)
	_, kill := x.executor(t, func(ctx context.Context, in fleet.Intent) error {
		started <- in.ID
		<-ctx.Done() // a run that does not end before the kill
		return ctx.Err()
	})
	x.publish(t, "9001/dev1//7/0")
	if id := <-started; id != "9001/dev1//7/0" {
		t.Fatalf("started %s", id)
	}
	kill()

	ran := make(chan string, 4)
	b, _ := x.executor(t, func(_ context.Context, in fleet.Intent) error {
		ran <- in.ID
		return nil
	})
	if id := <-ran; id != "9001/dev1//7/0" {
		t.Fatalf("the survivor ran %s", id)
	}
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool { return b.Stats().Ran == 1 }) {
		t.Fatalf("stats %+v", b.Stats())
	}
	if _, err := x.done.Get(x.ctx, worker.DoneKey("9001/dev1//7/0")); err != nil {
		t.Errorf("the completed intent is not recorded: %v", err)
	}
	// Acked: the work queue is empty.
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		s, err := x.js.Stream(x.ctx, fleet.StreamActions)
		if err != nil {
			return false
		}
		info, err := s.Info(x.ctx)
		return err == nil && info.State.Msgs == 0
	}) {
		t.Errorf("the intent is still in %s", fleet.StreamActions)
	}
}

// TestExecutorSkipsACompletedIntent: an intent delivered again after its
// run completed (its ack was lost) is acked and not run again.
func TestExecutorSkipsACompletedIntent(t *testing.T) {
	x := newExecRig(t)
	if _, err := x.done.Put(x.ctx, worker.DoneKey("9001/dev1//8/0"), []byte("9001/dev1//8/0")); err != nil {
		t.Fatal(err)
	}
	ran := make(chan string, 4)
	ex, _ := x.executor(t, func(_ context.Context, in fleet.Intent) error {
		ran <- in.ID
		return nil
	})
	x.publish(t, "9001/dev1//8/0")
	x.publish(t, "9001/dev1//9/0")
	if id := <-ran; id != "9001/dev1//9/0" {
		t.Fatalf("ran %s, want only the intent not completed before", id)
	}
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		st := ex.Stats()
		return st.Already == 1 && st.Ran == 1
	}) {
		t.Fatalf("stats %+v, want one skipped and one run", ex.Stats())
	}
	select {
	case id := <-ran:
		t.Fatalf("%s ran again", id)
	default:
	}
}
