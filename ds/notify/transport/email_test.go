package transport

import (
	"bufio"
	"context"
	"errors"
	"mime"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// callHome returns a call-home block sending through servers, in order
// (priorities 1, 2, ...).
func callHome(servers ...string) *config.CallHome {
	ch := &config.CallHome{
		ContactEmail:  "noc@example.com",
		SenderFrom:    "dsengine@example.com",
		SenderReplyTo: "netops@example.com",
	}
	for i, s := range servers {
		ch.MailServers = append(ch.MailServers, config.MailServer{Address: s, Priority: i + 1})
	}
	return ch
}

// testOptions keeps every network wait short, so a broken test fails in
// seconds.
func testOptions() Options {
	return Options{
		Clock:          clock.NewVirtual(t0),
		HelloName:      "edge-1.example.com",
		DialTimeout:    2 * time.Second,
		CommandTimeout: 2 * time.Second,
		DataTimeout:    2 * time.Second,
		HTTPTimeout:    2 * time.Second,
	}
}

func newEmail(t *testing.T, ch *config.CallHome, opts Options) *Email {
	t.Helper()
	e, err := NewEmail(ch, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

const xmlBody = `<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope">
<soap-env:Body>
.a line starting with a dot
</soap-env:Body>
</soap-env:Envelope>
`

func TestEmailCallHomeMessageArrives(t *testing.T) {
	mta := testserver.StartExim(t)
	e := newEmail(t, callHome(mta.Addr()), testOptions())
	env := Envelope{
		ID:          "20261123T140000.000000000Z-0badcafe",
		To:          []string{"noc@example.com", "Ops Team <ops@example.net>"},
		Subject:     Subject("edge-1", "diagnostic-signature", "6030", t0),
		ContentType: ContentTypeXML,
		Body:        []byte(xmlBody),
		Time:        t0,
	}
	if err := e.Send(context.Background(), env); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ms := mta.WaitMessages(t, 2)
	got := map[string]bool{}
	for _, m := range ms {
		got[m.Header.Get("Envelope-to")] = true
		h := m.Header
		for name, want := range map[string]string{
			"From":                      "dsengine@example.com",
			"Reply-To":                  "netops@example.com",
			"To":                        "noc@example.com, ops@example.net",
			"Subject":                   "System Notification From edge-1 - diagnostic-signature:6030 - 2026-11-23 14:00:00 GMT+00:00",
			"Message-Id":                "<20261123T140000.000000000Z-0badcafe@example.com>",
			"Content-Type":              ContentTypeXML,
			"Content-Transfer-Encoding": "7bit",
			"Date":                      "Mon, 23 Nov 2026 14:00:00 +0000",
			"Return-Path":               "<dsengine@example.com>",
		} {
			if v := h.Get(name); v != want {
				t.Errorf("%s: %s = %q, want %q", m.File, name, v, want)
			}
		}
		// exim stores messages with LF line ends.
		if m.Body != xmlBody {
			t.Errorf("body = %q", m.Body)
		}
	}
	if !got["noc@example.com"] || !got["ops@example.net"] {
		t.Errorf("Envelope-to of the copies: %v", got)
	}
	st := e.Status()
	if len(st) != 1 || st[0].State() != "Available" || !st[0].Checked.Equal(t0) {
		t.Errorf("status = %+v", st)
	}
}

func TestEmailNonASCIIBodyIsQuotedPrintable(t *testing.T) {
	mta := testserver.StartExim(t)
	e := newEmail(t, callHome(mta.Addr()), testOptions())
	body := "Schnittstelle Gi0/0/1 ausgefallen – Zähler: " + strings.Repeat("x", 1200) + "\n"
	err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Subject: "Störung", Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	m := mta.WaitMessages(t, 1)[0]
	if m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("encoding %q", m.Header.Get("Content-Transfer-Encoding"))
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subj != "Störung" {
		t.Errorf("subject %q (%v)", subj, err)
	}
	if m.Body != body {
		t.Errorf("body = %q", m.Body)
	}
}

func TestEmailSTARTTLS(t *testing.T) {
	mta := testserver.StartEximTLS(t)
	opts := testOptions()
	opts.CAFile = mta.TLS.CAFile
	e := newEmail(t, callHome(mta.Addr()), opts)
	if err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Subject: "tls", Body: []byte("over TLS\n")}); err != nil {
		t.Fatal(err)
	}
	m := mta.WaitMessages(t, 1)[0]
	if rcv := m.Header.Get("Received"); !strings.Contains(rcv, "esmtps") {
		t.Errorf("not received over TLS: %q", rcv)
	}
	if log := mta.Log(t); !strings.Contains(log, "X=TLS") {
		t.Errorf("exim log shows no TLS:\n%s", log)
	}
}

func TestEmailSTARTTLSUntrustedIsPermanent(t *testing.T) {
	mta := testserver.StartEximTLS(t)
	// The system roots do not know the test CA: the certificate does not
	// verify, and the mail is not sent in clear instead.
	e := newEmail(t, callHome(mta.Addr()), testOptions())
	err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Body: []byte("x\n")})
	if err == nil || Retryable(err) {
		t.Fatalf("err = %v, want a permanent error", err)
	}
	if !strings.Contains(err.Error(), "STARTTLS") || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("err = %v", err)
	}
	if st := e.Status()[0]; st.Available || st.Err == nil {
		t.Errorf("status = %+v, want not available", st)
	}
	if n := len(mta.Messages(t)); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
}

