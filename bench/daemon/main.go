// Command daemon measures how long `dsengine run` takes to start with 1,000
// DS in its store (every one re-verified and registered) and how much
// memory it holds then, how long a batch install of as many more takes
// through the CLI, and how long the daemon takes to stop. It builds the store with a fresh Ed25519 key, starts
// the binary, waits until its control socket answers, reads VmRSS from
// /proc, and stops it with SIGTERM.
//
// With -rate it also sends syslog over UDP at that rate and prints the
// event → action-done latency the daemon measured; with -loss it compares
// the daemon's UDP loss with rsyslogd's at each rate.
//
// Usage: go run ./bench/daemon [-bin bin/dsengine] [-ds 1000] [-rate 100000] [-seconds 5] [-loss 100000,200000]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/dsengine/dsengine/bench/internal/procstatus"
	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/verify"
)

func main() {
	bin := flag.String("bin", "bin/dsengine", "the dsengine binary")
	n := flag.Int("ds", 1000, "DS in the store")
	rate := flag.Int("rate", 0, "when not 0, send this many syslog lines/s over UDP for -seconds and print the event → action-done latency")
	seconds := flag.Int("seconds", 5, "how long to send at -rate and at each -loss rate")
	heapProfile := flag.String("heapprofile", "", "when set, save the daemon's heap profile after start to this file")
	cpuProfile := flag.String("cpuprofile", "", "with -rate, save the daemon's CPU profile of the run at that rate to this file")
	lossRates := flag.String("loss", "", "when set, rates/s (100000,150000,…) at which to compare the daemon's UDP loss with rsyslogd's")
	flag.Parse()
	dir, err := os.MkdirTemp("/var/tmp", "dsengine-bench")
	check(err)
	defer os.RemoveAll(dir)

	now := time.Now()
	pub, sec, err := verify.GenerateKey("Bench", "bench@example.com", "ed25519", now.Add(-time.Hour), 0)
	check(err)
	key, err := verify.ParseSigningKey("bench", sec, nil)
	check(err)
	keyPath := filepath.Join(dir, "bench-public.asc")
	check(os.WriteFile(keyPath, pub, 0o644))
	keys, err := verify.ParseKeyring(keyPath, pub)
	check(err)

	// The store: n signed DS, installed in one batch.
	paths := writeSigned(key, filepath.Join(dir, "src"), 10000, *n, now)
	root := filepath.Join(dir, "bootflash")
	check2 := lifecycle.Checker(keys, time.Now)
	store, err := bootflash.Open(root, bootflash.Options{Check: check2, Now: time.Now})
	check(err)
	mgr := lifecycle.New(store, check2, lifecycle.Host{Hostname: "bench", Platform: "linux", EngineVersion: lifecycle.EngineVersion}, nil, time.Now)
	_, err = mgr.InstallFiles(paths, nil, nil)
	check(err)
	check(store.Close())

	conf := filepath.Join(dir, "dsengine.conf")
	addr, metricsAddr := freeAddr("udp"), freeAddr("tcp")
	// The sim executor answers the DS's command from canned files, so the
	// latency is the engine's, not /bin/sh's.
	sim := filepath.Join(dir, "device")
	check(os.MkdirAll(sim, 0o755))
	for i := 0; i < 8; i++ {
		check(os.WriteFile(filepath.Join(sim, fmt.Sprintf("show_interfaces_GigabitEthernet%d_0_1.txt", i)), []byte("GigabitEthernet is up\n"), 0o644))
	}
	check(os.WriteFile(conf, []byte("hostname bench\ncall-home\n diagnostic-signature\n  executor sim "+sim+"\n  trust-key "+keyPath+
		"\ndsengine\n syslog listen udp "+addr+"\n metrics listen "+metricsAddr+"\n metrics pprof\n"), 0o644))
	sock := filepath.Join(root, "dsengine.sock")

	start := time.Now()
	cmd := exec.Command(*bin, "--config", conf, "--bootflash", root, "run")
	var daemonLog bytes.Buffer
	cmd.Stderr = &daemonLog
	check(cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		select {
		case err := <-exited:
			fmt.Fprintf(os.Stderr, "the daemon exited: %v\n%s", err, daemonLog.String())
			os.Exit(1)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := control.Call(ctx, sock, control.Request{Args: []string{"show", "event", "manager", "policy", "registered"}})
		cancel()
		if err == nil && strings.Count(resp.Stdout, "\n") >= *n {
			break
		}
		if time.Since(start) > 60*time.Second {
			fmt.Fprintln(os.Stderr, "the daemon did not start within 60 s")
			os.Exit(1)
		}
		time.Sleep(5 * time.Millisecond)
	}
	ready := time.Since(start)
	rss := rssLine(cmd.Process.Pid, *n)
	if *heapProfile != "" {
		check(os.WriteFile(*heapProfile, get("http://"+metricsAddr+"/debug/pprof/heap?gc=1"), 0o644))
	}
	loaded := ""
	if *rate > 0 {
		profiled := make(chan []byte, 1)
		if *cpuProfile != "" {
			go func() {
				profiled <- get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", metricsAddr, *seconds))
			}()
		}
		latency(addr, metricsAddr, *rate, time.Duration(*seconds)*time.Second, *n)
		loaded = rssLine(cmd.Process.Pid, *n)
		if *cpuProfile != "" {
			check(os.WriteFile(*cpuProfile, <-profiled, 0o644))
		}
	}
	if *lossRates != "" {
		var rates []int
		for _, f := range strings.Split(*lossRates, ",") {
			r, err := strconv.Atoi(f)
			check(err)
			rates = append(rates, r)
		}
		loss(addr, metricsAddr, rates, time.Duration(*seconds)*time.Second, *n, dir)
	}

	// A batch install through the CLI while the daemon runs: n more DS
	// files from one directory, in as many requests as they need.
	more := filepath.Join(dir, "more")
	writeSigned(key, more, 10000+*n, *n, now)
	installAt := time.Now()
	install := exec.Command(*bin, "--config", conf, "--bootflash", root, "call-home", "diagnostic-signature", "install", "--file", more)
	var installOut bytes.Buffer
	install.Stdout, install.Stderr = &installOut, &installOut
	if err := install.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "install --file %s: %v\n%s", more, err, installOut.String())
		os.Exit(1)
	}
	installed := time.Since(installAt)
	stopAt := time.Now()
	check(cmd.Process.Signal(syscall.SIGTERM))
	<-exited
	stopped := time.Since(stopAt)
	fmt.Printf("daemon start with %d DS (verified, parsed, registered): %s (target ≤ 1 s)\n", *n, ready.Round(time.Millisecond))
	fmt.Printf("daemon stop with %d DS (SIGTERM to exit): %s (target ≤ 1 s)\n", 2**n, stopped.Round(time.Millisecond))
	fmt.Printf("batch install of %d more DS into the running daemon (install --file DIR): %s, %.0f DS/s\n", *n,
		installed.Round(time.Millisecond), float64(*n)/installed.Seconds())
	fmt.Printf("daemon RSS with %d DS, started: %s (target ≤ 100 MB with 10,000)\n", *n, rss)
	if loaded != "" {
		fmt.Printf("daemon RSS with %d DS, after %d s at %d lines/s: %s\n", *n, *seconds, *rate, loaded)
	}
}

const dsTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="%d" revision="1.0">
  <Name>Bench%d</Name>
  <Events>
    <Event type="syslog" pattern="%%LINK-3-UPDOWN: Interface GigabitEthernet%d/0/%d, changed state to down" occurs="2" period="60s"/>
  </Events>
  <Actions>
    <Action type="command">show interfaces GigabitEthernet%d/0/1</Action>
    <Action type="message">DS ${ds_signature_id} ran</Action>
  </Actions>
</DiagnosticSignature>
`

// writeSigned writes n bench DS, ids from first on, each with its
// signature, into dir, and returns their paths.
func writeSigned(key *verify.SigningKey, dir string, first, n int, now time.Time) []string {
	check(os.MkdirAll(dir, 0o755))
	var paths []string
	for id := first; id < first+n; id++ {
		xml := []byte(fmt.Sprintf(dsTemplate, id, id, id/48, id%48, id%8))
		asc, err := key.SignDetached(xml, now.Add(-time.Minute))
		check(err)
		p := filepath.Join(dir, fmt.Sprint(id)+".xml")
		check(os.WriteFile(p, xml, 0o644))
		check(os.WriteFile(p+".asc", asc, 0o644))
		paths = append(paths, p)
	}
	return paths
}

// freeAddr is a free loopback address of network.
func freeAddr(network string) string {
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		check(err)
		defer pc.Close()
		return pc.LocalAddr().String()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().String()
}

// benchLine is the i-th line the senders send: one in 1,000 matches one
// bench DS (each DS has a pattern of its own and fires on every second
// match: the matches come in pairs), the others match nothing.
func benchLine(i, n int) []byte {
	if i%1000 != 999 {
		return missLine
	}
	id := 10000 + (i/2000)%n
	return fmt.Appendf(nil, "<187>13: r1: Dec  6 10:00:00.000: %%LINK-3-UPDOWN: Interface GigabitEthernet%d/0/%d, changed state to down", id/48, id%48)
}

var missLine = []byte("<189>12: r1: Dec  6 10:00:00.000: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.1)")

// send sends rate lines/s (benchLine) to addr over UDP for d, in batches of
// sendmmsg paced every millisecond, and returns how many it sent and in
// what time.
func send(addr string, rate int, d time.Duration, n int) (int, time.Duration) {
	conn, err := net.Dial("udp", addr)
	check(err)
	defer conn.Close()
	rc, err := conn.(*net.UDPConn).SyscallConn()
	check(err)
	const tick = time.Millisecond
	perTick := max(1, rate/int(time.Second/tick))
	hdrs := make([]mmsghdr, perTick)
	iovs := make([]unix.Iovec, perTick)
	sent := 0
	start := time.Now()
	next := start
	for time.Since(start) < d {
		for i := range hdrs {
			line := benchLine(sent+i, n)
			iovs[i].Base = &line[0]
			iovs[i].SetLen(len(line))
			hdrs[i].hdr = unix.Msghdr{Iov: &iovs[i]}
			hdrs[i].hdr.SetIovlen(1)
		}
		for off := 0; off < len(hdrs); {
			var k uintptr
			var errno syscall.Errno
			check(rc.Write(func(fd uintptr) bool {
				k, _, errno = unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&hdrs[off])), uintptr(len(hdrs)-off), 0, 0, 0)
				return errno != unix.EAGAIN
			}))
			if errno != 0 && errno != unix.EINTR {
				break // ECONNREFUSED after an ICMP: count what went
			}
			off += int(k)
			sent += int(k)
		}
		next = next.Add(tick)
		if wait := time.Until(next); wait > 0 {
			time.Sleep(wait)
		}
	}
	return sent, time.Since(start)
}

// mmsghdr is struct mmsghdr of sendmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
	_   [4]byte
}

// settle scrapes the daemon's metrics until the UDP input's count stops
// moving, and returns the last scrape.
func settle(metricsAddr, addr string) string {
	var body string
	for prev := -1.0; ; {
		time.Sleep(200 * time.Millisecond)
		body = scrape(metricsAddr)
		got := metricSum(body, `dsengine_input_received_total{input="udp:`+addr+`"}`)
		if got == prev {
			return body
		}
		prev = got
	}
}

// latency sends rate lines/s to the daemon for d, then reads the daemon's
// dsengine_event_to_done_seconds histogram and its input counters.
func latency(addr, metricsAddr string, rate int, d time.Duration, n int) {
	sent, elapsed := send(addr, rate, d, n)
	body := settle(metricsAddr, addr)
	received := metricSum(body, `dsengine_input_received_total{input="udp:`+addr+`"}`)
	dropped := metricSum(body, "dsengine_input_dropped_total") + metricSum(body, "dsengine_input_kernel_drops_total")
	fmt.Printf("event → action done (command through the sim executor, message) under %.0f lines/s over UDP with %d DS (%d lines, 1 in 1,000 matching): %s\n",
		float64(sent)/elapsed.Seconds(), n, sent, quantiles(body, "dsengine_event_to_done_seconds"))
	fmt.Printf("  lines sent %d, read by the daemon %.0f (%.2f %% lost before the socket), dropped in the daemon %.0f\n",
		sent, received, 100*(1-received/float64(sent)), dropped)
}

// loss sends each rate for d to the daemon, then to an rsyslogd started
// here on loopback (imudp into a file), and prints the share of lines
// each lost.
func loss(addr, metricsAddr string, rates []int, d time.Duration, n int, dir string) {
	rsPort := freeAddr("udp")
	_, port, _ := net.SplitHostPort(rsPort)
	out := filepath.Join(dir, "rsyslog.out")
	conf := filepath.Join(dir, "rsyslog.conf")
	check(os.WriteFile(conf, []byte(`module(load="imuxsock" SysSock.Use="off")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="`+port+`")
