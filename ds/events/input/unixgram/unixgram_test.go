package unixgram

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/inputtest"
	"github.com/dsengine/dsengine/internal/testserver"
)

var fixed = time.Date(2026, time.November, 23, 15, 0, 0, 0, time.UTC)

func start(t *testing.T, o Options) (*Input, *input.Queue, *inputtest.Running) {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return fixed }
	}
	in, err := Listen(filepath.Join(t.TempDir(), "log.sock"), o)
	if err != nil {
		t.Fatal(err)
	}
	q := input.NewQueue(16, 0)
	return in, q, inputtest.Start(t, in, q)
}

func send(t *testing.T, in *Input, payloads ...[]byte) {
	t.Helper()
	c, err := net.Dial("unixgram", in.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range payloads {
		if _, err := c.Write(p); err != nil {
			t.Fatalf("send %d bytes: %v", len(p), err)
		}
	}
}

func TestLogger(t *testing.T) {
	testserver.Require(t, "logger")
	in, q, r := start(t, Options{})
	fi, err := os.Lstat(in.Path())
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != DefaultMode {
		t.Fatalf("socket file %v, %v", fi.Mode(), err)
	}
	out, err := exec.Command("logger", "-u", in.Path(), "-t", "app", "-p", "local7.notice",
		"%LINK-3-UPDOWN: Interface Gi1/0/2, changed state to down").CombinedOutput()
	if err != nil {
		t.Fatalf("logger: %v\n%s", err, out)
	}
	it := inputtest.Collect(t, q, 1)[0]
	m := inputtest.Parse(it)
	// logger writes the local form, without a host name:
	// "<189>Nov 23 15:43:29 app: %LINK-3-UPDOWN: ...". (syslogmsg does not
	// take "app" for the tag of that form, so AppName is not checked.)
	if !bytes.HasPrefix(it.Line, []byte("<189>")) || !bytes.Contains(it.Line, []byte(" app: %LINK-3-UPDOWN: ")) {
		t.Errorf("line %q", it.Line)
	}
	if m.Priority != 23*8+5 || m.Tag != "LINK-3-UPDOWN" || m.Text != "Interface Gi1/0/2, changed state to down" {
		t.Errorf("priority %d tag %q text %q: %q", m.Priority, m.Tag, m.Text, it.Line)
	}
	if it.Received != fixed || it.Input != "unix:"+in.Path() || it.Peer.IsValid() {
		t.Errorf("item %+v", it)
	}
	if s := in.Stats(); s.Received != 1 || s.Delivered != 1 {
		t.Errorf("stats %+v", s)
	}
	r.Stop(t)
	if _, err := os.Lstat(in.Path()); !os.IsNotExist(err) {
		t.Errorf("socket file left behind: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	in, q, _ := start(t, Options{Options: input.Options{MaxLine: 1024}})
	big := bytes.Repeat([]byte("z"), 100_000)
	odd := []byte("<13>a\x00b\xff\xfe\n")
	send(t, in, big, []byte{}, []byte("\n"), odd, []byte("<13>after"))
	items := inputtest.Collect(t, q, 3)
	if !bytes.Equal(items[0].Line, big[:1024]) || !items[0].Truncated {
		t.Errorf("big: %d bytes, truncated %v", len(items[0].Line), items[0].Truncated)
	}
	if string(items[1].Line) != "<13>a\x00b\xff\xfe" || string(items[2].Line) != "<13>after" {
		t.Errorf("got %q", inputtest.Lines(items[1:]))
	}
	if s := in.Stats(); s.Received != 3 || s.Delivered != 3 || s.Oversize != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestExistingPath(t *testing.T) {
	dir := t.TempDir()

	// A socket left behind by a process that is gone is replaced.
	stale := filepath.Join(dir, "stale.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: stale, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close() // a unixgram socket's file stays
	in, err := Listen(stale, Options{Mode: 0o600})
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	if fi, _ := os.Lstat(stale); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}

	// A live one is not.
	if _, err := Listen(stale, Options{}); err == nil || !strings.Contains(err.Error(), "already listening") {
		t.Errorf("live socket: %v", err)
	}
	if err := in.Close(); err != nil {
		t.Error(err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("Close left the socket file: %v", err)
	}

	// Nor is a regular file.
	file := filepath.Join(dir, "file")
	testserver.WriteFile(t, file, "keep me", 0o644)
	if _, err := Listen(file, Options{}); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("regular file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Error("regular file changed")
	}
}

func TestStopLeavesAReplacedSocket(t *testing.T) {
	checkGoroutines := inputtest.Goroutines(t)
	in, _, r := start(t, Options{})
	// Someone else took the path meanwhile: Run must not remove their file.
	if err := os.Remove(in.Path()); err != nil {
		t.Fatal(err)
	}
	other, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: in.Path(), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	r.Stop(t)
	if _, err := os.Lstat(in.Path()); err != nil {
		t.Errorf("the other socket was removed: %v", err)
	}
	checkGoroutines()
}
