package alertgroup

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

// TestTest: "call-home test" goes to the named profile, active or not,
// with the given text or the default.
func TestTest(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, testConfig+" profile \"off\"\n  destination address email off@example.com\n  no active\n")
	line, err := h.s.Test(ctx, "hello from edge-1", "USER1") // names are case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	want := "test/test message: user1: queued "
	if !strings.HasPrefix(line, want) || !strings.HasSuffix(line, " (xml) for https://collector.example.com/callhome") {
		t.Errorf("line %q", line)
	}
	x := parseAML(t, h.out.all()[0].Body)
	if x.CallHome.Description != "hello from edge-1" || x.CallHome.Event.Type != "test" {
		t.Errorf("test message %+v %q", x.CallHome.Event, x.CallHome.Description)
	}
	if _, err := h.s.Test(ctx, "", "off"); err != nil {
		t.Errorf("inactive profile: %v", err)
	}
	if x := parseAML(t, h.out.all()[1].Body); x.CallHome.Description != DefaultTestText {
		t.Errorf("description %q, want the default", x.CallHome.Description)
	}
	for _, p := range []string{"", "nosuch"} {
		if _, err := h.s.Test(ctx, "", p); err == nil {
			t.Errorf("profile %q accepted", p)
		}
	}
}

// TestSendAlertGroup: the guide's rules for manual alert-group sends.
func TestSendAlertGroup(t *testing.T) {
	ctx := context.Background()
	conf := `hostname edge-1
service call-home
call-home
 profile "a"
  destination transport-method http
  destination address http https://a.example.com/ch
  subscribe-to-alert-group inventory periodic daily 14:00
 profile "b"
  destination transport-method http
  destination address http https://b.example.com/ch
  subscribe-to-alert-group inventory
  subscribe-to-alert-group configuration
 profile "c"
  destination transport-method http
  destination address http https://c.example.com/ch
  subscribe-to-alert-group inventory
  no active
 profile "anon"
  destination transport-method http
  destination address http https://anon.example.com/ch
  anonymous-reporting-only
  subscribe-to-alert-group inventory
  subscribe-to-alert-group configuration
`
	h := newHarness(t, conf)
	send := func(g config.AlertGroup, profile string) ([]string, error) {
		h.out.reset()
		_, err := h.s.SendAlertGroup(ctx, g, profile)
		return summary(h.out.all()), err
	}
	// Without a profile: active profiles with a normal or periodic
	// subscription; anonymous ones only for crash and inventory.
	got, err := send(config.GroupInventory, "")
	if want := []string{"Inventory https://a.example.com/ch", "Inventory https://b.example.com/ch",
		"Inventory https://anon.example.com/ch"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("inventory: %q %v, want %q", got, err, want)
	}
	got, err = send(config.GroupConfiguration, "")
	if want := []string{"Config https://b.example.com/ch"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("configuration: %q %v, want %q", got, err, want)
	}
	// With a profile: whatever its state and subscriptions.
	got, err = send(config.GroupConfiguration, "c")
	if want := []string{"Config https://c.example.com/ch"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("configuration to c: %q %v", got, err)
	}
	// ... but an anonymous profile gets no configuration.
	if _, err := send(config.GroupConfiguration, "anon"); !errors.Is(err, ErrAnonymous) {
		t.Errorf("configuration to anon: %v", err)
	}
	// Nobody subscribes to crash.
	if _, err := send(config.GroupCrash, ""); !errors.Is(err, ErrNoProfile) {
		t.Errorf("crash: %v", err)
	}
	// Environment and syslog cannot be sent by hand.
	for _, g := range []config.AlertGroup{config.GroupEnvironment, config.GroupSyslog} {
		if _, err := send(g, "b"); err == nil || !strings.Contains(err.Error(), "only the crash, snapshot, configuration and inventory") {
			t.Errorf("%s: %v", g, err)
		}
	}
	if _, err := send(config.GroupInventory, "nosuch"); err == nil {
		t.Error("unknown profile accepted")
	}
	// A disabled group is sent only to a named profile.
	h.cfg.CallHome.AlertGroups[config.GroupInventory] = false
	if _, err := send(config.GroupInventory, ""); err == nil {
		t.Error("disabled group sent to subscribers")
	}
	if _, err := send(config.GroupInventory, "b"); err != nil {
		t.Errorf("disabled group to a named profile: %v", err)
	}
}