*.* action(type="omfile" file="`+out+`")
`), 0o644))
	rs := exec.Command("rsyslogd", "-n", "-f", conf, "-i", filepath.Join(dir, "rsyslog.pid"))
	check(rs.Start())
	defer func() { rs.Process.Signal(syscall.SIGTERM); rs.Wait() }()
	// Ready when a probe line lands in the file.
	for deadline := time.Now().Add(10 * time.Second); lineCount(out) == 0; {
		c, err := net.Dial("udp", rsPort)
		check(err)
		c.Write([]byte("<13>probe"))
		c.Close()
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "rsyslogd did not start")
			os.Exit(1)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("UDP loss, %s at each rate, the daemon with %d DS next to rsyslogd %s (imudp → omfile), same machine:\n", d, n, rsyslogVersion())
	fmt.Println("  rate/s     dsengine sent    lost      rsyslog sent    lost")
	for _, rate := range rates {
		before := settle(metricsAddr, addr)
		delivered0 := metricSum(before, `dsengine_input_delivered_total{input="udp:`+addr+`"}`)
		dsSent, _ := send(addr, rate, d, n)
		after := settle(metricsAddr, addr)
		dsLost := float64(dsSent) - (metricSum(after, `dsengine_input_delivered_total{input="udp:`+addr+`"}`) - delivered0)

		rs0 := lineCount(out)
		rsSent, _ := send(rsPort, rate, d, n)
		rs1 := rs0
		for { // until the file stops growing
			time.Sleep(300 * time.Millisecond)
			c := lineCount(out)
			if c == rs1 {
				break
			}
			rs1 = c
		}
		rsLost := float64(rsSent) - float64(rs1-rs0)
		fmt.Printf("  %7d  %12d  %6.2f %%  %14d  %6.2f %%\n", rate, dsSent, 100*max(0, dsLost)/float64(dsSent), rsSent, 100*max(0, rsLost)/float64(rsSent))
	}
}

func lineCount(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(data, []byte("\n"))
}

func rsyslogVersion() string {
	out, _ := exec.Command("rsyslogd", "-v").Output()
	line, _, _ := strings.Cut(string(out), "\n")
	if f := strings.Fields(line); len(f) >= 2 {
		return f[1]
	}
	return "(version unknown)"
}

func scrape(addr string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	check(err)
	return string(body)
}

// metricSum adds the values of every series of a metric; name may end in
// a label set's start to pick series.
func metricSum(body, name string) float64 {
	var sum float64
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok && (strings.HasPrefix(rest, "{") || strings.HasPrefix(rest, " ") || strings.HasSuffix(name, "}")) {
			f := strings.Fields(rest[strings.LastIndex(rest, "}")+1:])
			if len(f) > 0 {
				v, _ := strconv.ParseFloat(f[0], 64)
				sum += v
			}
		}
	}
	return sum
}

// quantiles reads p50, p99 and the count of a histogram, interpolating
// linearly inside the bucket that holds each.
func quantiles(body, name string) string {
	type bucket struct{ le, count float64 }
	var bs []bucket
	for _, line := range strings.Split(body, "\n") {
		rest, ok := strings.CutPrefix(line, name+`_bucket{le="`)
		if !ok {
			continue
		}
		le, tail, _ := strings.Cut(rest, `"}`)
		bound, err := strconv.ParseFloat(le, 64)
		if err != nil {
			bound = math.Inf(1)
		}
		c, _ := strconv.ParseFloat(strings.TrimSpace(tail), 64)
		bs = append(bs, bucket{bound, c})
	}
	if len(bs) == 0 || bs[len(bs)-1].count == 0 {
		return "no runs"
	}
	total := bs[len(bs)-1].count
	q := func(p float64) string {
		want, lo, below := p*total, 0.0, 0.0
		for _, b := range bs {
			if b.count >= want {
				if math.IsInf(b.le, 1) {
					return fmt.Sprintf("> %gs", lo)
				}
				return (time.Duration((lo + (b.le-lo)*(want-below)/(b.count-below)) * float64(time.Second))).Round(10 * time.Microsecond).String()
			}
			lo, below = b.le, b.count
		}
		return "?"
	}
	return fmt.Sprintf("p50 %s, p99 %s over %.0f runs (targets ≤ 1 ms and ≤ 5 ms)", q(0.5), q(0.99), total)
}

// procStatus reads the sizes of a process's /proc status (VmRSS,
// RssAnon, RssFile…) in KiB.
func procStatus(pid int) map[string]int {
	st, err := procstatus.Read(pid)
	check(err)
	return st
}

// rssLine says a process's resident size, and how much of it is the
// program's own memory (heap, stacks) and how much its mapped binary.
func rssLine(pid, n int) string {
	st := procStatus(pid)
	return fmt.Sprintf("%.1f MB, %.1f KB per DS (anonymous %.1f MB, the binary's pages %.1f MB)",
		float64(st["VmRSS"])/1024, float64(st["VmRSS"])/float64(n), float64(st["RssAnon"])/1024, float64(st["RssFile"])/1024)
}

// get returns the body of a GET of url.
func get(url string) []byte {
	resp, err := http.Get(url)
	check(err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	check(err)
	return data
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
