package alertgroup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/internal/golden"
)

// goldConfig has one profile per format, subscribed to nothing: the
// manual sends name them.
const goldConfig = `hostname edge-1
service call-home
call-home
 contact-email-addr noc@example.com
 customer-id CUST-42
 profile "x"
  destination transport-method http
  no destination transport-method email
  destination address http https://collector.example.com/callhome
 profile "lt"
  destination address email ops@example.com
  destination preferred-msg-format long-text
 alert-group-config snapshot
  add-command "show clock"
  add-command "show ip route"
`

// TestGroupMessages checks each group's message: type, subtype, severity,
// the commands attached, the statistics row, and a golden rendering.
func TestGroupMessages(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		send        func(h *harness) (string, error)
		profile     string
		typ         string
		sub         string
		sev         config.AlertSeverity
		row         outbox.MessageType
		commands    []string
		golden      string
		subjectName string
	}{
		{name: "configuration", send: func(h *harness) (string, error) {
			return h.s.SendAlertGroup(ctx, config.GroupConfiguration, "lt")
		}, typ: "configuration", sub: "full", sev: config.SeverityNormal, row: outbox.TypeConfig,
			commands: configurationCommands, golden: "configuration.long.txt", subjectName: "full"},
		{name: "inventory", send: func(h *harness) (string, error) {
			return h.s.SendAlertGroup(ctx, config.GroupInventory, "x")
		}, typ: "inventory", sub: "full", sev: config.SeverityNormal, row: outbox.TypeInventory,
			commands: fullInventoryCommands, golden: "inventory.xml", subjectName: "full"},
		{name: "crash", send: func(h *harness) (string, error) {
			return h.s.SendAlertGroup(ctx, config.GroupCrash, "lt")
		}, typ: "crash", sev: config.SeverityFatal, row: outbox.TypeCrash,
			commands: crashCommands, golden: "crash.long.txt", subjectName: "SYSTEM_CRASH"},
		{name: "snapshot", send: func(h *harness) (string, error) {
			return h.s.SendAlertGroup(ctx, config.GroupSnapshot, "lt")
		}, typ: "snapshot", sev: config.SeverityNormal, row: outbox.TypeSnapshot,
			commands: []string{"show clock", "show ip route"}, golden: "snapshot.long.txt", subjectName: "SNAPSHOT"},
		{name: "environment", send: func(h *harness) (string, error) {
			a := NewAlert(config.GroupEnvironment)
			a.SubType, a.Name, a.Severity, a.Description = "ENVWARN", "ENVWARN", config.SeverityWarning,
				"%ENVM-4-ENVWARN: acpitz measured 85.0 C, warning threshold 80.0 C"
			h.cfg.Profile("lt").Subscriptions = []config.Subscription{{Group: config.GroupEnvironment, Severity: config.SeverityWarning}}
			res := h.s.Alert(ctx, a)
			return res.String(), res.Error()
		}, typ: "environment", sub: "ENVWARN", sev: config.SeverityWarning, row: outbox.TypeEnvironment,
			commands: environmentCommands, golden: "environment.long.txt", subjectName: "ENVWARN"},
		{name: "test", send: func(h *harness) (string, error) {
			return h.s.Test(ctx, "", "lt")
		}, typ: "test", sub: "test", sev: config.SeverityNormal, row: outbox.TypeTest,
			commands: testCommands, golden: "test.long.txt", subjectName: "test"},
		{name: "request", send: func(h *harness) (string, error) {
			return h.s.Request(ctx, "config-sanity", "", "x", "jdoe")
		}, typ: "request", sub: "config-sanity", sev: config.SeverityNormal, row: outbox.TypeRequest,
			commands: requestCommands, golden: "request.xml", subjectName: "config-sanity"},
		{name: "send-cli", send: func(h *harness) (string, error) {
			return h.s.SendCommand(ctx, CLISend{Commands: "show version; show diag", Email: "tac@example.com"})
		}, typ: "send-cli", sev: config.SeverityNormal, row: outbox.TypeSendCLI,
			commands: []string{"show version", "show diag"}, golden: "send-cli.long.txt", subjectName: "SEND_CLI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, goldConfig)
			line, err := tc.send(h)
			if err != nil {
				t.Fatalf("send: %v (%s)", err, line)
			}
			if !strings.Contains(line, "queued") {
				t.Errorf("line %q does not say queued", line)
			}
			msgs := h.out.all()
			if len(msgs) != 1 {
				t.Fatalf("%d messages enqueued, want 1", len(msgs))
			}
			m := msgs[0]
			if m.Type != tc.row {
				t.Errorf("statistics row %q, want %q", m.Type, tc.row)
			}
			if !m.Time.Equal(t0) {
				t.Errorf("Time %v, want %v", m.Time, t0)
			}
			wantSubject := "System Notification From edge-1 - " + tc.typ + ":" + tc.subjectName + " - 2026-11-23 00:00:00 GMT+00:00"
			if m.Subject != wantSubject {
				t.Errorf("subject %q, want %q", m.Subject, wantSubject)
			}
			if got := h.exec.commands(); !slices.Equal(got, tc.commands) {
				t.Errorf("ran %q, want %q", got, tc.commands)
			}
			body := string(m.Body)
			if strings.HasSuffix(tc.golden, ".xml") {
				x := parseAML(t, m.Body)
				if x.CallHome.Event.Type != tc.typ || x.CallHome.Event.SubType != tc.sub {
					t.Errorf("type/subtype %s/%s, want %s/%s", x.CallHome.Event.Type, x.CallHome.Event.SubType, tc.typ, tc.sub)
				}
				if x.Header.Type != "http://www.cisco.com/2005/05/callhome/"+tc.typ {
					t.Errorf("aml-block:Type %q", x.Header.Type)
				}
				if x.Header.Severity != int(tc.sev) {
					t.Errorf("severity %d, want %d", x.Header.Severity, tc.sev)
				}
				if !slices.Equal(x.names(), tc.commands) {
					t.Errorf("attachments %q, want %q", x.names(), tc.commands)
				}
				if x.To != "https://collector.example.com/callhome" {
					t.Errorf("aml-session:To %q", x.To)
				}
				if m.ContentType != "application/xml; charset=utf-8" && !strings.Contains(m.ContentType, "xml") {
					t.Errorf("content type %q", m.ContentType)
				}
			} else {
				sub := "Message subtype: " + tc.sub + "\n"
				if tc.sub == "" {
					sub = "Message subtype:\n"
				}
				for _, want := range []string{"Message type: " + tc.typ + "\n", sub,
					"Severity level: " + string(rune('0'+int(tc.sev))) + "\n"} {
					if !strings.Contains(body, want) {
						t.Errorf("message lacks %q", want)
					}
				}
				for _, c := range tc.commands {
					if !strings.Contains(body, "Command output name: "+c+"\n") {
						t.Errorf("message lacks the output of %q", c)
					}
				}
			}
			golden.Check(t, "testdata/"+tc.golden+".golden", m.Body)
		})
	}
}

