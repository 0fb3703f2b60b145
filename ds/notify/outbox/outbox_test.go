package outbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// openStore opens a bootflash store under root on clk.
func openStore(t testing.TB, root string, clk ds.Clock) *bootflash.Store {
	t.Helper()
	s, err := bootflash.Open(root, bootflash.Options{
		Check: func(id string, xml, asc []byte) (*ds.Signature, error) {
			return nil, errors.New("no DS files in outbox tests")
		},
		Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fake is a transport that records what it is asked to send and answers
// from a script.
type fake struct {
	name string
	mu   sync.Mutex
	sent []transport.Envelope
	// answer, if set, decides each send's result.
	answer func(n int, env transport.Envelope) error
}

func (f *fake) Name() string { return f.name }

func (f *fake) Send(ctx context.Context, env transport.Envelope) error {
	f.mu.Lock()
	f.sent = append(f.sent, env)
	n := len(f.sent)
	answer := f.answer
	f.mu.Unlock()
	if answer != nil {
		return answer(n, env)
	}
	return nil
}

func (f *fake) sends() []transport.Envelope {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]transport.Envelope(nil), f.sent...)
}

// waitFor polls cond for up to 10 s (the workers are real goroutines even
// when the clock is virtual).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func newOutbox(t testing.TB, store Store, clk ds.Clock, trs ...transport.Transport) *Outbox {
	t.Helper()
	return newOutboxWith(t, store, Options{Transports: trs, Clock: clk})
}

