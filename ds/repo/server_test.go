package repo_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/verify"
	"github.com/dsengine/dsengine/internal/testserver"
)

// builtRepo builds a repository of two DS and returns its directory.
func builtRepo(t *testing.T) (string, func(now time.Time)) {
	t.Helper()
	key := newKey(t)
	dir := t.TempDir()
	key.WriteDS(t, dir, "6030", "1.1", "", t0)
	key.WriteDS(t, dir, "6015", "1.0", "", t0)
	if _, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(t0)}); err != nil {
		t.Fatal(err)
	}
	rebuild := func(now time.Time) {
		key.WriteDS(t, dir, "6030", "1.2", "", now)
		if _, err := repo.Build(dir, key.Signing, repo.BuildOptions{Now: at(now)}); err != nil {
			t.Fatal(err)
		}
	}
	return dir, rebuild
}

// serve runs one request through h.
var serve = testserver.Serve

func TestServerRequest(t *testing.T) {
	dir, rebuild := builtRepo(t)
	now := t0.Add(time.Minute)
	s, err := repo.NewServer(dir, repo.ServerOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	body := `<DSRequest hostname="edge-1" serial="S1" profile="user1"><DS id="6030" revision="1.0" status="registered"/></DSRequest>`
	w := serve(s, "POST", "/request", body)
	if w.Code != 200 {
		t.Fatalf("POST /request: %d %s", w.Code, w.Body)
	}
	index := readFile(t, filepath.Join(dir, "index.xml"))
	asc := readFile(t, filepath.Join(dir, "index.xml.asc"))
	if w.Body.String() != string(index) {
		t.Fatal("the answer is not index.xml as built")
	}
	sig, err := base64.StdEncoding.DecodeString(w.Header().Get(repo.SignatureHeader))
	if err != nil || string(sig) != string(asc) {
		t.Fatalf("X-DS-Signature is not index.xml.asc in base64: %v", err)
	}

	// The device's statuses are kept in memory, in devices.json and
	// served at /devices.
	devs := s.Devices()
	if len(devs) != 1 || devs[0].Hostname != "edge-1" || devs[0].Serial != "S1" || devs[0].Profile != "user1" ||
		devs[0].Served != 1 || len(devs[0].DS) != 1 || devs[0].DS[0].Revision != "1.0" || !devs[0].LastSeen.Equal(now) {
		t.Fatalf("devices %+v", devs)
	}
	var fromFile []repo.Device
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, repo.DevicesFile)), &fromFile); err != nil || len(fromFile) != 1 || fromFile[0].DS[0].ID != "6030" {
		t.Fatalf("devices.json: %v %+v", err, fromFile)
	}
	w = serve(s, "GET", "/devices", "")
	var fromHTTP []repo.Device
	if err := json.Unmarshal(w.Body.Bytes(), &fromHTTP); err != nil || len(fromHTTP) != 1 || fromHTTP[0].Hostname != "edge-1" {
		t.Fatalf("GET /devices: %v %s", err, w.Body)
	}

	// A rebuilt index is answered from then on; a restarted server
	// remembers the devices.
	rebuild(t0.Add(time.Hour))
	w = serve(s, "POST", "/request", strings.Replace(body, "edge-1", "edge-2", 1))
	ix, err := verify.ParseIndex("answer", w.Body.Bytes())
	if err != nil || ix.Version != 2 {
		t.Fatalf("after the rebuild: %v %v", ix, err)
	}
	s2, err := repo.NewServer(dir, repo.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := s2.Devices(); len(d) != 2 || d[1].Served != 2 {
		t.Fatalf("restarted server devices %+v", d)
	}
}

func TestServerRoutes(t *testing.T) {
	dir, _ := builtRepo(t)
	s, err := repo.NewServer(dir, repo.ServerOptions{MaxDevices: 1})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, target, body string
		code                 int
	}{
		{"GET", "/index.xml", "", 200},
		{"HEAD", "/index.xml", "", 200},
		{"GET", "/index.xml.asc", "", 200},
		{"GET", "/ds/6030-1.1.xml", "", 200},
		{"GET", "/ds/6030-1.1.xml.asc", "", 200},
		{"GET", "/ds/6030-9.9.xml", "", 404},
		{"GET", "/ds/../index.xml", "", 404},
		{"GET", "/ds/..%2findex.xml", "", 404},
		{"GET", "/devices.json", "", 404},
		{"GET", "/6030.xml", "", 404},
		{"GET", "/request", "", 405},
		{"POST", "/index.xml", "", 405},
		{"PUT", "/ds/6030-1.1.xml", "x", 405},
		{"POST", "/request", `<DSRequest/>`, 400},
		{"POST", "/request", `<DSRequest hostname="a">` + strings.Repeat(" ", repo.MaxRequestSize) + `</DSRequest>`, 413},
		{"POST", "/request", `<DSRequest hostname="a"/>`, 200},
		{"POST", "/request", `<DSRequest hostname="b"/>`, 503}, // MaxDevices
	}
	for _, c := range cases {
		w := serve(s, c.method, c.target, c.body)
		if w.Code != c.code {
			t.Errorf("%s %s: %d, want %d (%s)", c.method, c.target, w.Code, c.code, strings.TrimSpace(w.Body.String()))
		}
	}
}

func TestNewServerNeedsIndex(t *testing.T) {
	_, err := repo.NewServer(t.TempDir(), repo.ServerOptions{})
	if err == nil || !strings.Contains(err.Error(), "repo build") {
		t.Fatalf("err = %v", err)
	}
}

// A rebuild that leaves a broken index.xml does not stop the server: it
// keeps answering the last good index.
func TestServerKeepsGoodIndex(t *testing.T) {
	dir, _ := builtRepo(t)
	s, err := repo.NewServer(dir, repo.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	good := readFile(t, filepath.Join(dir, "index.xml"))
	if err := os.WriteFile(filepath.Join(dir, "index.xml"), []byte("<broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := serve(s, "POST", "/request", `<DSRequest hostname="a"/>`)
	if w.Code != 200 || w.Body.String() != string(good) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
