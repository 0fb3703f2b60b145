package worker_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/ds/fleet/relay"
	"github.com/dsengine/dsengine/ds/fleet/worker"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// rounds is how many lines each of the 1,000 devices sends, in rounds: 3
// under `make test`, more under `make bench` (-fleet.rounds).
var rounds = flag.Int("fleet.rounds", 3, "lines per device in the fleet tests' generated log")

const devices = 1000

// The DS of the fleet tests: every interface down fires; two
// configurations of one device within a minute fire once.
const (
	linkDown = `<DiagnosticSignature id="9001" revision="1.0"><Name>Down</Name>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/></Events>
  <Actions><Action type="message">down ${ds_syslog_1}</Action></Actions>
</DiagnosticSignature>`
	configTwice = `<DiagnosticSignature id="9002" revision="1.0"><Name>Twice</Name>
  <Events><Event type="syslog" pattern="%SYS-5-CONFIG_I: Configured" occurs="2" period="60s" group-by="host"/></Events>
  <Actions><Action type="message">configured twice</Action></Actions>
</DiagnosticSignature>`
)

func wants(t testing.TB, xmls ...string) []registry.Want {
	var out []registry.Want
	for _, x := range xmls {
		sig, err := parse.ParseSignature("t.xml", []byte(x))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, registry.Want{Sig: sig})
	}
	return out
}

// genLog is the generated multi-device log, 10ms of log time a line, and
// the triggers it must raise per DS/device.
func genLog(rounds int) (lines []input.Item, want map[string]int) {
	want = map[string]int{}
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	seq := 0
	add := func(dev int, body string) {
		at := t0.Add(time.Duration(seq) * 10 * time.Millisecond)
		seq++
		lines = append(lines, input.Item{Received: at, Input: "gen",
			Line: fmt.Appendf(nil, "<189>%d: dev%04d: %s UTC: %s", seq, dev, at.Format("Jan _2 15:04:05.000"), body)})
	}
	for r := range rounds {
		for d := range devices {
			switch {
			case d%3 >= r%3 || r >= 3:
				add(d, fmt.Sprintf("%%LINK-3-UPDOWN: Interface Gi0/%d, changed state to down", r))
				want[fmt.Sprintf("9001/dev%04d", d)]++
			default:
				add(d, fmt.Sprintf("%%LINK-3-UPDOWN: Interface Gi0/%d, changed state to up", r))
			}
			// Odd devices are configured in rounds 0 and 1: one pair.
			if d%2 == 1 && r < 2 {
				add(d, "%SYS-5-CONFIG_I: Configured from console by vty0")
				if r == 1 {
					want[fmt.Sprintf("9002/dev%04d", d)]++
				}
			}
		}
	}
	return lines, want
}

// tally is the test's executor: it counts each intent it runs.
type tally struct {
	mu    sync.Mutex
	byID  map[string]int
	byKey map[string]int // DS/device
	n     int
}

func newTally() *tally { return &tally{byID: map[string]int{}, byKey: map[string]int{}} }

func (x *tally) run(_ context.Context, in fleet.Intent) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byID[in.ID]++
	x.byKey[in.DS+"/"+in.Device]++
	x.n++
	return nil
}

func (x *tally) count() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.n
}

// check fails unless every expected trigger ran exactly once.
func (x *tally) check(t testing.TB, want map[string]int) {
	t.Helper()
	x.mu.Lock()
	defer x.mu.Unlock()
	var bad []string
	for id, n := range x.byID {
		if n != 1 {
			bad = append(bad, fmt.Sprintf("intent %s ran %d times", id, n))
		}
	}
	for k, n := range want {
		if x.byKey[k] != n {
			bad = append(bad, fmt.Sprintf("%s: %d triggers, want %d", k, x.byKey[k], n))
		}
	}
	for k, n := range x.byKey {
		if want[k] == 0 {
			bad = append(bad, fmt.Sprintf("%s: %d unexpected triggers", k, n))
		}
	}
	slices.Sort(bad)
	if len(bad) > 0 {
		t.Fatalf("%d problems, first: %s", len(bad), strings.Join(bad[:min(len(bad), 10)], "; "))
	}
}

func total(want map[string]int) int {
	n := 0
	for _, v := range want {
		n += v
	}
	return n
}

// rig is a cluster, its streams and buckets, a relay fed by a queue, and
// an executor counting intents.
type rig struct {
	c     *fleettest.Cluster
	js    jetstream.JetStream
	b     fleet.Buckets
	q     *input.Queue
	relay *relay.Relay
	tally *tally
	ctx   context.Context
	subs  []*subWorker
	ttl   time.Duration // the leases' TTL
}

