package emailto

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/transport"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

func newSender(t *testing.T, servers ...string) *Sender {
	t.Helper()
	ch := &config.CallHome{ContactEmail: "noc@example.com", SenderReplyTo: "netops@example.com"}
	for i, s := range servers {
		ch.MailServers = append(ch.MailServers, config.MailServer{Address: s, Priority: i + 1})
	}
	clk := clock.NewVirtual(t0)
	e, err := transport.NewEmail(ch, transport.Options{
		Clock: clk, DialTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second, DataTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewSender(e, clk)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestEmailtoMailArrives(t *testing.T) {
	mta := testserver.StartExim(t)
	// The first mail server is down: the mail goes through the second.
	down := testserver.Addr(testserver.FreePort(t))
	a := newSender(t, down, mta.Addr())
	act := ds.Action{
		Type:    ds.ActionEmailTo,
		To:      "oncall@example.com, noc@example.net",
		Subject: "edge-1: DS 6030",
		Text:    "\n    Interface Gi0/0/1 went down 3 times in 60 s.\n  ",
	}
	if err := sendAction(a, act); err != nil {
		t.Fatal(err)
	}
	ms := mta.WaitMessages(t, 2)
	seen := map[string]bool{}
	for _, m := range ms {
		seen[m.Header.Get("Envelope-to")] = true
		for name, want := range map[string]string{
			"From":         "noc@example.com", // no "sender from": the contact address
			"Reply-To":     "netops@example.com",
			"To":           "oncall@example.com, noc@example.net",
			"Subject":      "edge-1: DS 6030",
			"Content-Type": transport.ContentTypeText,
			"Date":         "Mon, 23 Nov 2026 14:00:00 +0000",
		} {
			if got := m.Header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if m.Body != "Interface Gi0/0/1 went down 3 times in 60 s.\n" {
			t.Errorf("body %q", m.Body)
		}
	}
	if !seen["oncall@example.com"] || !seen["noc@example.net"] {
		t.Errorf("delivered to %v", seen)
	}
}

func TestEmailtoRejectedIsPermanent(t *testing.T) {
	mta := testserver.StartExim(t)
	a := newSender(t, mta.Addr())
	err := sendAction(a, ds.Action{Type: ds.ActionEmailTo, To: "reject@example.com", Text: "x"})
	if err == nil || transport.Retryable(err) || !strings.Contains(err.Error(), "emailto reject@example.com") {
		t.Errorf("err = %v", err)
	}
}

// sendAction mails a rendered emailto action as the live device does.
func sendAction(s *Sender, act ds.Action) error {
	m, err := Parse(act, "edge-1")
	if err != nil {
		return err
	}
	return s.Send(context.Background(), m)
}

func TestParse(t *testing.T) {
	m, err := Parse(ds.Action{Type: ds.ActionEmailTo, To: " a@example.com ,b@example.com"}, "edge-1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.To, "|") != "a@example.com|b@example.com" || m.Subject != "Diagnostic signature notification from edge-1" || m.Body != "" {
		t.Errorf("%+v", m)
	}
	if m.String() != "mail to a@example.com, b@example.com: Diagnostic signature notification from edge-1" {
		t.Errorf("%s", m)
	}
	for _, to := range []string{"", " , ", "not an address"} {
		if _, err := Parse(ds.Action{Type: ds.ActionEmailTo, To: to}, ""); err == nil {
			t.Errorf("to=%q accepted", to)
		}
	}
}