// TestDataPrivacy: configuration outputs are scrubbed; data-privacy
// hostname also hides the device name.
func TestDataPrivacy(t *testing.T) {
	h := newHarness(t, goldConfig+" data-privacy level high\n data-privacy hostname\n")
	if _, err := h.s.SendAlertGroup(context.Background(), config.GroupConfiguration, "x"); err != nil {
		t.Fatal(err)
	}
	m := h.out.all()[0]
	x := parseAML(t, m.Body)
	for _, a := range x.Attachments {
		if strings.Contains(a.Data, "$1$abcd$XYZ") || strings.Contains(a.Data, "example.com") {
			t.Errorf("%s not scrubbed:\n%s", a.Name, a.Data)
		}
		if strings.Contains(a.Data, "edge-1") {
			t.Errorf("%s keeps the hostname:\n%s", a.Name, a.Data)
		}
	}
	if x.CallHome.Customer.Name != callhome.ScrubbedHostname {
		t.Errorf("device name %q", x.CallHome.Customer.Name)
	}
	if strings.Contains(m.Subject, "edge-1") {
		t.Errorf("subject keeps the hostname: %q", m.Subject)
	}
}

// TestEventSubscribers: an event goes to the active profiles subscribed
// without periodic, at or above their severity threshold.
func TestEventSubscribers(t *testing.T) {
	ctx := context.Background()
	conf := `service call-home
call-home
 profile "a"
  destination transport-method http
  destination address http https://a.example.com/ch
  subscribe-to-alert-group environment severity major
  subscribe-to-alert-group inventory periodic daily 14:00
  subscribe-to-alert-group configuration
 profile "b"
  destination transport-method http
  destination address http https://b.example.com/ch
  subscribe-to-alert-group environment
  subscribe-to-alert-group inventory
 profile "c"
  destination transport-method http
  destination address http https://c.example.com/ch
  subscribe-to-alert-group environment
  subscribe-to-alert-group configuration
  no active
 profile "anon"
  destination transport-method http
  destination address http https://anon.example.com/ch
  anonymous-reporting-only
  subscribe-to-alert-group environment
  subscribe-to-alert-group inventory
`
	h := newHarness(t, conf)
	send := func(g config.AlertGroup, sev config.AlertSeverity) []string {
		h.out.reset()
		a := NewAlert(g)
		a.Severity = sev
		h.s.Alert(ctx, a)
		var got []string
		for _, m := range h.out.all() {
			got = append(got, to(m))
		}
		return got
	}
	for _, tc := range []struct {
		g    config.AlertGroup
		sev  config.AlertSeverity
		want []string
	}{
		{config.GroupEnvironment, config.SeverityMajor, []string{"https://a.example.com/ch", "https://b.example.com/ch"}},
		{config.GroupEnvironment, config.SeverityCritical, []string{"https://a.example.com/ch", "https://b.example.com/ch"}},
		{config.GroupEnvironment, config.SeverityMinor, []string{"https://b.example.com/ch"}},
		{config.GroupEnvironment, config.SeverityDebugging, []string{"https://b.example.com/ch"}},
		// a's inventory is periodic; anon gets inventory.
		{config.GroupInventory, config.SeverityNormal, []string{"https://b.example.com/ch", "https://anon.example.com/ch"}},
		{config.GroupConfiguration, config.SeverityNormal, []string{"https://a.example.com/ch"}},
		{config.GroupSyslog, config.SeverityFatal, nil},
	} {
		if got := send(tc.g, tc.sev); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: sent to %q, want %q", tc.g, tc.sev, got, tc.want)
		}
	}

	// The anonymous inventory message has no customer data and the delta
	// command set.
	h.out.reset()
	h.cfg.Profile("b").Active = false
	h.exec.ran = nil
	a := NewAlert(config.GroupInventory)
	res := h.s.Alert(ctx, a)
	if res.Queued() != 1 {
		t.Fatalf("%s", res)
	}
	x := parseAML(t, h.out.all()[0].Body)
	if x.CallHome.Customer.CustomerID != "" || x.CallHome.Customer.Name != "" {
		t.Errorf("anonymous message carries customer data: %+v", x.CallHome.Customer)
	}
	if !slices.Equal(x.names(), deltaInventoryCommands) {
		t.Errorf("anonymous inventory commands %q", x.names())
	}
}