// newOutboxWith is newOutbox with more options; the jitter is pinned at
// its middle.
func newOutboxWith(t testing.TB, store Store, opts Options) *Outbox {
	t.Helper()
	opts.Rand = func() float64 { return 0.5 }
	o, err := New(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func dsMessage(to map[string][]string) Message {
	return Message{
		Type: TypeDS, Subject: "DS 6030", ContentType: transport.ContentTypeXML,
		Body: []byte("<CallHome>6030</CallHome>\n"), To: to,
	}
}

func httpTo(urls ...string) map[string][]string { return map[string][]string{transport.NameHTTP: urls} }

func TestMessageIsOnDiskBeforeTheSend(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	var onDisk []string
	f := &fake{name: transport.NameHTTP}
	f.answer = func(_ int, env transport.Envelope) error {
		names, err := store.OutboxList()
		if err != nil {
			return err
		}
		onDisk = names
		return nil
	}
	o := newOutbox(t, store, clk, f)
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo("https://collector.example.com/ch"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery", func() bool { return o.Stats().Snapshot().Success[TypeDS].HTTP == 1 })
	sent := f.sends()
	if len(onDisk) != 1 || onDisk[0] != sent[0].ID+".http" {
		t.Errorf("outbox during the send: %v, sent id %s", onDisk, sent[0].ID)
	}
	if names, _ := store.OutboxList(); len(names) != 0 {
		t.Errorf("outbox after the send: %v", names)
	}
	env := sent[0]
	if string(env.Body) != "<CallHome>6030</CallHome>\n" || env.Subject != "DS 6030" ||
		env.ContentType != transport.ContentTypeXML || !env.Time.Equal(t0) {
		t.Errorf("envelope %+v", env)
	}
	st := o.Stats().Snapshot()
	if st.InQueue.Total().Total() != 0 || !st.LastSent.Equal(t0) {
		t.Errorf("stats %+v", st)
	}
}

func TestCrashBeforeSendingIsSentOnceAfterRestart(t *testing.T) {
	root := t.TempDir()
	clk := clock.NewVirtual(t0)
	f := &fake{name: transport.NameHTTP}

	// First life: the message is enqueued, then the process "crashes"
	// before any worker runs.
	store := openStore(t, root, clk)
	o := newOutbox(t, store, clk, f)
	msg := dsMessage(httpTo("https://collector.example.com/ch"))
	if err := o.Enqueue(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if st := o.Stats().Snapshot(); st.InQueue[TypeDS].HTTP != 1 {
		t.Errorf("in queue: %+v", st.InQueue)
	}
	o.Close()
	store.Close()
	if n := len(f.sends()); n != 0 {
		t.Fatalf("%d sends before the crash", n)
	}

	// Second life: the message is found and sent once.
	store = openStore(t, root, clk)
	o = newOutbox(t, store, clk, f)
	if o.Len() != 1 || o.Stats().Snapshot().InQueue[TypeDS].HTTP != 1 {
		t.Fatalf("after restart: %d in the outbox", o.Len())
	}
	o.Start()
	waitFor(t, "delivery", func() bool { return o.Stats().Snapshot().Success[TypeDS].HTTP == 1 })
	o.Close()
	store.Close()

	// Third life: its removal was durable, so it is not sent again. New
	// takes over what the store holds before it returns, and one worker
	// sends in order: a sentinel enqueued after Start goes out after
	// anything found at New.
	store = openStore(t, root, clk)
	defer store.Close()
	o = newOutboxWith(t, store, Options{Transports: []transport.Transport{f}, Clock: clk, Workers: 1})
	if o.Len() != 0 || o.Stats().Snapshot().InQueue.Total().Total() != 0 {
		t.Errorf("third life: the outbox holds %d", o.Len())
	}
	o.Start()
	sentinel := dsMessage(httpTo("https://collector.example.com/ch"))
	sentinel.Body = []byte("<CallHome>sentinel</CallHome>\n")
	if err := o.Enqueue(context.Background(), sentinel); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sentinel", func() bool { return o.Stats().Snapshot().Success[TypeDS].HTTP == 1 })
	s := f.sends()
	if o.Len() != 0 || len(s) != 2 || string(s[1].Body) != string(sentinel.Body) {
		t.Errorf("outbox holds %d, %d sends in all", o.Len(), len(s))
	}
	if string(s[0].Body) != string(msg.Body) {
		t.Errorf("body %q", s[0].Body)
	}
}

// crashingStore loses every OutboxRemove, as a crash between the send and
// the durable removal would.
type crashingStore struct{ Store }

func (crashingStore) OutboxRemove(string) error {
	return errors.New("simulated crash before the removal")
}

func TestCrashAfterSendingResendsWithTheSameID(t *testing.T) {
	// The at-least-once window, shown: the receiver got the message, the
	// removal never became durable, the restart sends it again with the
	// same ID for the receiver to recognise.
	root := t.TempDir()
	clk := clock.NewVirtual(t0)
	f := &fake{name: transport.NameHTTP}
	store := openStore(t, root, clk)
	o := newOutbox(t, crashingStore{store}, clk, f)
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo("https://collector.example.com/ch"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "first send", func() bool { return len(f.sends()) == 1 })
	o.Close()
	store.Close()

	store = openStore(t, root, clk)
	defer store.Close()
	o = newOutbox(t, store, clk, f)
	o.Start()
	waitFor(t, "second send", func() bool { return o.Stats().Snapshot().Success[TypeDS].HTTP == 1 })
	s := f.sends()
	if len(s) != 2 || s[0].ID != s[1].ID {
		t.Errorf("sends %d, ids %q", len(s), []string{s[0].ID, s[len(s)-1].ID})
	}
}

// flaky is an HTTP receiver that answers 500 to its first n requests, then
// 200. It is an in-process httptest server: the test needs a status on
// demand, which nginx cannot give to a POST.
type flaky struct {
	*httptest.Server
	fail     int64
	requests atomic.Int64
	status   int
}

func newFlaky(t testing.TB, fail int, status int) *flaky {
	f := &flaky{fail: int64(fail), status: status}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.requests.Add(1) <= f.fail {
			http.Error(w, "collector restarting", f.status)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(f.Close)
	return f
}

func newHTTP(t testing.TB) transport.Transport {
	h, err := transport.NewHTTP(nil, transport.Options{HTTPTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHTTP500IsRetriedWithBackoffUntilTheReceiverRecovers(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	rcv := newFlaky(t, 3, http.StatusInternalServerError)
	o := newOutbox(t, store, clk, newHTTP(t))
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo(rcv.URL))); err != nil {
		t.Fatal(err)
	}
	// Waits of 30 s, 60 s, 120 s (jitter pinned at its middle).
	for i, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		waitFor(t, "a retry timer", func() bool { return clk.Pending() == 1 })
		if n := rcv.requests.Load(); n != int64(i+1) {
			t.Fatalf("attempt %d: %d requests", i+1, n)
		}
		next, _ := clk.Next()
		if got := next.Sub(clk.Now()); got != wait {
			t.Errorf("retry %d after %v, want %v", i+1, got, wait)
		}
		clk.Advance(wait - time.Second)
		if n := rcv.requests.Load(); n != int64(i+1) {
			t.Fatalf("retried %v early", time.Second)
		}
		clk.Advance(time.Second)
	}
	waitFor(t, "delivery", func() bool { return o.Stats().Snapshot().Success[TypeDS].HTTP == 1 })
	st := o.Stats().Snapshot()
	if rcv.requests.Load() != 4 || st.InQueue[TypeDS].HTTP != 0 || st.Failed[TypeDS].HTTP != 0 || o.Len() != 0 {
		t.Errorf("requests %d, stats %+v, outbox %d", rcv.requests.Load(), st, o.Len())
	}
	if want := t0.Add(30*time.Second + time.Minute + 2*time.Minute); !st.LastSent.Equal(want) {
		t.Errorf("last sent %v, want %v", st.LastSent, want)
	}
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	rcv := newFlaky(t, 100, http.StatusNotFound)
	good := newFlaky(t, 0, 0)
	// One worker: it finishes with the failed message before it takes the
	// sentinel below, and a retry the clock released would be sent first.
	o := newOutboxWith(t, store, Options{Transports: []transport.Transport{newHTTP(t)}, Clock: clk, Workers: 1})
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo(rcv.URL))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "failure", func() bool { return o.Stats().Snapshot().Failed[TypeDS].HTTP == 1 })
	clk.Advance(24 * time.Hour)
	if err := o.Enqueue(context.Background(), dsMessage(httpTo(good.URL))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sentinel", func() bool { return o.Stats().Snapshot().Success[TypeDS].HTTP == 1 })
	if rcv.requests.Load() != 1 || clk.Pending() != 0 || o.Len() != 0 {
		t.Errorf("requests %d, timers %d, outbox %d", rcv.requests.Load(), clk.Pending(), o.Len())
	}
	if names, _ := store.OutboxList(); len(names) != 0 {
		t.Errorf("outbox files %v", names)
	}
}

func TestRetriesStopAtMaxAge(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	rcv := newFlaky(t, 1000, http.StatusServiceUnavailable)
	o, err := New(store, Options{
		Transports: []transport.Transport{newHTTP(t)}, Clock: clk, Rand: func() float64 { return 0.5 },
		Backoff: Backoff{Initial: time.Minute, Max: 4 * time.Minute}, MaxAge: 10 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo(rcv.URL))); err != nil {
		t.Fatal(err)
	}
	// Attempts at 0, 1, 3 and 7 minutes; the next would be at 11 > 10.
	for range 3 {
		waitFor(t, "a retry timer", func() bool { return clk.Pending() == 1 })
		next, _ := clk.Next()
		clk.Set(next)
	}
	waitFor(t, "giving up", func() bool { return o.Stats().Snapshot().Failed[TypeDS].HTTP == 1 })
	if rcv.requests.Load() != 4 || clk.Pending() != 0 || o.Len() != 0 {
		t.Errorf("requests %d, timers %d, outbox %d", rcv.requests.Load(), clk.Pending(), o.Len())
	}
}

func TestPartialDeliveryRetriesOnlyTheFailedDestination(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	good := newFlaky(t, 0, 0)
	bad := newFlaky(t, 1, http.StatusBadGateway)
	o := newOutbox(t, store, clk, newHTTP(t))
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo(good.URL, bad.URL))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a retry timer", func() bool { return clk.Pending() == 1 })
	names, _ := store.OutboxList()
	data, _ := store.OutboxGet(names[0])
	if !strings.Contains(string(data), bad.URL) || strings.Contains(string(data), good.URL) {
		t.Errorf("rewritten outbox file: %s", data)
	}
	clk.Advance(time.Minute)
	waitFor(t, "delivery", func() bool { return o.Stats().Snapshot().Success[TypeDS].HTTP == 1 })
	if good.requests.Load() != 1 || bad.requests.Load() != 2 {
		t.Errorf("good got %d, bad got %d", good.requests.Load(), bad.requests.Load())
	}
}

func TestStatisticsPerTypeAndTransport(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	email := &fake{name: transport.NameEmail}
	web := &fake{name: transport.NameHTTP, answer: func(int, transport.Envelope) error {
		return &transport.Error{Transport: transport.NameHTTP, Code: 400, Err: errors.New("400 Bad Request")}
	}}
	o := newOutbox(t, store, clk, email, web)
	o.Start()
	both := map[string][]string{transport.NameEmail: {"noc@example.com"}, transport.NameHTTP: {"https://c.example.com/"}}
	for _, typ := range []MessageType{TypeDS, TypeSyslog, TypeSyslog} {
		msg := dsMessage(both)
		msg.Type = typ
		if err := o.Enqueue(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "all sends", func() bool { return o.Len() == 0 })
	st := o.Stats().Snapshot()
	for _, c := range []struct {
		name string
		got  Count
		want Count
	}{
		{"success DS", st.Success[TypeDS], Count{Email: 1}},
		{"success SysLog", st.Success[TypeSyslog], Count{Email: 2}},
		{"failed DS", st.Failed[TypeDS], Count{HTTP: 1}},
		{"failed SysLog", st.Failed[TypeSyslog], Count{HTTP: 2}},
		{"total success", st.Success.Total(), Count{Email: 3}},
		{"total in queue", st.InQueue.Total(), Count{}},
	} {
		if c.got != c.want {
			t.Errorf("%s = %+v, want %+v", c.name, c.got, c.want)
		}
	}
	if st.Failed.Total().Total() != 3 {
		t.Errorf("total failed %d", st.Failed.Total().Total())
	}
}

func TestRateLimitDropsTheExcess(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	f := &fake{name: transport.NameHTTP}
	o := newOutbox(t, store, clk, f) // not started: everything stays queued
	rl, err := NewRateLimiter(20, clk, o.Stats(), o)
	if err != nil {
		t.Fatal(err)
	}
	var queued, dropped int
	for range 25 { // 25 messages within one minute, 2 s apart
		err := rl.Enqueue(context.Background(), dsMessage(httpTo("https://c.example.com/")))
		switch {
		case err == nil:
			queued++
		case errors.Is(err, ErrRateLimited):
			dropped++
		default:
			t.Fatal(err)
		}
		clk.Advance(2 * time.Second)
	}
	st := o.Stats().Snapshot()
	if queued != 20 || dropped != 5 || o.Len() != 20 {
		t.Errorf("queued %d, dropped %d, outbox %d", queued, dropped, o.Len())
	}
	if st.RatelimitDropped[TypeDS].HTTP != 5 || st.InQueue[TypeDS].HTTP != 20 {
		t.Errorf("stats %+v", st)
	}
	// The window slides: at t0+60s the first admission leaves it.
	clk.Set(t0.Add(time.Minute))
	if err := rl.Enqueue(context.Background(), dsMessage(httpTo("https://c.example.com/"))); err != nil {
		t.Errorf("after a minute: %v", err)
	}
	if err := rl.Enqueue(context.Background(), dsMessage(httpTo("https://c.example.com/"))); !errors.Is(err, ErrRateLimited) {
		t.Errorf("second after a minute: %v", err)
	}
	if _, err := NewRateLimiter(61, clk, o.Stats(), o); err == nil {
		t.Error("rate-limit 61 accepted")
	}
}

func TestRateLimitRefundsRefusedMessages(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	o := newOutbox(t, store, clk, &fake{name: transport.NameHTTP})
	rl, _ := NewRateLimiter(1, clk, o.Stats(), o)
	if err := rl.Enqueue(context.Background(), dsMessage(nil)); !errors.Is(err, ErrNoDestination) {
		t.Fatalf("err = %v", err)
	}
	if err := rl.Enqueue(context.Background(), dsMessage(httpTo("https://c.example.com/"))); err != nil {
		t.Errorf("the refused message used the limit: %v", err)
	}
}

func TestCloseCancelsASendInProgress(t *testing.T) {
	clk := clock.NewVirtual(t0)
	root := t.TempDir()
	store := openStore(t, root, clk)
	started := make(chan struct{})
	f := &fake{name: transport.NameHTTP}
	o := newOutbox(t, store, clk, &blocking{fake: f, started: started})
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo("https://c.example.com/"))); err != nil {
		t.Fatal(err)
	}
	<-started
	done := make(chan struct{})
	go func() { o.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if names, _ := store.OutboxList(); len(names) != 1 {
		t.Errorf("outbox after Close: %v", names)
	}
	st := o.Stats().Snapshot()
	if st.Failed.Total().Total() != 0 || st.Success.Total().Total() != 0 {
		t.Errorf("a cancelled send was counted: %+v", st)
	}
	store.Close()
}

// blocking is a transport whose sends wait for their context to end.
type blocking struct {
	*fake
	started chan struct{}
	once    sync.Once
}

func (b *blocking) Send(ctx context.Context, env transport.Envelope) error {
	b.once.Do(func() { close(b.started) })
	<-ctx.Done()
	return &transport.Error{Transport: b.name, Retry: true, Err: ctx.Err()}
}

func TestUnreadableFilesAreLeftAndReported(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	if err := store.OutboxPut("garbage.http", []byte("not a message")); err != nil {
		t.Fatal(err)
	}
	o := newOutbox(t, store, clk, &fake{name: transport.NameHTTP})
	if o.Len() != 0 || len(o.Warnings()) != 1 || !strings.Contains(o.Warnings()[0], "garbage.http") {
		t.Errorf("len %d, warnings %v", o.Len(), o.Warnings())
	}
	if names, _ := store.OutboxList(); len(names) != 1 {
		t.Errorf("files %v", names)
	}
}

func TestEnqueueRefusesBadMessages(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	o := newOutbox(t, store, clk, &fake{name: transport.NameHTTP})
	if err := o.Enqueue(context.Background(), dsMessage(map[string][]string{"fax": {"555"}})); err == nil {
		t.Error("unknown transport accepted")
	}
	if err := o.Enqueue(context.Background(), Message{To: httpTo("https://c/")}); err == nil {
		t.Error("message without a type accepted")
	}
	o.Close()
	if err := o.Enqueue(context.Background(), dsMessage(httpTo("https://c/"))); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: 10 * time.Second, Max: time.Minute, Multiplier: 2, Jitter: 0.2}
	for _, c := range []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{1, 0.5, 10 * time.Second},
		{2, 0.5, 20 * time.Second},
		{3, 0.5, 40 * time.Second},
		{4, 0.5, time.Minute},
		{9, 0.5, time.Minute},
		{1, 0, 8 * time.Second},
		{1, 1, 12 * time.Second},
		{9, 1, time.Minute}, // jitter never goes past Max
	} {
		if got := b.Delay(c.attempt, c.r); got != c.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", c.attempt, c.r, got, c.want)
		}
	}
}
