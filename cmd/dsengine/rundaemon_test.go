package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// runningDaemon is `dsengine run` in the test's process, on the
// configuration and bootflash of a test directory.
type runningDaemon struct {
	log  *syncBuffer
	stop func() int // stops the daemon and returns its exit code; later calls return it again
}

// startDaemon runs the daemon on dir/dsengine.conf and dir/bootflash
// (with run's flags args), waits until it serves, and stops it when the
// test ends.
func startDaemon(t *testing.T, dir string, args ...string) *runningDaemon {
	t.Helper()
	return startCommand(t, dir, "dsengine running", append([]string{"run"}, args...)...)
}

// startCommand runs a long-running command (run, relay) on dir's
// configuration and bootflash, waits until its log says ready, and stops
// it when the test ends.
func startCommand(t *testing.T, dir, ready string, args ...string) *runningDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		e := &env{ctx: ctx, stdin: strings.NewReader(""), stdout: log, stderr: log, getenv: func(string) string { return "" },
			now: time.Now, config: filepath.Join(dir, "dsengine.conf"), bootflash: filepath.Join(dir, "bootflash")}
		done <- run(e, args)
	}()
	var once sync.Once
	code := 0
	d := &runningDaemon{log: log, stop: func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}}
	t.Cleanup(func() { d.stop() })
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool { return strings.Contains(log.String(), ready) }) {
		t.Fatalf("%s never said %q:\n%s", args[0], ready, log.String())
	}
	return d
}
