// Command dstest measures `dsengine ds test` on a generated Cisco syslog
// log against 100, 1,000 and 10,000 generated one-pattern syslog DS (the
// pattern mix of internal/syslogdata): the wall time of the whole command
// (start, lint of every DS, replay, report) and the replay loop's own time,
// which ds test prints, each as lines per second.
//
// Usage: go run ./bench/dstest [-bin bin/dsengine] [-lines 1000000] [-ds 100,1000,10000] [-dir DIR]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/bench/internal/procstatus"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

func main() {
	bin := flag.String("bin", "bin/dsengine", "the dsengine binary")
	nLines := flag.Int("lines", 1_000_000, "log lines")
	counts := flag.String("ds", "100,1000,10000", "DS counts, comma-separated")
	dir := flag.String("dir", "", "where to write the log and the DS, kept (default: a temporary directory)")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "dsengine-dstest")
		check(err)
		defer os.RemoveAll(d)
		*dir = d
	}

	logPath := filepath.Join(*dir, "network.log")
	f, err := os.Create(logPath)
	check(err)
	check(syslogdata.WriteLines(f, syslogdata.Lines(*nLines, 1, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))))
	check(f.Close())
	fmt.Printf("data: %d generated IOS syslog lines (internal/syslogdata seed 1); DS of one syslog pattern each (seed 2, 0.5 %% without a literal)\n", *nLines)

	for _, s := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		sub := filepath.Join(*dir, fmt.Sprint(n))
		check(os.MkdirAll(sub, 0o755))
		var files []string
		for _, p := range syslogdata.Patterns(n, 2, 0.005) {
			id := 100000 + p.ID
			path := filepath.Join(sub, fmt.Sprint(id)+".xml")
			xml := fmt.Sprintf(dsTemplate, id, id, html.EscapeString(p.Regexp))
			check(os.WriteFile(path, []byte(xml), 0o644))
			files = append(files, path)
		}
		args := append([]string{"ds", "test", "--syslog", logPath}, files...)
		cmd := exec.Command(*bin, args...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = nil, &stderr // the records go to /dev/null
		start := time.Now()
		check(cmd.Start())
		peak := procstatus.WatchPeak(cmd.Process.Pid, 20*time.Millisecond)
		err = cmd.Wait()
		wall := time.Since(start)
		peakKB := peak()
		if err != nil {
			fmt.Fprintf(os.Stderr, "ds test with %d DS: %v\n%s", n, err, tail(stderr.String()))
			os.Exit(1)
		}
		loop := replayed.FindStringSubmatch(stderr.String())
		if loop == nil {
			fmt.Fprintf(os.Stderr, "ds test with %d DS printed no replay time:\n%s", n, tail(stderr.String()))
			os.Exit(1)
		}
		d, err := time.ParseDuration(loop[1])
		check(err)
		fmt.Printf("ds test, %5d DS, %d lines: wall %7s = %8.0f lines/s; replay loop %7s = %8.0f lines/s; peak RSS %6.1f MB (targets: loop ≥ 2M lines/s a core with 1,000 DS, wall ≥ 1.5M; RSS ≤ 100 MB with 10,000)\n",
			n, *nLines, wall.Round(time.Millisecond), float64(*nLines)/wall.Seconds(), d.Round(time.Millisecond), float64(*nLines)/d.Seconds(), float64(peakKB)/1024)
	}
}

// replayed is ds test's last line: "replayed N lines (… of log time) in 1.2s".
var replayed = regexp.MustCompile(`replayed \d+ lines? \(.*\) in (\S+)\n`)

const dsTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="%d" revision="1.0">
  <Name>Gen%d</Name>
  <Events><Event type="syslog" pattern="%s"/></Events>
  <Actions><Action type="message">matched</Action></Actions>
</DiagnosticSignature>
`

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
