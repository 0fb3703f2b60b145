package server

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/server/collector"
	"github.com/dsengine/dsengine/ds/server/console"
	"github.com/dsengine/dsengine/ds/server/store"
	"github.com/dsengine/dsengine/internal/testserver"
)

// Posters is how many devices post at once in BenchmarkCollect.
const Posters = 10

func benchServer(b *testing.B, st store.Store) *httptest.Server {
	srv, err := New(Options{Store: st, Tokens: collector.StaticTokens{"tok": "user1"}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	return ts
}

// BenchmarkCollect: messages stored per second with Posters devices
// posting the DS golden message (each with its own message id) at once.
func BenchmarkCollect(b *testing.B) {
	body, err := os.ReadFile("../notify/callhome/testdata/ds.xml.golden")
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, st store.Store) {
		ts := benchServer(b, st)
		tr := &http.Transport{MaxIdleConnsPerHost: Posters}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		var next, failed atomic.Int64
		b.SetBytes(int64(len(body)))
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for w := range Posters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				host := fmt.Sprintf("<ch:Name>edge-%d</ch:Name>", w)
				for {
					n := next.Add(1)
					if n > int64(b.N) {
						return
					}
					msg := bytes.Replace(body, []byte("<aml-session:MessageId>M8:"), []byte(fmt.Sprintf("<aml-session:MessageId>M%d:", n)), 1)
					msg = bytes.Replace(msg, []byte("<ch:Name>edge-1</ch:Name>"), []byte(host), 1)
					resp, err := client.Post(ts.URL+"/ch/tok", "application/xml", bytes.NewReader(msg))
					if err != nil {
						failed.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		if f := failed.Load(); f > 0 {
			b.Fatalf("%d posts failed", f)
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	}
	b.Run("sqlite", func(b *testing.B) {
		st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), store.SQLiteFile), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, st)
	})
	b.Run("postgres", func(b *testing.B) {
		pg := pgOnce(b)
		st, err := store.Open(context.Background(), pg, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, st)
	})
}

var (
	pgMu  sync.Mutex
	pgURL string
	pgN   int
)

// pgOnce starts one PostgreSQL for the benchmark and returns a URL of a
// fresh database in it.
func pgOnce(b *testing.B) string {
	pgMu.Lock()
	defer pgMu.Unlock()
	if pgURL == "" {
		pg := testserver.StartPostgres(b)
		pgURL = pg.URL
		b.Cleanup(func() { pgURL = "" })
	}
	pgN++
	name := fmt.Sprintf("bench%d", pgN)
	db, err := sql.Open("pgx", pgURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		b.Fatal(err)
	}
	return strings.Replace(pgURL, "/postgres?", "/"+name+"?", 1)
}

// ConsoleMessages is how many messages BenchmarkConsole stores first.
const ConsoleMessages = 100000

var (
	consoleOnce  sync.Once
	consoleStore *store.SQL
	consoleErr   error
)

// filled is a SQLite store with ConsoleMessages messages from 50 devices
// over the last 24 hours, made once per benchmark binary.
func filled(b *testing.B, now time.Time) *store.SQL {
	consoleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dsengine-bench-")
		if err != nil {
			consoleErr = err
			return
		}
		st, err := store.Open(context.Background(), filepath.Join(dir, store.SQLiteFile), store.Options{Now: func() time.Time { return now }})
		if err != nil {
			consoleErr = err
			return
		}
		types := []string{"diagnostic-signature", "syslog", "inventory", "configuration", "test"}
		var batch []*store.Message
		for i := range ConsoleMessages {
			m := &store.Message{Hostname: fmt.Sprintf("edge-%d", i%50), Serial: "S", ReceivedAt: now.Add(-time.Duration(i) * 24 * time.Hour / ConsoleMessages),
				Format: "xml", Type: types[i%len(types)], SubType: "x", Severity: i % 8, MessageID: fmt.Sprintf("M%d", i),
				Description: "a message", Fields: map[string]string{}, Raw: []byte("<raw/>"),
				Attachments: []store.Attachment{{Name: "show logging", Data: []byte(fmt.Sprintf("line %d of the log\n%%LINK-3-UPDOWN: Interface Gi1/0/%d down\n", i, i%48))}}}
			if m.Type == "diagnostic-signature" {
				m.DSID = fmt.Sprint(6030 + i%5)
			}
			batch = append(batch, m)
		}
		if consoleErr = st.SaveMessages(context.Background(), batch); consoleErr != nil {
			return
		}
		h, _ := console.HashPassword("bench-password")
		consoleErr = st.PutUser(context.Background(), store.User{Name: "bench", Hash: h, Role: store.RoleAdmin})
		consoleStore = st
	})
	if consoleErr != nil {
		b.Fatal(consoleErr)
	}
	return consoleStore
}

// BenchmarkConsole: the time of each console page with ConsoleMessages
// messages stored.
func BenchmarkConsole(b *testing.B) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	st := filled(b, now)
	srv, err := New(Options{Store: st, Now: func() time.Time { return now }, Tokens: collector.StaticTokens{}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(ts.URL + "/login")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	resp, err = c.PostForm(ts.URL+"/login", url.Values{"csrf": {string(csrf[1])}, "name": {"bench"}, "password": {"bench-password"}})
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("login: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	for _, p := range []struct{ name, path string }{
		{"devices", "/"},
		{"device", "/device/1"},
		{"message", "/message/5000"},
		{"attachment", "/message/5000/attachment/0"},
		{"ds", "/ds/6030"},
		{"chart", "/chart"},
		{"search-host", "/search?host=edge-7"},
		{"search-text", "/search?text=" + url.QueryEscape("Gi1/0/47 down")},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := c.Get(ts.URL + p.path)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || n == 0 {
					b.Fatalf("%s: %s", p.path, resp.Status)
				}
			}
		})
	}
}
