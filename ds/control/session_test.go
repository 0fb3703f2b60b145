package control

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// echoSessions serves sessions that answer each line with its length and
// hold until the client closes.
func echoSessions(t *testing.T, max int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.sock")
	srv, err := Listen(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.HandleSessions(SessionVTY, max, func(ctx context.Context, c *Conn) {
		_ = c.Send(Frame{Kind: FramePrompt, Text: "edge-1#"})
		for {
			f, err := c.Recv()
			if errors.Is(err, ErrFrameTooLong) {
				_ = c.Send(Frame{Kind: FrameOutput, Text: "% refused: too long\n"})
				continue
			}
			if err != nil {
				return
			}
			_ = c.Send(Frame{Kind: FrameOutput, Text: strings.Repeat("x", len(f.Text))})
		}
	})
	serve(t, srv, nil)
	return path
}

// TestSessionCap: of 1,000 sessions opened at once, 16 get a prompt and the
// others are told all vty lines are in use; once those close, a new one
// opens.
func TestSessionCap(t *testing.T) {
	path := echoSessions(t, 16)
	const n = 1000
	var mu sync.Mutex
	var open []*Conn
	refused, other := 0, []string{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Open(context.Background(), path, SessionVTY)
			if err != nil {
				mu.Lock()
				other = append(other, err.Error())
				mu.Unlock()
				return
			}
			f, err := c.Recv()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && f.Kind == FramePrompt:
				open = append(open, c)
				return
			case err == nil && f.Kind == FrameExit && f.Code == 1 && strings.Contains(f.Text, "all 16 vty lines are in use"):
				refused++
			default:
				other = append(other, f.Kind+" "+f.Text)
			}
			c.Close()
		}()
	}
	wg.Wait()
	if len(open) != 16 || refused != n-16 || len(other) > 0 {
		t.Fatalf("%d open, %d refused, others %q; want 16 open and %d refused", len(open), refused, other, n-16)
	}
	for _, c := range open {
		c.Close()
	}
	// The lines free up as their clients close.
	ok := false
	for range 100 {
		c, err := Open(context.Background(), path, SessionVTY)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := c.Recv()
		c.Close()
		if f.Kind == FramePrompt {
			ok = true
			break
		}
	}
	if !ok {
		t.Error("no session opens after the 16 closed")
	}
}

// TestSessionFrameTooLong: a frame over MaxFrame is refused and the
// session goes on.
func TestSessionFrameTooLong(t *testing.T) {
	path := echoSessions(t, 16)
	c, err := Open(context.Background(), path, SessionVTY)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if f, err := c.Recv(); err != nil || f.Kind != FramePrompt {
		t.Fatalf("first frame %+v %v", f, err)
	}
	if err := c.Send(Frame{Kind: FrameLine, Text: strings.Repeat("a", MaxFrame)}); err != nil {
		t.Fatal(err)
	}
	if f, err := c.Recv(); err != nil || f.Text != "% refused: too long\n" {
		t.Fatalf("after a long frame: %+v %v", f, err)
	}
	if err := c.Send(Frame{Kind: FrameLine, Text: "abc"}); err != nil {
		t.Fatal(err)
	}
	if f, err := c.Recv(); err != nil || f.Text != "xxx" {
		t.Fatalf("the next line: %+v %v", f, err)
	}
}
