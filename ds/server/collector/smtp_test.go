package collector

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/transport"
	"github.com/dsengine/dsengine/ds/server/store"
)

// TestSMTP: the device end's own email transport delivers to the SMTP
// listener; a wrong token is refused for good, a database that is gone
// is a temporary failure.
func TestSMTP(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.SQLiteFile)
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := New(Options{Store: st, Tokens: StaticTokens{"tok-1": "user1"}})
	srv := NewSMTP(c, "collector.test")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	email, err := transport.NewEmail(&config.CallHome{SenderFrom: "edge-1@example.com",
		MailServers: []config.MailServer{{Address: "127.0.0.1", Priority: 1}}},
		transport.Options{SMTPPort: l.Addr().(*net.TCPAddr).Port, HelloName: "edge-1"})
	if err != nil {
		t.Fatal(err)
	}
	send := func(to, golden string) error {
		body, err := os.ReadFile("../../notify/callhome/testdata/" + golden)
		if err != nil {
			t.Fatal(err)
		}
		ct := transport.ContentType(config.FormatLongText)
		if strings.HasSuffix(golden, ".xml.golden") {
			ct = transport.ContentType(config.FormatXML)
		}
		return email.Send(context.Background(), transport.Envelope{ID: "<" + golden + "@edge-1>", To: []string{to}, Subject: "x", ContentType: ct, Body: body})
	}
	if err := send("callhome+tok-1@collector.test", "ds.long.txt.golden"); err != nil {
		t.Fatal(err)
	}
	if err := send("tok-1@collector.test", "syslog.xml.golden"); err != nil {
		t.Fatal(err)
	}
	if err := send("callhome+wrong@collector.test", "test.long.txt.golden"); err == nil || transport.Retryable(err) {
		t.Errorf("wrong token: %v, want a permanent failure", err)
	}
	l2, _ := st.Messages(context.Background(), store.Filter{})
	if len(l2) != 2 || l2[1].DSID != "6030" || l2[1].Format != FormatLong || l2[0].Type != "syslog" {
		t.Fatalf("stored: %+v", l2)
	}
	m, _ := st.Message(context.Background(), l2[1].ID)
	a, _ := st.Attachment(context.Background(), m.ID, 1)
	if len(m.Attachments) != 2 || !strings.HasSuffix(string(a.Data), "edge-1#") {
		t.Errorf("attachments %+v %q", m.Attachments, a.Data)
	}
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
	if err := send("tok-1@collector.test", "test.long.txt.golden"); err == nil || !transport.Retryable(err) {
		t.Errorf("database gone: %v, want a temporary failure", err)
	}
}
