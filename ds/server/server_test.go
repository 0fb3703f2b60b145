package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/repo/repotest"
	"github.com/dsengine/dsengine/ds/server/collector"
	"github.com/dsengine/dsengine/ds/server/store"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// serve runs one request through h.
var serve = testserver.Serve

// TestTree: the repository under /repo/ answers as `repo serve` does (503
// until it is built), a DS request also records the device's DS statuses,
// the collector is under /ch/ and the console at /.
func TestTree(t *testing.T) {
	data := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(data, store.SQLiteFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := t0.Add(time.Minute)
	s, err := New(Options{DataDir: data, Store: st, Now: func() time.Time { return now }, Tokens: collector.StaticTokens{"tok": "user1"}})
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(s, "GET", "/repo/index.xml", ""); w.Code != 503 || !strings.Contains(w.Body.String(), "repo build") {
		t.Errorf("no repository yet: %d %s", w.Code, w.Body)
	}
	dir := filepath.Join(data, RepoDir)
	os.MkdirAll(dir, 0o755)
	key := repotest.NewKey(t, "Publisher", t0.Add(-24*time.Hour))
	key.WriteDS(t, dir, "6030", "1.1", "", t0)
	if _, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: func() time.Time { return t0 }}); err != nil {
		t.Fatal(err)
	}
	if w := serve(s, "GET", "/repo/index.xml", ""); w.Code != 200 || !strings.Contains(w.Body.String(), "6030") {
		t.Errorf("GET /repo/index.xml: %d", w.Code)
	}
	body := `<DSRequest hostname="edge-1" serial="S1" profile="user1"><DS id="6030" revision="1.0" status="registered"/></DSRequest>`
	if w := serve(s, "POST", "/repo/request", body); w.Code != 200 || w.Header().Get(repo.SignatureHeader) == "" {
		t.Fatalf("POST /repo/request: %d %s", w.Code, w.Body)
	}
	x, err := st.DSDevices(context.Background(), "6030")
	if err != nil || len(x) != 1 || x[0].Hostname != "edge-1" || x[0].Status != "registered" || x[0].Revision != "1.0" {
		t.Errorf("DS statuses after the request: %+v %v", x, err)
	}
	if w := serve(s, "POST", "/ch/nope", "x"); w.Code != 401 {
		t.Errorf("collector: %d", w.Code)
	}
	if w := serve(s, "GET", "/", ""); w.Code != http.StatusSeeOther {
		t.Errorf("console: %d", w.Code)
	}
	// the console's DS page reads the repository's index
	if w := serve(s, "GET", "/ds", ""); w.Code != http.StatusSeeOther {
		t.Errorf("console /ds without a session: %d", w.Code)
	}
}
