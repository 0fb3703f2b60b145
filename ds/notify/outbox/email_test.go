package outbox

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/transport"
	"github.com/dsengine/dsengine/internal/testserver"
)

func newEmail(t *testing.T, clk *clock.Virtual, servers ...string) transport.Transport {
	t.Helper()
	ch := &config.CallHome{SenderFrom: "dsengine@example.com", SenderReplyTo: "netops@example.com"}
	for i, s := range servers {
		ch.MailServers = append(ch.MailServers, config.MailServer{Address: s, Priority: i + 1})
	}
	e, err := transport.NewEmail(ch, transport.Options{
		Clock: clk, HelloName: "edge-1.example.com",
		DialTimeout: 300 * time.Millisecond, CommandTimeout: 300 * time.Millisecond, DataTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func emailTo(addrs ...string) map[string][]string {
	return map[string][]string{transport.NameEmail: addrs}
}

func TestCallHomeEmailThroughTheOutbox(t *testing.T) {
	mta := testserver.StartExim(t)
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	o := newOutbox(t, store, clk, newEmail(t, clk, mta.Addr()))
	o.Start()
	msg := dsMessage(emailTo("noc@example.com"))
	msg.Subject = transport.Subject("edge-1", "diagnostic-signature", "6030", t0)
	if err := o.Enqueue(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	m := mta.WaitMessages(t, 1)[0]
	waitFor(t, "success", func() bool { return o.Stats().Snapshot().Success[TypeDS].Email == 1 })
	if got := m.Header.Get("Subject"); got != "System Notification From edge-1 - diagnostic-signature:6030 - 2026-11-23 14:00:00 GMT+00:00" {
		t.Errorf("subject %q", got)
	}
	if m.Header.Get("From") != "dsengine@example.com" || m.Body != "<CallHome>6030</CallHome>\n" ||
		!strings.HasPrefix(m.Header.Get("Message-Id"), "<20261123T140000.000000000Z-") {
		t.Errorf("headers %v, body %q", m.Header, m.Body)
	}
}

func TestSMTPRejectionIsPermanentAndNotRetried(t *testing.T) {
	mta := testserver.StartExim(t)
	clk := clock.NewVirtual(t0)
	store := openStore(t, t.TempDir(), clk)
	defer store.Close()
	// One worker: a retry the clock released would be sent before the
	// sentinel below. Exim logs a refusal before it answers the QUIT that
	// ends the session, so every attempt is in its log once the sentinel
	// is delivered.
	o := newOutboxWith(t, store, Options{Transports: []transport.Transport{newEmail(t, clk, mta.Addr())}, Clock: clk, Workers: 1})
	o.Start()
	if err := o.Enqueue(context.Background(), dsMessage(emailTo("reject@example.com"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "failure", func() bool { return o.Stats().Snapshot().Failed[TypeDS].Email == 1 })
	clk.Advance(time.Hour)
	if err := o.Enqueue(context.Background(), dsMessage(emailTo("noc@example.com"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sentinel", func() bool { return o.Stats().Snapshot().Success[TypeDS].Email == 1 })
	if n := strings.Count(mta.Log(t), "rejected RCPT <reject@example.com>"); n != 1 {
		t.Errorf("exim saw %d attempts:\n%s", n, mta.Log(t))
	}
	if clk.Pending() != 0 || o.Len() != 0 {
		t.Errorf("timers %d, outbox %d", clk.Pending(), o.Len())
	}
}

// fakeSMTP serves connections with an in-process function: for the two
// failures a real MTA cannot be made to produce on demand (staying silent
// after accepting, dropping the session at a chosen command).
func fakeSMTP(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); serve(c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func TestSMTPFailuresThatMayPassAreRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve func(net.Conn)
	}{
		// Accepts and never answers.
		{"hang", func(c net.Conn) { _, _ = bufio.NewReader(c).ReadString(0) }},
		// Greets, answers EHLO, closes when the mail starts.
		{"drop", func(c net.Conn) {
			defer c.Close()
			r := bufio.NewReader(c)
			_, _ = c.Write([]byte("220 fake ESMTP\r\n"))
			for {
				line, err := r.ReadString('\n')
				if err != nil || strings.HasPrefix(strings.ToUpper(line), "MAIL") {
					return
				}
				_, _ = c.Write([]byte("250 fake\r\n"))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := fakeSMTP(t, tc.serve)
			clk := clock.NewVirtual(t0)
			store := openStore(t, t.TempDir(), clk)
			defer store.Close()
			o := newOutbox(t, store, clk, newEmail(t, clk, addr))
			o.Start()
			if err := o.Enqueue(context.Background(), dsMessage(emailTo("noc@example.com"))); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a retry timer", func() bool { return clk.Pending() == 1 })
			st := o.Stats().Snapshot()
			if st.InQueue[TypeDS].Email != 1 || st.Failed.Total().Total() != 0 || o.Len() != 1 {
				t.Errorf("stats %+v, outbox %d", st, o.Len())
			}
			if next, _ := clk.Next(); next.Sub(clk.Now()) != DefaultInitialBackoff {
				t.Errorf("retry in %v", next.Sub(clk.Now()))
			}
		})
	}
}
