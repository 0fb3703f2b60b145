package collector

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/server/store"
	"github.com/dsengine/dsengine/internal/testserver"
)

var now = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func newCollector(t *testing.T) (*httptest.Server, *store.SQL) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.SQLiteFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := New(Options{Store: st, Tokens: StaticTokens{"tok-1": "user1"}, Now: func() time.Time { return now }})
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv, st
}

func golden(t *testing.T, name string) []byte {
	b, err := os.ReadFile("../../notify/callhome/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func post(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func count(t *testing.T, st *store.SQL) int64 {
	n, err := st.CountMessages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCollectorAuth(t *testing.T) {
	srv, st := newCollector(t)
	body := golden(t, "ds.xml.golden")
	for _, c := range []struct {
		name, path, user, pass string
		want                   int
	}{
		{"no token", "/ch/", "", "", 401},
		{"wrong token", "/ch/tok-2", "", "", 401},
		{"wrong basic", "/ch/", "user1", "nope", 401},
		{"token", "/ch/tok-1", "", "", 200},
		{"basic", "/ch/", "user1", "tok-1", 200},
	} {
		req, _ := http.NewRequest("POST", srv.URL+c.path, bytes.NewReader(body))
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		code, msg := post(t, req)
		if code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, code, msg, c.want)
		}
		if c.want == 401 && count(t, st) != 0 {
			t.Fatalf("%s: stored", c.name)
		}
	}
	// the second post was the same message (a retry): stored once
	if n := count(t, st); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	l, _ := st.Messages(context.Background(), store.Filter{})
	if l[0].Hostname != "edge-1" || l[0].DSID != "6030" || l[0].MessageID != "M8:8F3C2A91D04E:6631FA23" {
		t.Errorf("%+v", l[0])
	}
}

// endless yields n bytes without holding them.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	e.n -= k
	return int(k), nil
}

func TestCollectorTooLarge(t *testing.T) {
	srv, st := newCollector(t)
	const size = 50 << 20
	// announced length, and chunked (no length)
	for _, chunked := range []bool{false, true} {
		prefix := golden(t, "ds.long.txt.golden")
		var r io.Reader = io.MultiReader(bytes.NewReader(prefix), &endless{size})
		req, _ := http.NewRequest("POST", srv.URL+"/ch/tok-1", r)
		if !chunked {
			req.ContentLength = int64(len(prefix)) + size
		}
		resp, err := http.DefaultClient.Do(req)
		// The server may close the connection before the client has sent
		// everything; then the client sees an error, and nothing is stored.
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("chunked %v: %s, want 413", chunked, resp.Status)
			}
		}
		if n := count(t, st); n != 0 {
			t.Errorf("chunked %v: %d stored", chunked, n)
		}
	}
}

func TestCollectorRefused(t *testing.T) {
	srv, st := newCollector(t)
	for _, body := range []string{
		`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Envelope>&a;</Envelope>`,
		`<Envelope>&ent;</Envelope>`,
		"not a message",
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/ch/tok-1", strings.NewReader(body))
		if code, msg := post(t, req); code != 400 || !strings.Contains(msg, "refused") {
			t.Errorf("%q: %d %s", body, code, msg)
		}
	}
	if count(t, st) != 0 {
		t.Error("stored")
	}
}

// TestCollectorDatabaseGone: posts while the database file is deleted are
// answered 503 (the device retries); the retry is stored.
func TestCollectorDatabaseGone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, store.SQLiteFile)
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(New(Options{Store: st, Tokens: StaticTokens{"tok-1": "user1"}}))
	defer srv.Close()
	send := func(name string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/ch/tok-1", bytes.NewReader(golden(t, name)))
		code, _ := post(t, req)
		return code
	}
	if c := send("syslog.xml.golden"); c != 200 {
		t.Fatal(c)
	}
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(path + s)
	}
	if c := send("ds.xml.golden"); c != 503 {
		t.Fatalf("database deleted: %d, want 503", c)
	}
	if c := send("ds.xml.golden"); c != 200 {
		t.Fatalf("retry: %d, want 200", c)
	}
	if l, _ := st.Messages(context.Background(), store.Filter{}); len(l) != 1 || l[0].DSID != "6030" {
		t.Errorf("after: %+v", l)
	}
}

// TestCollectorPostgresDropped: while PostgreSQL is down, posts are
// answered 503 (devices retry from their outbox); once it is back the
// retry is stored and nothing is lost.
func TestCollectorPostgresDropped(t *testing.T) {
	pg := testserver.StartPostgres(t)
	st, err := store.Open(context.Background(), pg.URL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutToken(context.Background(), "user1", "tok-1"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Options{Store: st, Tokens: &StoreTokens{Store: st}}))
	defer srv.Close()
	send := func(name string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/ch/tok-1", bytes.NewReader(golden(t, name)))
		code, _ := post(t, req)
		return code
	}
	if c := send("syslog.xml.golden"); c != 200 {
		t.Fatal(c)
	}
	pg.Stop(t)
	for _, name := range []string{"ds.xml.golden", "test.long.txt.golden"} {
		if c := send(name); c != 503 {
			t.Fatalf("%s while the database is down: %d, want 503", name, c)
		}
	}
	pg.Start(t)
	for _, name := range []string{"ds.xml.golden", "test.long.txt.golden"} {
		if c := send(name); c != 200 {
			t.Fatalf("%s once it is back: %d, want 200", name, c)
		}
	}
	if n := count(t, st); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
}
