package lifecycle

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/download"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/verify"
	"github.com/dsengine/dsengine/internal/regularfile"
	"github.com/dsengine/dsengine/internal/testserver"
)

// unblockFIFO opens path for writing when the test ends, so that a reader
// the code under test left blocked in open() on it returns.
func unblockFIFO(t *testing.T, path string) {
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}

// TestInstallFileRefusesSpecialFiles: a named pipe (no writer: an open()
// of it blocks), a device or a directory named as a DS file or as its
// signature is refused at once, and nothing is installed.
func TestInstallFileRefusesSpecialFiles(t *testing.T) {
	p := newPublisher(t)
	root, work := t.TempDir(), t.TempDir()
	store, m := openManager(t, root, p, nil, linux)

	fifo := filepath.Join(work, "7201.xml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	unblockFIFO(t, fifo)
	p.file(t, work, "7202", dsXML("7202"))
	ascFIFO := filepath.Join(work, "7202.xml.asc")
	os.Remove(ascFIFO)
	if err := syscall.Mkfifo(ascFIFO, 0o644); err != nil {
		t.Fatal(err)
	}
	unblockFIFO(t, ascFIFO)
	device := filepath.Join(work, "7203.xml")
	if err := os.Symlink("/dev/zero", device); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "7204.xml")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, filepath.Join(work, "7202.xml"), device, dir} {
		done := make(chan error, 1)
		go func() { _, err := m.InstallFile(path, nil, nil); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, regularfile.ErrNotRegular) {
				t.Errorf("InstallFile(%s): %v, want it refused as not a regular file", filepath.Base(path), err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("InstallFile(%s) blocked", filepath.Base(path))
		}
	}
	if n := len(store.List()); n != 0 {
		t.Errorf("%d DS installed, want none", n)
	}
}

// TestCanceledDownloadInstallsNothing: a download canceled after its DS
// were fetched (Ctrl-C on the CLI, the daemon stopping) installs none of
// them, and says so.
func TestCanceledDownloadInstallsNothing(t *testing.T) {
	work := t.TempDir()
	pub, sec, err := verify.GenerateKey("Test", "test@example.com", "ed25519", testNow.Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	key, err := verify.ParseSigningKey("test-secret.asc", sec, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := verify.ParseKeyring("test-public.asc", pub)
	if err != nil {
		t.Fatal(err)
	}
	p := publisher{key, keys}
	repoDir := filepath.Join(work, "repo")
	os.Mkdir(repoDir, 0o755)
	for _, id := range []string{"7301", "7302"} {
		p.file(t, repoDir, id, dsXML(id))
	}
	if _, err := repo.Build(repoDir, key, repo.BuildOptions{Now: func() time.Time { return testNow }}); err != nil {
		t.Fatal(err)
	}
	ca := testserver.NewTestCA(t, t.TempDir())
	cert, err := tls.LoadX509KeyPair(ca.CertFile, ca.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	files := http.FileServer(http.Dir(repoDir))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		files.ServeHTTP(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	keyFile := filepath.Join(work, "public.asc")
	if err := os.WriteFile(keyFile, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := iosconfig.Parse("dsengine.conf", []byte(`call-home
 profile "user1"
  destination transport-method http
  destination address http https://collector.example.com/callhome
 diagnostic-signature
  profile user1
  repository `+srv.URL+`
  repository-ca `+ca.CAFile+`
  trust-key `+keyFile+`
`))
	if err != nil {
		t.Fatal(err)
	}
	store, m := openManager(t, t.TempDir(), p, nil, linux)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := m.Download(ctx, cfg, DownloadRequest{Forced: true, Clock: clock.NewVirtual(testNow),
		Progress: func(pr download.Progress) {
			if pr.Done == pr.Total {
				cancel() // every DS fetched, none installed yet
			}
		}})
	if err == nil || res == nil || res.Failed != 2 {
		t.Errorf("canceled download: %v, %v; want both DS failed", res, err)
	}
	if n := len(store.List()); n != 0 {
		t.Errorf("%d DS installed after the cancel, want none", n)
	}
}
