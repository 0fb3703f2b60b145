package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// TestMain lets a test run this binary as a helper process, as another
// user: a client of the daemon, or a squatter on the CLI's socket path.
func TestMain(m *testing.M) {
	switch os.Getenv("DSENGINE_CONTROL_HELPER") {
	case "client":
		os.Exit(helperClient(os.Args[1]))
	case "squatter":
		os.Exit(helperSquatter(os.Args[1]))
	}
	os.Exit(m.Run())
}

// helperClient sends one command and prints the answer or the error.
func helperClient(path string) int {
	resp, err := Call(context.Background(), path, Request{Args: []string{"show", "call-home"}})
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	fmt.Printf("exit %d: %s%s", resp.Code, resp.Stdout, resp.Stderr)
	return 0
}

// helperSquatter listens at path like a daemon would, answers a fake
// success at once, and reports what each client sent.
func helperSquatter(path string) int {
	l, err := net.Listen("unix", path)
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	os.Chmod(path, 0o666)
	fmt.Println("listening")
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		_ = json.NewEncoder(c).Encode(Response{Stdout: "FAKE OK\n"})
		got, _ := io.ReadAll(c)
		fmt.Printf("read %d bytes: %q\n", len(got), got)
		c.Close()
	}
}

// helper runs this test binary as u in the given mode and returns the
// lines it prints; it is killed when the test ends.
func helper(t *testing.T, u *testserver.User, mode, path string) <-chan string {
	t.Helper()
	cmd := u.Command(testserver.PublicTestBinary(t), path)
	cmd.Env = append(cmd.Env, "DSENGINE_CONTROL_HELPER="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// next is the helper's next line, within 10 s.
func next(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("the helper process ended without a line")
		}
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the helper process")
	}
	return ""
}

// TestClientOfAnotherUserIsRefused: a client running as a user other than
// the daemon's and root is refused, counted and logged, and its command is
// never run — even when the socket's mode would let it connect.
func TestClientOfAnotherUserIsRefused(t *testing.T) {
	other := testserver.AddUser(t)
	path := filepath.Join(testserver.SharedDir(t), "dsengine.sock")
	log := &syncWriter{}
	srv, err := Listen(path, slog.New(slog.NewTextHandler(log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil { // as if the operator opened it up
		t.Fatal(err)
	}
	var ran atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- srv.Serve(ctx, func(context.Context, Request) Response { ran.Add(1); return Response{Stdout: "ran\n"} })
	}()
	defer func() { cancel(); <-done }()

	line := next(t, helper(t, other, "client", path))
	if !strings.Contains(line, "exit 1: dsengine: refused: this daemon takes commands only from its own user") {
		t.Errorf("the other user's client got %q, want the refusal", line)
	}
	if ran.Load() != 0 {
		t.Errorf("the refused client's command ran")
	}
	if srv.Refused() != 1 {
		t.Errorf("Refused() = %d, want 1", srv.Refused())
	}
	if want := fmt.Sprintf("uid=%d", other.UID); !strings.Contains(log.String(), "client refused") || !strings.Contains(log.String(), want) {
		t.Errorf("log %q: want the refusal with %s", log.String(), want)
	}
	// The daemon's own user (root here) is still served.
	if resp, err := Call(context.Background(), path, Request{}); err != nil || resp.Stdout != "ran\n" {
		t.Errorf("root's call: %+v %v", resp, err)
	}
}

// TestCallRefusesASquatter: a listener another user planted at the CLI's
// socket path, in a shared sticky directory, gets nothing — not a byte of
// the request, whose prompt answers may be secrets — and its fake success
// is not taken.
func TestCallRefusesASquatter(t *testing.T) {
	other := testserver.AddUser(t)
	path := filepath.Join(testserver.SharedDir(t), "dsengine.sock")
	lines := helper(t, other, "squatter", path)
	if l := next(t, lines); l != "listening" {
		t.Fatalf("squatter: %s", l)
	}
	resp, err := Call(context.Background(), path, Request{Args: []string{"call-home", "diagnostic-signature", "install", "6030", "--set", "ds_intf=SECRET"}})
	if !errors.Is(err, ErrUntrustedPeer) || !strings.Contains(err.Error(), "nothing was sent") {
		t.Errorf("Call to the squatter: %+v, %v; want ErrUntrustedPeer", resp, err)
	}
	if l := next(t, lines); l != `read 0 bytes: ""` {
		t.Errorf("the squatter %s", l)
	}
}

// syncWriter collects a log written from several goroutines.
type syncWriter = testserver.Buffer
