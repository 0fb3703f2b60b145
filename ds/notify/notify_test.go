package notify

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// recorder is the outbox.Enqueuer of the tests.
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

const testConfig = `hostname edge-1
service call-home
call-home
 contact-email-addr noc@example.com
 customer-id CUST-42
 profile "xml"
  destination transport-method http
  no destination transport-method email
  destination address http https://collector.example.com/callhome
 profile "mail"
  destination address email ops@example.com
  destination preferred-msg-format long-text
 profile "anon"
  destination address email anon@example.com
  anonymous-reporting-only
 profile "none"
`

func setup(t *testing.T, conf string) (*config.Config, *Notifier, *recorder) {
	t.Helper()
	cfg, err := iosconfig.Parse("t.conf", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	out := &recorder{}
	n, err := New(Options{Device: callhome.Device{PID: "Linux", Serial: "8F3C2A91D04E"}, Hostname: "vm7",
		Clock: clock.NewVirtual(t0), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, n, out
}

func testMessage() *callhome.Message {
	return &callhome.Message{Type: "syslog", SubType: "UPDOWN", Name: "SYSLOG", Severity: config.SeverityMinor,
		EventTime: t0, Description: "%LINK-3-UPDOWN: Interface Gi1/0/5 on edge-1, changed state to down",
		Attachments: []callhome.Attachment{{Command: "show running-config all", Output: "hostname edge-1\nenable secret 5 $1$abcd$XYZ\n"}}}
}

// TestCompose: each step of Compose shows in the outbox message.
func TestCompose(t *testing.T) {
	cfg, n, _ := setup(t, testConfig)
	m := testMessage()
	for _, tc := range []struct {
		profile, subjectName string
		subject              string
		contentType          string
		contains, lacks      []string
	}{
		{profile: "xml", subject: "System Notification From edge-1 - syslog:UPDOWN - 2026-11-23 14:00:00 GMT+00:00",
			contentType: "xml",
			contains: []string{"<aml-session:To>https://collector.example.com/callhome</aml-session:To>",
				"<aml-session:MessageId>M1:8F3C2A91D04E:", "<ch:CustomerId>CUST-42</ch:CustomerId>", "<removed>"},
			lacks: []string{"$1$abcd$XYZ"}},
		{profile: "mail", subjectName: "SR 123", subject: "System Notification From edge-1 - syslog:SR 123 - 2026-11-23 14:00:00 GMT+00:00",
			contentType: "text/plain", contains: []string{"Message type: syslog\n"}},
		// Anonymous: no customer data, the device id names the device.
		{profile: "anon", subject: "System Notification From Linux@C@8F3C2A91D04E - syslog:UPDOWN - 2026-11-23 14:00:00 GMT+00:00",
			contentType: "xml", lacks: []string{"CUST-42", "noc@example.com"}},
	} {
		p := cfg.Profile(tc.profile)
		msg, err := n.Compose(cfg, p, m, tc.subjectName)
		if err != nil {
			t.Fatalf("%s: %v", tc.profile, err)
		}
		if msg.Subject != tc.subject {
			t.Errorf("%s: subject %q, want %q", tc.profile, msg.Subject, tc.subject)
		}
		if !strings.Contains(msg.ContentType, tc.contentType) {
			t.Errorf("%s: content type %q", tc.profile, msg.ContentType)
		}
		if msg.Type != outbox.TypeSyslog || !msg.Time.Equal(t0) || ListDestinations(msg.To) != ListDestinations(outbox.Destinations(p)) {
			t.Errorf("%s: type %q time %v to %v", tc.profile, msg.Type, msg.Time, msg.To)
		}
		for _, s := range tc.contains {
			if !strings.Contains(string(msg.Body), s) {
				t.Errorf("%s: body lacks %q", tc.profile, s)
			}
		}
		for _, s := range tc.lacks {
			if strings.Contains(string(msg.Body), s) {
				t.Errorf("%s: body keeps %q", tc.profile, s)
			}
		}
	}
	if m.MessageID != 0 || m.Customer != (callhome.Customer{}) || m.CreationTime != (time.Time{}) {
		t.Errorf("Compose changed its argument: %+v", m)
	}
}

// TestComposeDataPrivacyHostname: data-privacy hostname hides the
// configured name and the host's own in the body and the subject.
func TestComposeDataPrivacyHostname(t *testing.T) {
	cfg, n, _ := setup(t, testConfig+" data-privacy hostname\n")
	m := testMessage()
	m.Attachments = append(m.Attachments, callhome.Attachment{Command: "show version", Output: "vm7 uptime is 1 day\n"})
	msg, err := n.Compose(cfg, cfg.Profile("mail"), m, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"edge-1", "vm7"} {
		if strings.Contains(msg.Subject, name) || strings.Contains(string(msg.Body), name) {
			t.Errorf("%s kept in %q or the body:\n%s", name, msg.Subject, msg.Body)
		}
	}
	if !strings.HasPrefix(msg.Subject, "System Notification From "+callhome.ScrubbedHostname+" - ") {
		t.Errorf("subject %q", msg.Subject)
	}
}

// TestSend: Send enqueues what Compose makes, numbers every message from
// the one counter, and refuses a profile without destination before
// numbering.
func TestSend(t *testing.T) {
	cfg, n, out := setup(t, testConfig)
	ctx := context.Background()
	if _, err := n.Send(ctx, cfg, cfg.Profile("none"), testMessage(), ""); !errors.Is(err, outbox.ErrNoDestination) ||
		!strings.Contains(err.Error(), "under `profile none`") {
		t.Errorf("no destination: %v", err)
	}
	for _, p := range []string{"xml", "xml"} {
		if _, err := n.Send(ctx, cfg, cfg.Profile(p), testMessage(), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.Compose(cfg, cfg.Profile("xml"), testMessage(), ""); err != nil {
		t.Fatal(err)
	}
	msg, err := n.Send(ctx, cfg, cfg.Profile("xml"), testMessage(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.msgs) != 3 {
		t.Fatalf("%d enqueued, want 3", len(out.msgs))
	}
	for i, want := range []string{"<aml-session:MessageId>M1:", "<aml-session:MessageId>M2:", "<aml-session:MessageId>M4:"} {
		if !strings.Contains(string(out.msgs[i].Body), want) {
			t.Errorf("message %d lacks %q", i, want)
		}
	}
	if string(msg.Body) != string(out.msgs[2].Body) {
		t.Error("Send returned another message than it enqueued")
	}

	dry, err := New(Options{Clock: clock.NewVirtual(t0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dry.Send(ctx, cfg, cfg.Profile("xml"), testMessage(), ""); !errors.Is(err, ErrDryRun) {
		t.Errorf("dry run Send: %v", err)
	}
	if _, err := New(Options{}); err == nil {
		t.Error("New accepted options without a clock")
	}
}
