// Package procstatus reads a process's memory sizes from /proc/PID/status
// for the benchmarks: its resident size (VmRSS, RssAnon, RssFile) and its
// peak (VmHWM). The peak counts from the exec, unlike getrusage's
// ru_maxrss, which a child inherits from the benchmark that started it
// (the Go runtime starts children with vfork, sharing its memory until
// the exec).
package procstatus

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Read returns the sizes in /proc/pid/status, in KiB, by name.
func Read(pid int) (map[string]int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, rest, ok := strings.Cut(s.Text(), ":")
		if kb, found := strings.CutSuffix(strings.TrimSpace(rest), " kB"); ok && found {
			if n, err := strconv.Atoi(kb); err == nil {
				out[name] = n
			}
		}
	}
	return out, s.Err()
}

// WatchPeak reads pid's VmHWM every interval until the returned function
// is called, which returns the last value read in KiB (VmHWM only grows;
// what the process adds between the last read and its exit is missed).
func WatchPeak(pid int, every time.Duration) (stop func() int) {
	done := make(chan struct{})
	peak := make(chan int, 1)
	go func() {
		last := 0
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if st, err := Read(pid); err == nil && st["VmHWM"] > last {
				last = st["VmHWM"]
			}
			select {
			case <-done:
				peak <- last
				return
			case <-t.C:
			}
		}
	}()
	return func() int {
		close(done)
		return <-peak
	}
}
