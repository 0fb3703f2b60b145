package control

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRoundTripAndPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "dsengine.sock")
	srv, err := Listen(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- srv.Serve(ctx, func(_ context.Context, req Request) Response {
			return Response{Stdout: "ran " + strings.Join(req.Args, " ") + "\n", Code: 0}
		})
	}()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 || st.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket mode %v, want a 0600 socket", st.Mode())
	}
	resp, err := Call(context.Background(), path, Request{Args: []string{"show", "call-home"}})
	if err != nil || resp.Stdout != "ran show call-home\n" {
		t.Fatalf("Call: %+v, %v", resp, err)
	}
	// A second daemon on the same socket is refused.
	if _, err := Listen(path, nil); err == nil || !strings.Contains(err.Error(), "another dsengine daemon") {
		t.Errorf("second Listen: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket left behind after Serve returned: %v", err)
	}
	if _, err := Call(context.Background(), path, Request{}); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("Call without a daemon: %v, want ErrNoDaemon", err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(path, nil)
	if err != nil {
		t.Fatalf("a stale socket file must not block the daemon: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = srv.Serve(ctx, nil)
}

// TestCancelStopsTheCommand: cancelling the client's context (Ctrl-C)
// returns from Call at once, and the daemon's command sees its context end
// with ErrClientGone; the server then answers the next request.
func TestCancelStopsTheCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	srv, err := Listen(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	stopped := make(chan error, 1)
	serve(t, srv, func(ctx context.Context, req Request) Response {
		if req.Args[0] != "block" {
			return Response{Stdout: "ok\n"}
		}
		close(started)
		<-ctx.Done()
		stopped <- context.Cause(ctx)
		return Response{}
	})
	ctx, cancel := context.WithCancel(context.Background())
	called := make(chan error, 1)
	go func() {
		_, err := Call(ctx, path, Request{Args: []string{"block"}})
		called <- err
	}()
	<-started
	cancel()
	select {
	case err := <-called:
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "the daemon was told to stop the command") {
			t.Errorf("Call after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Call did not return after its context was canceled")
	}
	select {
	case cause := <-stopped:
		if !errors.Is(cause, ErrClientGone) {
			t.Errorf("the command's context ended with %v, want ErrClientGone", cause)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command's context did not end when the client went away")
	}
	if resp, err := Call(context.Background(), path, Request{Args: []string{"show"}}); err != nil || resp.Stdout != "ok\n" {
		t.Errorf("the next call: %+v %v", resp, err)
	}
}