// TestAlertGroupDisabled: "no alert-group X" stops its events.
func TestAlertGroupDisabled(t *testing.T) {
	h := newHarness(t, testConfig+" no alert-group configuration\n")
	res := h.s.ConfigChanged(context.Background())
	if res.Error() == nil || len(h.out.all()) != 0 {
		t.Fatalf("sent with the group disabled: %s", res)
	}
	if !strings.Contains(res.String(), "alert-group configuration") {
		t.Errorf("result %q does not say how to enable it", res)
	}
}

// TestConfigChanged sends a delta configuration message.
func TestConfigChanged(t *testing.T) {
	h := newHarness(t, testConfig)
	res := h.s.ConfigChanged(context.Background())
	if res.Queued() != 1 {
		t.Fatalf("%s", res)
	}
	x := parseAML(t, h.out.all()[0].Body)
	if x.CallHome.Event.Type != "configuration" || x.CallHome.Event.SubType != "delta" {
		t.Errorf("event %+v", x.CallHome.Event)
	}
}

// TestServiceDisabled: without service call-home nothing is sent.
func TestServiceDisabled(t *testing.T) {
	h := newHarness(t, strings.Replace(goldConfig, "service call-home\n", "no service call-home\n", 1))
	line, err := h.s.Test(context.Background(), "", "x")
	if !errors.Is(err, ErrDisabled) {
		t.Fatalf("err %v, line %q", err, line)
	}
	if len(h.out.all()) != 0 || len(h.exec.commands()) != 0 {
		t.Error("sent or ran commands with Call Home disabled")
	}
}