func TestEmailFailoverToSecondServer(t *testing.T) {
	mta := testserver.StartExim(t)
	down := testserver.Addr(testserver.FreePort(t)) // nothing listens: refused
	e := newEmail(t, callHome(down, mta.Addr()), testOptions())
	if err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Body: []byte("failover\n")}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if m := mta.WaitMessages(t, 1)[0]; m.Body != "failover\n" {
		t.Errorf("body %q", m.Body)
	}
	st := e.Status()
	if st[0].State() != "Not Available" || st[0].Priority != 1 || st[0].Err == nil ||
		!strings.Contains(st[0].Err.Error(), "refused") {
		t.Errorf("first server: %+v", st[0])
	}
	if st[1].State() != "Available" || st[1].Priority != 2 {
		t.Errorf("second server: %+v", st[1])
	}
	// Check probes both again, as "show call-home mail-server status"
	// does.
	st = e.Check(context.Background())
	if st[0].Available || !st[1].Available {
		t.Errorf("Check = %+v", st)
	}
}

func TestEmailAllServersDownIsRetryable(t *testing.T) {
	a, b := testserver.Addr(testserver.FreePort(t)), testserver.Addr(testserver.FreePort(t))
	e := newEmail(t, callHome(a, b), testOptions())
	err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Body: []byte("x\n")})
	if err == nil || !Retryable(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	if !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) {
		t.Errorf("error names not both servers: %v", err)
	}
}

func TestEmailRejectedRecipientIsPermanent(t *testing.T) {
	mta := testserver.StartExim(t)
	second := testserver.StartExim(t)
	e := newEmail(t, callHome(mta.Addr(), second.Addr()), testOptions())
	to := []string{"noc@example.com", "reject@example.com"}
	err := e.Send(context.Background(), Envelope{To: to, Body: []byte("x\n")})
	if err == nil || Retryable(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
	retry, failed := Undelivered(err, to)
	if len(retry) != 0 || len(failed) != 1 || failed[0] != "reject@example.com" {
		t.Errorf("retry %v failed %v", retry, failed)
	}
	es := Errors(err)
	if len(es) != 1 || es[0].Code != 550 || !strings.Contains(es[0].Error(), "refused by policy") {
		t.Errorf("errors %v", es)
	}
	ms := mta.WaitMessages(t, 1)
	if got := ms[0].Header.Get("Envelope-to"); got != "noc@example.com" {
		t.Errorf("delivered to %q", got)
	}
	// A permanent refusal is final: the second server is not asked. Send
	// has returned, so any session with it has ended, and exim logs what
	// it accepts or refuses before it answers the QUIT (as the first
	// server's log shows).
	if log := mta.Log(t); !strings.Contains(log, " <= ") || !strings.Contains(log, "rejected RCPT <reject@example.com>") {
		t.Errorf("first server's log:\n%s", log)
	}
	if log := second.Log(t); strings.Contains(log, " <= ") || strings.Contains(log, "rejected") {
		t.Errorf("second server was asked:\n%s", log)
	}
	if n := len(second.Messages(t)); n != 0 {
		t.Errorf("second server got %d messages", n)
	}
	if st := e.Status(); !st[0].Available || !st[1].Checked.IsZero() {
		t.Errorf("status %+v", st)
	}
}

func TestEmailTemporaryRefusalFailsOver(t *testing.T) {
	first := testserver.StartExim(t)
	second := testserver.StartExim(t)
	e := newEmail(t, callHome(first.Addr(), second.Addr()), testOptions())
	// Both exims defer tempfail@: it is retryable, after both were tried.
	to := []string{"tempfail@example.com", "noc@example.com"}
	err := e.Send(context.Background(), Envelope{To: to, Body: []byte("x\n")})
	if err == nil || !Retryable(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	retry, failed := Undelivered(err, to)
	if len(retry) != 1 || retry[0] != "tempfail@example.com" || len(failed) != 0 {
		t.Errorf("retry %v failed %v", retry, failed)
	}
	if !strings.Contains(err.Error(), "451") {
		t.Errorf("err = %v", err)
	}
	first.WaitMessages(t, 1)
	if st := e.Status(); !st[0].Available || !st[1].Available {
		t.Errorf("status %+v", st)
	}
}

// fakeSMTP is an in-process server for the two failures a real MTA cannot
// be made to produce on demand: never answering, and dropping the
// connection in the middle of a session.
type fakeSMTP struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// startFakeSMTP serves every connection with serve until the test ends.
func startFakeSMTP(t *testing.T, serve func(net.Conn)) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c)
			f.mu.Unlock()
			f.wg.Add(1)
			go func() { defer f.wg.Done(); serve(c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *fakeSMTP) Addr() string { return f.ln.Addr().String() }

// hang accepts and never says a word: read until the client goes.
func hang(c net.Conn) { _, _ = bufio.NewReader(c).ReadString(0) }

// dropAtMail greets, answers EHLO, and closes the connection when the
// client starts a mail.
func dropAtMail(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	_, _ = c.Write([]byte("220 fake ESMTP\r\n"))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"):
			_, _ = c.Write([]byte("250-fake\r\n250 8BITMIME\r\n"))
		case strings.HasPrefix(cmd, "MAIL"):
			return
		default:
			_, _ = c.Write([]byte("250 ok\r\n"))
		}
	}
}

