package actions

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// recorder is the outbox.Enqueuer of the tests: it keeps what it is given.
type recorder struct {
	mu   sync.Mutex
	msgs []outbox.Message
}

func (r *recorder) Enqueue(ctx context.Context, m outbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

// dsConfig sends DS messages to profile "ds" with the host name hidden.
const dsConfig = `hostname edge-1
service call-home
call-home
 contact-email-addr noc@example.com
 data-privacy hostname
 profile "ds"
  destination transport-method http
  no destination transport-method email
  destination address http https://collector.example.com/callhome
 diagnostic-signature
  profile ds
`

func parseConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := iosconfig.Parse("t.conf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testRun is a run of DS 6030 whose command printed the host's names.
func testRun() *engine.Run {
	return &engine.Run{Sig: &ds.Signature{ID: "6030", Name: "LinkDown"},
		Trigger: engine.Trigger{Time: t0, Events: []engine.Event{{ID: "e1", Type: ds.EventSyslog, Time: t0,
			Text: "%LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down"}}},
		Outputs: []engine.CommandOutput{{Command: "show version", Output: "edge-1 uptime is 1 day (vm7)\n"}}}
}

// TestCallHomeDataPrivacyHostname: with data-privacy hostname, neither
// the configured name nor the host's own appears in the DS message, its
// mail subject included.
func TestCallHomeDataPrivacyHostname(t *testing.T) {
	cfg := parseConfig(t, dsConfig)
	out := &recorder{}
	n, err := notify.New(notify.Options{Device: callhome.Device{PID: "Linux", Serial: "8F3C2A91D04E"}, Hostname: "vm7",
		Clock: clock.NewVirtual(t0), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	l := &Live{Notify: n, Config: func() *config.Config { return cfg }}
	if _, err := New(l, action.Deps{Clock: clock.NewVirtual(t0)}).Perform(context.Background(), testRun(), ds.Action{Type: ds.ActionCallHome}); err != nil {
		t.Fatal(err)
	}
	if len(out.msgs) != 1 {
		t.Fatalf("%d messages enqueued, want 1", len(out.msgs))
	}
	m := out.msgs[0]
	for _, name := range []string{"edge-1", "vm7"} {
		if strings.Contains(m.Subject, name) {
			t.Errorf("subject %q keeps the host name %s", m.Subject, name)
		}
		if strings.Contains(string(m.Body), name) {
			t.Errorf("body keeps the host name %s", name)
		}
	}
	if want := "From " + callhome.ScrubbedHostname + " - diagnostic-signature:6030 - "; !strings.Contains(m.Subject, want) {
		t.Errorf("subject %q, want it to contain %q", m.Subject, want)
	}
}
