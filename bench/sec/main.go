// Command sec compares dsengine's syslog parse and match with SEC (Simple
// Event Correlator, Debian package sec) on the same generated Cisco syslog
// and the same 1,000 rules: it writes the log and the rules (as SEC
// SingleWithThreshold and Single rules), times dsengine's parser and match
// index over the log on one core, times `sec` over the same log, and prints
// both throughputs and their ratio.
//
// Usage: go run ./bench/sec [-lines 1000000] [-sec-lines 10000] [-rules 1000]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/match"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

func main() {
	nLines := flag.Int("lines", 1_000_000, "log lines for dsengine")
	secLines := flag.Int("sec-lines", 10_000, "log lines for SEC (a prefix of the same log; SEC is slow)")
	nRules := flag.Int("rules", 1000, "syslog detectors / SEC rules")
	dir := flag.String("dir", "", "where to write the log and rules (default: a temporary directory)")
	flag.Parse()
	runtime.GOMAXPROCS(1)

	if *dir == "" {
		d, err := os.MkdirTemp("", "dsengine-sec")
		check(err)
		defer os.RemoveAll(d)
		*dir = d
	}
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	lines := syslogdata.Lines(*nLines, 1, start)
	patterns := syslogdata.Patterns(*nRules, 2, 0.02)
	logPath := filepath.Join(*dir, "network.log")
	secLog := filepath.Join(*dir, "sec.log")
	writeLines(logPath, lines)
	writeLines(secLog, lines[:min(*secLines, len(lines))])
	rules := filepath.Join(*dir, "rules.sec")
	writeRules(rules, patterns)

	// dsengine: parse every line, then run the match index (what the hub
	// does for each received line).
	idx := match.New()
	var b match.Batch
	for _, p := range patterns {
		check(b.Add(p.ID, p.Regexp))
	}
	idx.Apply(&b)
	var m events.Message
	matches := 0
	t0 := time.Now()
	for _, l := range lines {
		syslogmsg.Parse(l, start, &m)
		idx.Match(m.Body, func(int) { matches++ })
	}
	ours := time.Since(t0)
	oursRate := float64(len(lines)) / ours.Seconds()
	fmt.Printf("dsengine: %d lines × %d patterns in %s: %.0f lines/s (%d matches)\n", len(lines), len(patterns), ours.Round(time.Millisecond), oursRate, matches)

	// SEC on the same rules, over the first sec-lines lines of the same log.
	n := min(*secLines, len(lines))
	cmd := exec.Command("sec", "--conf="+rules, "--input="+secLog, "--notail", "--nointevents", "--log=/dev/null")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 = time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "sec: %v\n%s", err, stderr.String())
		os.Exit(1)
	}
	theirs := time.Since(t0)
	secRate := float64(n) / theirs.Seconds()
	fmt.Printf("SEC %s: %d lines × %d rules in %s: %.0f lines/s\n", secVersion(), n, len(patterns), theirs.Round(time.Millisecond), secRate)
	fmt.Printf("ratio: dsengine is %.0f× SEC (target ≥ 2,000×, issue 16)\n", oursRate/secRate)
}

// writeRules writes each pattern as a SEC rule: a threshold rule for half of
// them (as DS with occurs/period), a Single rule for the others.
func writeRules(path string, patterns []syslogdata.Pattern) {
	var buf bytes.Buffer
	for i, p := range patterns {
		if i%2 == 0 {
			fmt.Fprintf(&buf, "type=SingleWithThreshold\nptype=RegExp\npattern=%s\ndesc=ds%d\naction=none\nthresh=3\nwindow=60\n\n", p.Regexp, p.ID)
		} else {
			fmt.Fprintf(&buf, "type=Single\nptype=RegExp\npattern=%s\ndesc=ds%d\naction=none\n\n", p.Regexp, p.ID)
		}
	}
	check(os.WriteFile(path, buf.Bytes(), 0o644))
}

func writeLines(path string, lines [][]byte) {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	check(syslogdata.WriteLines(w, lines))
	check(w.Flush())
	check(f.Close())
}

func secVersion() string {
	out, _ := exec.Command("sec", "--version").Output()
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(strings.TrimSpace(first), "SEC (Simple Event Correlator) ")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