func TestEmailHangingServerTimesOut(t *testing.T) {
	// In-process fake: a real MTA cannot be made to accept and then stay
	// silent.
	f := startFakeSMTP(t, hang)
	opts := testOptions()
	opts.DialTimeout = 300 * time.Millisecond // the greeting wait
	e := newEmail(t, callHome(f.Addr()), opts)
	start := time.Now()
	err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Body: []byte("x\n")})
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Send took %v", el)
	}
	if err == nil || !Retryable(err) || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("err = %v, want a retryable timeout", err)
	}
	if st := e.Status()[0]; st.Available {
		t.Errorf("status %+v", st)
	}
}

func TestEmailHangingServerFailsOver(t *testing.T) {
	// In-process fake: see TestEmailHangingServerTimesOut.
	f := startFakeSMTP(t, hang)
	mta := testserver.StartExim(t)
	opts := testOptions()
	opts.DialTimeout = 300 * time.Millisecond
	e := newEmail(t, callHome(f.Addr(), mta.Addr()), opts)
	if err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Body: []byte("x\n")}); err != nil {
		t.Fatal(err)
	}
	mta.WaitMessages(t, 1)
	if st := e.Status(); st[0].Available || !st[1].Available {
		t.Errorf("status %+v", st)
	}
}

func TestEmailCancelUnblocksHangingServer(t *testing.T) {
	// In-process fake: see TestEmailHangingServerTimesOut.
	f := startFakeSMTP(t, hang)
	opts := testOptions()
	opts.DialTimeout = time.Minute
	e := newEmail(t, callHome(f.Addr()), opts)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := e.Send(ctx, Envelope{To: []string{"noc@example.com"}, Body: []byte("x\n")})
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Send took %v after its context ended", el)
	}
	if err == nil || !Retryable(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestEmailDroppedConnectionIsRetryable(t *testing.T) {
	// In-process fake: a real MTA cannot be made to drop a session at a
	// chosen command.
	f := startFakeSMTP(t, dropAtMail)
	e := newEmail(t, callHome(f.Addr()), testOptions())
	err := e.Send(context.Background(), Envelope{To: []string{"noc@example.com"}, Body: []byte("x\n")})
	if err == nil || !Retryable(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	if !strings.Contains(err.Error(), "MAIL FROM") {
		t.Errorf("err = %v", err)
	}
	if st := e.Status()[0]; st.Available {
		t.Errorf("status %+v", st)
	}
}

func TestEmailConfigurationErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		ch   *config.CallHome
		env  Envelope
		want string
	}{
		{"no sender", &config.CallHome{MailServers: []config.MailServer{{Address: "127.0.0.1", Priority: 1}}},
			Envelope{To: []string{"a@example.com"}}, "sender from"},
		{"no server", &config.CallHome{SenderFrom: "a@example.com"},
			Envelope{To: []string{"a@example.com"}}, "mail-server"},
		{"no recipient", callHome("127.0.0.1"), Envelope{}, "destination address email"},
		{"bad recipient", callHome("127.0.0.1"), Envelope{To: []string{"not an address"}}, "not an address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEmail(t, tc.ch, testOptions())
			err := e.Send(context.Background(), tc.env)
			if err == nil || Retryable(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want permanent mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := NewEmail(&config.CallHome{SenderFrom: "bad address"}, Options{}); err == nil {
		t.Error("a bad sender from was accepted")
	}
}

func TestErrorsAndUndelivered(t *testing.T) {
	to := []string{"a", "b", "c"}
	err := errors.Join(
		&Error{Transport: NameHTTP, Dest: []string{"a"}, Retry: true, Err: errors.New("500")},
		&Error{Transport: NameHTTP, Dest: []string{"c"}, Err: errors.New("404")},
	)
	retry, failed := Undelivered(err, to)
	if strings.Join(retry, ",") != "a" || strings.Join(failed, ",") != "c" {
		t.Errorf("retry %v failed %v", retry, failed)
	}
	if !Retryable(err) {
		t.Error("not retryable")
	}
	if r, f := Undelivered(&Error{Retry: true}, to); len(r) != 3 || len(f) != 0 {
		t.Errorf("whole-envelope error: %v %v", r, f)
	}
	if r, _ := Undelivered(context.Canceled, to); len(r) != 3 {
		t.Errorf("unclassified error: %v", r)
	}
	if Retryable(nil) {
		t.Error("nil is retryable")
	}
}
