package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/internal/testserver"
)

// logBuffer collects a log written from several goroutines.
type logBuffer = testserver.Buffer

// testDaemon is a Daemon running on an empty store with a command table
// of the test's: "hold" runs until released, ignoring its context (a step
// that cannot be interrupted); "block" runs until its context ends;
// "count" counts its runs.
type testDaemon struct {
	d       *Daemon
	socket  string
	log     *logBuffer
	held    chan struct{} // "hold" started
	release chan struct{}
	blocked chan struct{} // "block" started
	counted atomic.Int64
	stop    func() error // stops the daemon, within 10 s, and returns Run's error
}

func startTestDaemon(t *testing.T) *testDaemon {
	t.Helper()
	dir := t.TempDir()
	now := func() time.Time { return t0 }
	check := lifecycle.Checker(nil, now)
	store, err := bootflash.Open(filepath.Join(dir, "bootflash"), bootflash.Options{Check: check, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := mustConfig(t, "hostname edge-1\n")
	td := &testDaemon{log: &logBuffer{}, held: make(chan struct{}, 1), release: make(chan struct{}), blocked: make(chan struct{}, 1)}
	td.d, err = New(Options{
		Config: cfg, LoadConfig: func(string) (*config.Config, error) { return cfg, nil },
		Store: store, Manager: lifecycle.New(store, check, lifecycle.Host{Hostname: "edge-1"}, nil, now),
		Bootflash: filepath.Join(dir, "bootflash"), Clock: ds.RealClock{},
		Log: slog.New(slog.NewTextHandler(td.log, nil)),
		Commands: func(ctx context.Context, _ *Daemon, req control.Request) control.Response {
			switch req.Args[0] {
			case "hold":
				td.held <- struct{}{}
				<-td.release
			case "block":
				td.blocked <- struct{}{}
				<-ctx.Done()
			case "count":
				td.counted.Add(1)
			}
			return control.Response{Stdout: req.Args[0] + " done\n"}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	td.socket = td.d.socket
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- td.d.Run(ctx) }()
	var once sync.Once
	var runErr error
	td.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				runErr = errors.New("the daemon did not stop within 10 s of its context's end")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		select {
		case <-td.release:
		default:
			close(td.release)
		}
		td.stop()
	})
	waitFor(t, "the daemon", func() bool { return strings.Contains(td.log.String(), "dsengine running") })
	return td
}

// call sends a command in the background; the answer or the error comes
// on the channel.
func (td *testDaemon) call(ctx context.Context, args ...string) <-chan string {
	out := make(chan string, 1)
	go func() {
		resp, err := control.Call(ctx, td.socket, control.Request{Args: args})
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		out <- resp.Stdout + resp.Stderr
	}()
	return out
}

// TestCommandWhoseClientLeftNeverRuns: a command waiting for the one
// running whose client went away (Ctrl-C) is not run — not later either,
// when the lock is free — and the daemon logs it.
func TestCommandWhoseClientLeftNeverRuns(t *testing.T) {
	td := startTestDaemon(t)
	held := td.call(context.Background(), "hold")
	<-td.held
	// The client sends its command and goes away before any answer: the
	// daemon reads the request all the same, then sees the connection
	// closed.
	conn, err := net.Dial("unix", td.socket)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(conn).Encode(control.Request{Args: []string{"count"}}); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	waitFor(t, "the log of the command not run", func() bool {
		return strings.Contains(td.log.String(), `msg="command not run" command=count why="its client went away (Ctrl-C)"`)
	})
	close(td.release)
	if got := <-held; got != "hold done\n" {
		t.Errorf("hold: %q", got)
	}
	if got := <-td.call(context.Background(), "show"); got != "show done\n" {
		t.Errorf("show after: %q", got)
	}
	if n := td.counted.Load(); n != 0 {
		t.Errorf("the command whose client left ran %d times", n)
	}
}

// TestStopWhileACommandRuns: stopping the daemon (SIGTERM cancels Run's
// context) while a command runs and another waits for it stops both —
// the running one through its context, the waiting one unrun — and Run
// returns.
func TestStopWhileACommandRuns(t *testing.T) {
	td := startTestDaemon(t)
	running := td.call(context.Background(), "block")
	<-td.blocked
	waiting := td.call(context.Background(), "count")
	if err := td.stop(); err != nil {
		t.Fatal(err)
	}
	if got := <-running; got != "block done\n" {
		t.Errorf("the running command: %q", got)
	}
	<-waiting
	if n := td.counted.Load(); n != 0 {
		t.Errorf("a command waiting when the daemon stopped ran %d times", n)
	}
	if !strings.Contains(td.log.String(), `msg="command aborted" command=block why="the daemon is stopping"`) {
		t.Errorf("log:\n%s", td.log.String())
	}
}

// waitFor polls cond (the daemon's log) until it holds, failing the test
// after 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !testserver.Poll(10*time.Second, 5*time.Millisecond, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}