// TestSendCommand: "call-home send "COMMAND"" by e-mail or http.
func TestSendCommand(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, testConfig)
	tests := []struct {
		name   string
		req    CLISend
		to     string
		format string
		err    string
	}{
		{name: "email", req: CLISend{Commands: "show diag", Email: "support@example.com"},
			to: "support@example.com", format: "Message type: send-cli"},
		{name: "email xml", req: CLISend{Commands: "show version;show diag", Email: "support@example.com", Format: config.FormatXML},
			to: "support@example.com", format: "<ch:Type>send-cli</ch:Type>"},
		{name: "sr only", req: CLISend{Commands: "show version; show diag", ServiceRequest: "123456"},
			to: AttachEmail, format: "service request 123456"},
		{name: "sr only xml", req: CLISend{Commands: "show version", ServiceRequest: "123456", Format: config.FormatXML},
			to: config.CiscoTACEmail, format: "<ch:Type>send-cli</ch:Type>"},
		{name: "http tac", req: CLISend{Commands: "show version", HTTP: true, ForwardTo: "user@company.com"},
			to: config.CiscoTACURL, format: "forwarded to user@company.com"},
		{name: "http url", req: CLISend{Commands: "show version", HTTP: true, URL: "https://collector.example.com/cli"},
			to: "https://collector.example.com/cli", format: "<ch:Type>send-cli</ch:Type>"},
		{name: "no command", req: CLISend{Commands: " ; ", Email: "a@example.com"}, err: "no command"},
		{name: "no destination", req: CLISend{Commands: "show version"}, err: "give email ADDR, http, or tac-service-request"},
		{name: "both", req: CLISend{Commands: "show version", Email: "a@example.com", HTTP: true}, err: "not both"},
		{name: "http tac bare", req: CLISend{Commands: "show version", HTTP: true}, err: "needs destination-email-address or tac-service-request"},
		{name: "bad url", req: CLISend{Commands: "show version", HTTP: true, URL: "ftp://x"}, err: "not an http"},
		{name: "bad address", req: CLISend{Commands: "show version", Email: "nobody"}, err: "not an e-mail address"},
		{name: "bad format", req: CLISend{Commands: "show version", Email: "a@example.com", Format: config.FormatShortText}, err: "msg-format"},
		{name: "bad sr", req: CLISend{Commands: "show version", ServiceRequest: "12 34"}, err: "tac-service-request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.out.reset()
			line, err := h.s.SendCommand(ctx, tc.req)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			msgs := h.out.all()
			if len(msgs) != 1 || to(msgs[0]) != tc.to || msgs[0].Type != "Send-CLI" {
				t.Fatalf("sent %q, want Send-CLI to %s", summary(msgs), tc.to)
			}
			if !strings.Contains(string(msgs[0].Body), tc.format) {
				t.Errorf("body lacks %q:\n%s", tc.format, msgs[0].Body)
			}
			if !strings.HasPrefix(line, "send-cli message: queued ") {
				t.Errorf("line %q", line)
			}
			if tc.req.ServiceRequest != "" && !strings.Contains(msgs[0].Subject, "send-cli:SR 123456") {
				t.Errorf("subject %q lacks the SR", msgs[0].Subject)
			}
		})
	}
}

// TestRequest: "call-home request" to a profile, CiscoTAC-1 by default.
func TestRequest(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, testConfig+" profile \"anon\"\n  destination address email a@example.com\n  anonymous-reporting-only\n")
	h.exec.ran = nil
	line, err := h.s.Request(ctx, "output-analysis", `show  diag`, "user1", "jdoe")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, "request/output-analysis message: user1: queued") {
		t.Errorf("line %q", line)
	}
	x := parseAML(t, h.out.all()[0].Body)
	if x.CallHome.Event.Type != "request" || x.CallHome.Event.SubType != "output-analysis" ||
		x.CallHome.Customer.CCOID != "jdoe" || !slices.Equal(x.names(), []string{"show diag"}) {
		t.Errorf("request %+v ccoid %q commands %q", x.CallHome.Event, x.CallHome.Customer.CCOID, x.names())
	}
	if h.out.all()[0].Type != "Request" {
		t.Errorf("row %q", h.out.all()[0].Type)
	}

	// No profile: CiscoTAC-1, inactive as it is by default, over email.
	h.out.reset()
	if _, err := h.s.Request(ctx, "product-advisory", "", "", ""); err != nil {
		t.Fatal(err)
	}
	if got := summary(h.out.all()); !slices.Equal(got, []string{"Request " + config.CiscoTACEmail}) {
		t.Errorf("sent %q", got)
	}
	if body := string(h.out.all()[0].Body); !strings.Contains(body, "<aml-block:Name>show diag all eeprom detail</aml-block:Name>") {
		t.Error("product-advisory lacks the inventory commands")
	}

	for _, tc := range []struct{ kind, cmd, profile, ccoid, err string }{
		{"output-analysis", "", "user1", "", "give the show command"},
		{"config-sanity", "show version", "user1", "", "takes no command"},
		{"bogus", "", "user1", "", "unknown request"},
		{"bugs-list", "", "nosuch", "", "does not exist"},
		{"bugs-list", "", "user1", "two words", "bad ccoid"},
		{"command-reference", "", "anon", "", "anonymous-reporting-only"},
	} {
		if _, err := h.s.Request(ctx, tc.kind, tc.cmd, tc.profile, tc.ccoid); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: err %v", tc, err)
		}
	}
}
