package metrics

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/notify/outbox"
)

// families is one parsed scrape.
type families map[string]*dto.MetricFamily

// scrape GETs url and parses the text exposition.
func scrape(t *testing.T, url string) families {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value returns the value of the series of name with exactly labels
// ("k=v,k=v"); ok is false if there is none.
func (f families) value(name, labels string) (v float64, ok bool) {
	fam := f[name]
	if fam == nil {
		return 0, false
	}
	for _, m := range fam.GetMetric() {
		var pairs []string
		for _, l := range m.GetLabel() {
			pairs = append(pairs, l.GetName()+"="+l.GetValue())
		}
		if strings.Join(pairs, ",") != labels {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

func fakeSources() Sources {
	return Sources{
		Inputs: func() []input.Stats {
			return []input.Stats{
				{Input: "udp:127.0.0.1:5514", Received: 10, Delivered: 8, Dropped: 1, Oversize: 1, KernelDrops: 3},
				{Input: "tcp:127.0.0.1:5514", Received: 5, Delivered: 5, FramingErrors: 2, Connections: 2,
					Accepted: 20, Rejected: 4, IdleClosed: 7},
				{Input: "file:/var/log/network.log", Received: 1, Delivered: 1, ReadErrors: 1},
				{Input: "file:/var/log/network.log", Received: 2, Delivered: 2},
			}
		},
		Triggers: func() map[string][2]int64 {
			return map[string][2]int64{"DS_1": {7, 2}, "DS_2": {1, 0}}
		},
		Runs: func() map[string]engine.Counts {
			return map[string]engine.Counts{"DS_1": {Triggers: 7, Dropped: 2, Completed: 3, Suppressed: 1, Failed: 1}}
		},
		Queue:     func() (int, int) { return 12, 4096 },
		OutboxLen: func() int { return 3 },
		Outbox: func() outbox.Statistics {
			return outbox.Statistics{
				Success:          outbox.Table{outbox.TypeDiagnostic: {Email: 1, HTTP: 4}},
				InQueue:          outbox.Table{outbox.TypeSyslog: {HTTP: 3}},
				Failed:           outbox.Table{outbox.TypeDiagnostic: {Email: 2}},
				RatelimitDropped: outbox.Table{"Custom": {HTTP: 5}},
				LastSent:         time.Unix(1700000000, 500_000_000),
			}
		},
		Statuses: func() map[string]int { return map[string]int{"registered": 2, "failed": 1} },
		Caps:     func() map[string]int64 { return map[string]int64{"script-syslog": 4} },
	}
}

func TestScrape(t *testing.T) {
	m := New(fakeSources())
	m.ObserveAction("command", false)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	f := scrape(t, srv.URL)

	for _, tc := range []struct {
		name, labels string
		want         float64
	}{
		{"dsengine_input_received_total", "input=udp:127.0.0.1:5514", 10},
		{"dsengine_input_delivered_total", "input=udp:127.0.0.1:5514", 8},
		{"dsengine_input_dropped_total", "input=udp:127.0.0.1:5514", 1},
		{"dsengine_input_oversize_total", "input=udp:127.0.0.1:5514", 1},
		{"dsengine_input_kernel_drops_total", "input=udp:127.0.0.1:5514", 3},
		{"dsengine_input_framing_errors_total", "input=tcp:127.0.0.1:5514", 2},
		{"dsengine_input_framing_errors_total", "input=udp:127.0.0.1:5514", 0},
		{"dsengine_input_connections", "input=tcp:127.0.0.1:5514", 2},
		{"dsengine_input_connections_accepted_total", "input=tcp:127.0.0.1:5514", 20},
		{"dsengine_input_connections_rejected_total", "input=tcp:127.0.0.1:5514", 4},
		{"dsengine_input_connections_idle_closed_total", "input=tcp:127.0.0.1:5514", 7},
		{"dsengine_input_connections_rejected_total", "input=udp:127.0.0.1:5514", 0},
		// Two inputs of one name add up.
		{"dsengine_input_received_total", "input=file:/var/log/network.log", 3},
		{"dsengine_input_read_errors_total", "input=file:/var/log/network.log", 1},
		{"dsengine_triggers_total", "ds=DS_1", 7},
		{"dsengine_triggers_dropped_total", "ds=DS_1", 2},
		{"dsengine_triggers_total", "ds=DS_2", 1},
		{"dsengine_triggers_dropped_total", "ds=DS_2", 0},
		{"dsengine_runs_total", "ds=DS_1,outcome=completed", 3},
		{"dsengine_runs_total", "ds=DS_1,outcome=suppressed", 1},
		{"dsengine_runs_total", "ds=DS_1,outcome=failed", 1},
		{"dsengine_queue_depth", "", 12},
		{"dsengine_queue_capacity", "", 4096},
		{"dsengine_outbox_messages", "", 3},
		{"dsengine_callhome_messages", "state=success,transport=email,type=Diagnostic", 1},
		{"dsengine_callhome_messages", "state=success,transport=http,type=Diagnostic", 4},
		{"dsengine_callhome_messages", "state=in_queue,transport=http,type=SysLog", 3},
		{"dsengine_callhome_messages", "state=failed,transport=email,type=Diagnostic", 2},
		{"dsengine_callhome_messages", "state=ratelimit_dropped,transport=http,type=Custom", 5},
		{"dsengine_callhome_messages", "state=failed,transport=http,type=Config", 0},
		{"dsengine_callhome_last_sent_timestamp_seconds", "", 1700000000.5},
		{"dsengine_signatures", "status=registered", 2},
		{"dsengine_signatures", "status=failed", 1},
		{"dsengine_signatures", "status=pending", 0},
		{"dsengine_caps_hit_total", "cap=script-syslog", 4},
		{"dsengine_actions_total", "result=success,type=command", 1},
		{"dsengine_actions_total", "result=failure,type=call-home", 0},
	} {
		got, ok := f.value(tc.name, tc.labels)
		if !ok {
			t.Errorf("%s{%s}: missing", tc.name, tc.labels)
		} else if got != tc.want {
			t.Errorf("%s{%s} = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if n := len(f["dsengine_callhome_messages"].GetMetric()); n != 4*2*(len(outbox.MessageTypes())+1) {
		t.Errorf("dsengine_callhome_messages has %d series, want every state × transport × type", n)
	}
	for name, fam := range f {
		if !strings.HasPrefix(name, "dsengine_") {
			continue
		}
		if fam.GetHelp() == "" {
			t.Errorf("%s has no HELP", name)
		}
		if counter := fam.GetType() == dto.MetricType_COUNTER; counter != strings.HasSuffix(name, "_total") {
			t.Errorf("%s is a %s", name, fam.GetType())
		}
	}
	if f["go_goroutines"] == nil {
		t.Error("no Go runtime metrics")
	}
}

// TestObserveRun: a run's latency lands in the bucket that holds it.
func TestObserveRun(t *testing.T) {
	m := New(Sources{})
	m.ObserveRun(700 * time.Microsecond)
	m.ObserveRun(3 * time.Millisecond)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	body := scrapeText(t, srv.URL)
	for _, want := range []string{
		`dsengine_event_to_done_seconds_bucket{le="0.0005"} 0`,
		`dsengine_event_to_done_seconds_bucket{le="0.001"} 1`,
		`dsengine_event_to_done_seconds_bucket{le="0.005"} 2`,
		"dsengine_event_to_done_seconds_count 2",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in the scrape:\n%s", want, body)
		}
	}
}

func scrapeText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestObserveAction(t *testing.T) {
	m := New(Sources{})
	for range 3 {
		m.ObserveAction("command", false)
	}
	m.ObserveAction("command", true)
	m.ObserveAction("call-home", true)
	m.ObserveAction("custom", false)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	f := scrape(t, srv.URL)
	for labels, want := range map[string]float64{
		"result=success,type=command":   3,
		"result=failure,type=command":   1,
		"result=failure,type=call-home": 1,
		"result=success,type=call-home": 0,
		"result=success,type=custom":    1,
		"result=success,type=message":   0,
	} {
		if got, ok := f.value("dsengine_actions_total", labels); !ok || got != want {
			t.Errorf("dsengine_actions_total{%s} = %v (present %v), want %v", labels, got, ok, want)
		}
	}
	// Without sources, their metrics are left out.
	for _, name := range []string{"dsengine_input_received_total", "dsengine_triggers_total",
		"dsengine_queue_depth", "dsengine_outbox_messages", "dsengine_callhome_messages", "dsengine_signatures"} {
		if f[name] != nil {
			t.Errorf("%s present without its source", name)
		}
	}
}

func TestServe(t *testing.T) {
	m := New(fakeSources())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	if v, ok := scrape(t, base+"/metrics").value("dsengine_queue_depth", ""); !ok || v != 12 {
		t.Errorf("dsengine_queue_depth = %v (present %v), want 12", v, ok)
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /: %s, want 404", resp.Status)
	}
	// The address is taken: Serve says so at once.
	if err := m.Serve(t.Context(), ln.Addr().String()); err == nil || !strings.Contains(err.Error(), "metrics listen") {
		t.Errorf("Serve on a taken address: %v", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop when its context ended")
	}
	if _, err := http.Get(base + "/metrics"); err == nil {
		t.Error("the server still answers after its context ended")
	}
}

func TestServeStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := New(Sources{}).Serve(ctx, "127.0.0.1:0"); err != nil {
		t.Errorf("Serve with an ended context: %v, want nil", err)
	}
}

// TestScrapeWhileSourcesChange scrapes while the sources move and actions
// are observed; run it with -race. A counter never goes backwards.
func TestScrapeWhileSourcesChange(t *testing.T) {
	var received atomic.Uint64
	var mu sync.Mutex
	triggers := map[string][2]int64{}
	m := New(Sources{
		Inputs: func() []input.Stats {
			n := received.Load()
			return []input.Stats{{Input: "udp:127.0.0.1:5514", Received: n, Delivered: n}}
		},
		Triggers: func() map[string][2]int64 {
			mu.Lock()
			defer mu.Unlock()
			out := make(map[string][2]int64, len(triggers))
			for k, v := range triggers {
				out[k] = v
			}
			return out
		},
		Queue: func() (int, int) { return int(received.Load() % 16), 16 },
	})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			received.Add(1)
			mu.Lock()
			n := triggers["DS_1"]
			n[0]++
			triggers["DS_1"] = n
			mu.Unlock()
			m.ObserveAction("command", i%3 == 0)
		}
	}()
	var last, lastActions float64
	for range 20 {
		f := scrape(t, srv.URL)
		v, _ := f.value("dsengine_input_received_total", "input=udp:127.0.0.1:5514")
		a, _ := f.value("dsengine_actions_total", "result=success,type=command")
		if v < last || a < lastActions {
			t.Fatalf("a counter went backwards: received %v after %v, actions %v after %v", v, last, a, lastActions)
		}
		last, lastActions = v, a
	}
	close(stop)
	wg.Wait()
	f := scrape(t, srv.URL)
	if v, _ := f.value("dsengine_input_received_total", "input=udp:127.0.0.1:5514"); v != float64(received.Load()) {
		t.Errorf("received = %v after the changes stopped, want %v", v, received.Load())
	}
	if v, _ := f.value("dsengine_triggers_total", "ds=DS_1"); v != float64(received.Load()) {
		t.Errorf("DS_1 triggers = %v, want %v", v, received.Load())
	}
}

// TestProfilesOnlyWhenConfigured: /debug/pprof/ answers 404 until
// `metrics pprof` turns it on, and again after it is turned off.
func TestProfilesOnlyWhenConfigured(t *testing.T) {
	m := New(Sources{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.ServeListener(ctx, ln) }()
	defer func() { cancel(); <-done }()
	get := func() (int, string) {
		resp, err := http.Get("http://" + ln.Addr().String() + "/debug/pprof/heap?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(); code != http.StatusNotFound || !strings.Contains(body, "metrics pprof") {
		t.Errorf("profiles off: %d %q", code, body)
	}
	m.SetProfiling(true)
	if code, body := get(); code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("profiles on: %d %.80q", code, body)
	}
	m.SetProfiling(false)
	if code, _ := get(); code != http.StatusNotFound {
		t.Errorf("profiles off again: %d", code)
	}
}