const (
	testTTL        = 2 * time.Second
	testCheckpoint = 300 * time.Millisecond
	testPartitions = 12
)

func newRig(t testing.TB, nodes int) *rig { return newRigTTL(t, nodes, testTTL) }

// newRigTTL is newRig with leases that live ttl; its workers renew them at
// that pace.
func newRigTTL(t testing.TB, nodes int, ttl time.Duration) *rig {
	f := fleettest.StartFleet(t, nodes, testPartitions, ttl)
	c, ctx, js, b := f.Cluster, f.Ctx, f.JS, f.Buckets
	ctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	rc, err := relay.Connect(c.URL(), "relay")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.Close)
	rjs, _ := jetstream.New(rc)
	r, err := relay.New(relay.Options{JS: rjs, Partitions: testPartitions, SpoolDir: t.TempDir(), Retry: 100 * time.Millisecond, AckWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rg := &rig{c: c, js: js, b: b, q: input.NewQueue(1<<16, 0), relay: r, tally: newTally(), ctx: ctx, ttl: ttl}
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	t.Cleanup(cancel)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := r.Run(ctx, rg.q); err != nil {
			t.Error(err)
		}
	}()
	done, err := fleet.EnsureDone(ctx, js, c.Replicas(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := worker.NewExecutor(ctx, worker.ExecutorOptions{JS: js, Done: done, Run: rg.tally.run, AckWait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		ex.Run(ctx)
	}()
	return rg
}

func (rg *rig) feed(t testing.TB, lines []input.Item) {
	for _, it := range lines {
		if !rg.q.OfferWait(rg.ctx, it, 5*time.Second) {
			t.Errorf("relay queue full")
			return
		}
	}
}

// startWorker runs a worker in the test process until the test ends.
func (rg *rig) startWorker(t testing.TB, id string) *worker.Worker {
	nc, err := nats.Connect(rg.c.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	w, err := worker.New(rg.ctx, worker.Options{JS: js, Buckets: rg.b, ID: id, LeaseTTL: rg.ttl, Checkpoint: testCheckpoint, AckWait: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.SetSignatures(wants(t, linkDown, configTwice))
	ctx, cancel := context.WithCancel(rg.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

// leases is the owner of each partition's lease.
func (rg *rig) leases() map[int]string {
	out := map[int]string{}
	ctx, cancel := context.WithTimeout(rg.ctx, 2*time.Second)
	defer cancel()
	for n := range testPartitions {
		e, err := rg.b.Leases.Get(ctx, fmt.Sprintf("p.%d", n))
		if err == nil {
			out[n] = string(e.Value())
		}
	}
	return out
}

func (rg *rig) waitAll(t testing.TB, want map[string]int, what string) {
	t.Helper()
	n := total(want)
	if !testserver.Poll(120*time.Second, 50*time.Millisecond, func() bool { return rg.tally.count() >= n }) {
		t.Errorf("%s: %d of %d triggers ran; relay %v; leases %v", what, rg.tally.count(), n, rg.relay.Stats(), rg.leases())
		rg.diagnose(t, want)
		rg.dumpWorkers(t)
	}
	rg.tally.check(t, want)
}

// dumpWorkers logs each worker's output, its goroutines too: a worker that
// stopped taking partitions shows where it waits, one that exited why.
func (rg *rig) dumpWorkers(t testing.TB) {
	for _, s := range rg.subs {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Signal(syscall.SIGQUIT)
			_ = s.cmd.Wait()
		}
		t.Errorf("worker %s (%v):\n%s", s.id, s.cmd.ProcessState, s.out)
	}
}

// diagnose logs where the missing triggers are: their devices' partitions,
// each partition's checkpoint and consumers, and the intents not yet run.
func (rg *rig) diagnose(t testing.TB, want map[string]int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rg.tally.mu.Lock()
	missing := map[int][]string{}
	for k, n := range want {
		if rg.tally.byKey[k] < n {
			dev := k[strings.IndexByte(k, '/')+1:]
			p := fleet.Partition(dev, testPartitions)
			missing[p] = append(missing[p], fmt.Sprintf("%s:%d/%d", k, rg.tally.byKey[k], n))
		}
	}
	rg.tally.mu.Unlock()
	s, err := rg.js.Stream(ctx, fleet.StreamSyslog)
	if err != nil {
		t.Logf("stream %s: %v", fleet.StreamSyslog, err)
		return
	}
	for p := range testPartitions {
		line := fmt.Sprintf("partition %d: %d missing %v", p, len(missing[p]), missing[p][:min(len(missing[p]), 5)])
		if e, err := rg.b.Checkpoints.Get(ctx, fmt.Sprintf("p.%d", p)); err == nil {
			line += "; checkpoint " + string(e.Value())
		} else {
			line += fmt.Sprintf("; checkpoint: %v", err)
		}
		names := s.ConsumerNames(ctx)
		for name := range names.Name() {
			if !strings.HasPrefix(name, fmt.Sprintf("ds-part-%d-", p)) {
				continue
			}
			c, err := s.Consumer(ctx, name)
			if err != nil {
				line += fmt.Sprintf("; %s: %v", name, err)
				continue
			}
			info, err := c.Info(ctx)
			if err != nil {
				line += fmt.Sprintf("; %s: %v", name, err)
				continue
			}
			line += fmt.Sprintf("; %s pending %d ack-pending %d delivered %d acked %d", name, info.NumPending, info.NumAckPending,
				info.Delivered.Stream, info.AckFloor.Stream)
		}
		t.Log(line)
	}
	if a, err := rg.js.Stream(ctx, fleet.StreamActions); err == nil {
		if info, err := a.Info(ctx); err == nil {
			t.Logf("%s: %d intents stored, sequences %d-%d", fleet.StreamActions, info.State.Msgs, info.State.FirstSeq, info.State.LastSeq)
		}
		if c, err := a.Consumer(ctx, worker.ExecutorDurable); err == nil {
			if info, err := c.Info(ctx); err == nil {
				t.Logf("executors: pending %d, ack-pending %d, redelivered %d", info.NumPending, info.NumAckPending, info.NumRedelivered)
			}
		}
	}
}

// TestThreeWorkersEveryTriggerOnce: a relay and three workers on a
// three-node cluster; the 1,000-device log's triggers each run once, and
// the partitions are shared out.
func TestThreeWorkersEveryTriggerOnce(t *testing.T) {
	// Steady state is this test's subject, takeovers TestKillWorkerMidBurst's:
	// leases of the default 10 s do not lapse on a loaded machine.
	rg := newRigTTL(t, 3, fleet.DefaultLeaseTTL)
	var ws []*worker.Worker
	for i := range 3 {
		ws = append(ws, rg.startWorker(t, fmt.Sprintf("w%d", i+1)))
	}
	if !testserver.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		for _, w := range ws {
			if len(w.Owned()) != testPartitions/3 {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("partitions not shared 4/4/4: %v %v %v", ws[0].Owned(), ws[1].Owned(), ws[2].Owned())
	}
	lines, want := genLog(*rounds)
	rg.feed(t, lines)
	rg.waitAll(t, want, "three workers")
}

func TestMain(m *testing.M) {
	if url := os.Getenv("DSFLEET_WORKER"); url != "" {
		os.Exit(workerMain(url, os.Getenv("DSFLEET_ID")))
	}
	if url := os.Getenv("DSFLEET_TIMERS"); url != "" {
		os.Exit(timersMain(url, os.Getenv("DSFLEET_ID")))
	}
	os.Exit(m.Run())
}

// workerMain is a worker in a subprocess of the test binary, so that the
// test can kill it with SIGKILL.
func workerMain(url, id string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	level := slog.LevelInfo
	if os.Getenv("DSFLEET_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		log.Error("connect", "err", err)
		return 1
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	// As the daemon does (runFleet): three workers starting at once on a
	// loaded machine may find JetStream slow to answer.
	var b fleet.Buckets
	var w *worker.Worker
	if err := fleet.Await(ctx, log, "worker", func(ctx context.Context) (err error) {
		if b, err = fleet.EnsureBuckets(ctx, js, 3, testTTL); err != nil {
			return err
		}
		w, err = worker.New(ctx, worker.Options{JS: js, Buckets: b, ID: id, LeaseTTL: testTTL, Checkpoint: testCheckpoint, AckWait: 3 * time.Second, Log: log})
		return err
	}); err != nil {
		log.Error("worker", "err", err)
		return 1
	}
	var sigs []registry.Want
	xmls := []string{linkDown, configTwice}
	if os.Getenv("DSFLEET_DS") != "" {
		xmls = manyDS(1000)
	}
	for _, x := range xmls {
		sig, err := parse.ParseSignature("t.xml", []byte(x))
		if err != nil {
			log.Error("ds", "err", err)
			return 1
		}
		sigs = append(sigs, registry.Want{Sig: sig})
	}
	w.SetSignatures(sigs)
	if err := w.Run(ctx); err != nil {
		log.Error("run", "err", err)
		return 1
	}
	return 0
}

// subWorker is a worker subprocess.
type subWorker struct {
	id  string
	cmd *exec.Cmd
	out *syncWriter
}

func (rg *rig) spawn(t testing.TB, id string, env ...string) *subWorker {
	s := spawnProcess(t, id, append([]string{"DSFLEET_WORKER=" + rg.c.URL()}, env...)...)
	rg.subs = append(rg.subs, s)
	return s
}

// spawnProcess starts the test binary as a subprocess (TestMain picks its
// role from env), its output kept; it is interrupted when the test ends.
func spawnProcess(t testing.TB, id string, env ...string) *subWorker {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "DSFLEET_ID="+id), env...)
	out := &strings.Builder{}
	w := &syncWriter{b: out}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGINT)
			_ = cmd.Wait()
		}
	})
	return &subWorker{id: id, cmd: cmd, out: w}
}

type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func owners(l map[int]string) map[string]int {
	out := map[string]int{}
	for _, o := range l {
		out[o]++
	}
	return out
}

// TestKillWorkerMidBurst: three worker processes; one is killed with
// SIGKILL in the middle of the log. Its partitions move to the other two
// once its leases expire, every trigger still runs once; restarted, it
// gets its share back. Then a nats-server node is killed: nothing is
// lost and the workers carry on.
func TestKillWorkerMidBurst(t *testing.T) {
	rg := newRig(t, 3)
	var subs []*subWorker
	for i := range 3 {
		subs = append(subs, rg.spawn(t, fmt.Sprintf("w%d", i+1)))
	}
	if !testserver.Poll(60*time.Second, 50*time.Millisecond, func() bool {
		o := owners(rg.leases())
		return o["w1"] == 4 && o["w2"] == 4 && o["w3"] == 4
	}) {
		rg.dumpWorkers(t)
		t.Fatalf("partitions not shared: %v", rg.leases())
	}
	lines, want := genLog(*rounds)
	half := len(lines) / 2
	rg.feed(t, lines[:half])
	// Mid-burst: some triggers ran, the rest of the log is on its way.
	if !testserver.Poll(60*time.Second, 10*time.Millisecond, func() bool { return rg.tally.count() > total(want)/10 }) {
		t.Fatalf("no triggers before the kill: %d", rg.tally.count())
	}
	go rg.feed(t, lines[half:])
	killed := time.Now()
	_ = subs[0].cmd.Process.Kill()
	_ = subs[0].cmd.Wait()
	if !testserver.Poll(60*time.Second, 20*time.Millisecond, func() bool {
		o := owners(rg.leases())
		return o["w1"] == 0 && o["w2"] == 6 && o["w3"] == 6
	}) {
		rg.dumpWorkers(t)
		t.Fatalf("w1's partitions did not move: %v", rg.leases())
	}
	t.Logf("w1's partitions moved %s after the kill (lease TTL %s)", time.Since(killed).Round(10*time.Millisecond), testTTL)
	rg.waitAll(t, want, "after the kill")

	// Restarted, it gets its share back.
	subs[0] = rg.spawn(t, "w1")
	if !testserver.Poll(60*time.Second, 50*time.Millisecond, func() bool {
		o := owners(rg.leases())
		return o["w1"] == 4 && o["w2"] == 4 && o["w3"] == 4
	}) {
		rg.dumpWorkers(t)
		t.Fatalf("no rebalance after the restart: %v", rg.leases())
	}

	// A node dies: the relay's acks and the workers carry on.
	rg.c.Nodes[2].Kill()
	more, want2 := genLogFrom(*rounds, want)
	rg.feed(t, more)
	rg.waitAll(t, want2, "after a node died")
	if st := rg.relay.Stats(); st.Received != st.Published || st.Dropped != 0 {
		t.Fatalf("relay lost lines: %v", st)
	}
}

// genLogFrom is another run of the log, an hour later, its triggers added
// to want.
func genLogFrom(rounds int, want map[string]int) ([]input.Item, map[string]int) {
	lines, w := genLog(rounds)
	all := map[string]int{}
	for k, v := range want {
		all[k] += v
	}
	for i := range lines {
		lines[i].Received = lines[i].Received.Add(time.Hour)
		lines[i].Line = []byte(strings.Replace(string(lines[i].Line), " 10:", " 11:", 1))
	}
	for k, v := range w {
		all[k] += v
	}
	return lines, all
}
