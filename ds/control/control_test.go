package control

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTripAndPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "dsengine.sock")
	srv, err := Listen(path)
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
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "another dsengine daemon") {
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
	srv, err := Listen(path)
	if err != nil {
		t.Fatalf("a stale socket file must not block the daemon: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = srv.Serve(ctx, nil)
}