// TestDeliveryFailures: a rate-limited message and a profile without
// destinations are reported per profile.
func TestDeliveryFailures(t *testing.T) {
	h := newHarness(t, goldConfig+" profile \"none\"\n")
	h.out.err = outbox.ErrRateLimited
	line, err := h.s.Test(context.Background(), "hi", "x")
	if !errors.Is(err, outbox.ErrRateLimited) || !strings.Contains(line, "x: call-home rate limit reached") {
		t.Errorf("rate limited: %q, %v", line, err)
	}
	h.out.err = nil
	line, err = h.s.Test(context.Background(), "hi", "none")
	if !errors.Is(err, outbox.ErrNoDestination) || !strings.Contains(line, "destination address") {
		t.Errorf("no destination: %q, %v", line, err)
	}
}

// TestSizeLimitAndShortText: the profile's size limit cuts outputs; a
// short-text profile runs no command.
func TestSizeLimitAndShortText(t *testing.T) {
	h := newHarness(t, goldConfig+` profile "small"
  destination address email small@example.com
  destination preferred-msg-format long-text
  destination message-size-limit 2200
 profile "pager"
  destination address email pager@example.com
  destination preferred-msg-format short-text
`)
	if _, err := h.s.SendAlertGroup(context.Background(), config.GroupInventory, "small"); err != nil {
		t.Fatal(err)
	}
	if m := h.out.all()[0]; len(m.Body) > 2200 || !strings.Contains(string(m.Body), "message-size-limit 2200") {
		t.Errorf("%d bytes, want at most 2200 with the truncation note", len(m.Body))
	}
	h.exec.ran = nil
	if _, err := h.s.Test(context.Background(), "page me", "pager"); err != nil {
		t.Fatal(err)
	}
	if ran := h.exec.commands(); len(ran) != 0 {
		t.Errorf("short text ran %q", ran)
	}
	if body := string(h.out.all()[1].Body); !strings.Contains(body, "Error isolation message: page me") {
		t.Errorf("short text:\n%s", body)
	}
}

// TestCommandsRunOnce: a message for several profiles runs each command
// once; DS call-home events add theirs after the group's.
func TestCommandsRunOnce(t *testing.T) {
	h := newHarness(t, testConfig, func(o *Options) {
		o.ExtraCommands = func(g config.AlertGroup) []string {
			if g == config.GroupInventory {
				return []string{"show clock", "show version"}
			}
			return nil
		}
	})
	line, err := h.s.SendAlertGroup(context.Background(), config.GroupInventory, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.out.all()); n != 2 {
		t.Fatalf("%d messages, want 2 (user1, mail): %s", n, line)
	}
	want := append(slices.Clone(fullInventoryCommands), "show clock")
	if got := h.exec.commands(); !slices.Equal(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
}

// TestMessageIDs: the notifier's counter numbers the messages.
func TestMessageIDs(t *testing.T) {
	h := newHarness(t, goldConfig)
	for range 2 {
		if _, err := h.s.Test(context.Background(), "", "x"); err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range h.out.all() {
		want := fmt.Sprintf("<aml-session:MessageId>M%d:8F3C2A91D04E:", i+1)
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("message %d lacks %s:\n%s", i+1, want, m.Body)
		}
	}
}

func TestNewRequiresOptions(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New accepted empty options")
	}
}
