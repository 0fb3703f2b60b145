// Command daemon measures how long `dsengine run` takes to start with 1,000
// DS in its store (every one re-verified and registered) and how much
// memory it holds then, how long a batch install of as many more takes
// through the CLI, and how long the daemon takes to stop. It builds the store with a fresh Ed25519 key, starts
// the binary, waits until its control socket answers, reads VmRSS from
// /proc, and stops it with SIGTERM.
//
// Usage: go run ./bench/daemon [-bin bin/dsengine] [-ds 1000]
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/verify"
)

func main() {
	bin := flag.String("bin", "bin/dsengine", "the dsengine binary")
	n := flag.Int("ds", 1000, "DS in the store")
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
	src := filepath.Join(dir, "src")
	check(os.MkdirAll(src, 0o755))
	var paths []string
	for i := 0; i < *n; i++ {
		id := 10000 + i
		xml := []byte(fmt.Sprintf(dsTemplate, id, id, id%48, id%8))
		asc, err := key.SignDetached(xml, now.Add(-time.Minute))
		check(err)
		p := filepath.Join(src, fmt.Sprint(id)+".xml")
		check(os.WriteFile(p, xml, 0o644))
		check(os.WriteFile(p+".asc", asc, 0o644))
		paths = append(paths, p)
	}
	root := filepath.Join(dir, "bootflash")
	check2 := lifecycle.Checker(keys, time.Now)
	store, err := bootflash.Open(root, bootflash.Options{Check: check2, Now: time.Now})
	check(err)
	mgr := lifecycle.New(store, check2, lifecycle.Host{Hostname: "bench", Platform: "linux", EngineVersion: lifecycle.EngineVersion}, nil, time.Now)
	_, err = mgr.InstallFiles(paths, nil, nil)
	check(err)
	check(store.Close())

	conf := filepath.Join(dir, "dsengine.conf")
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	check(err)
	addr := pc.LocalAddr().String()
	pc.Close()
	check(os.WriteFile(conf, []byte("hostname bench\ncall-home\n diagnostic-signature\n  trust-key "+keyPath+
		"\ndsengine\n syslog listen udp "+addr+"\n"), 0o644))
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
	rss := vmRSS(cmd.Process.Pid)

	// A batch install through the CLI while the daemon runs: n more DS
	// files from one directory, in as many requests as they need.
	more := filepath.Join(dir, "more")
	check(os.MkdirAll(more, 0o755))
	for i := 0; i < *n; i++ {
		id := 10000 + *n + i
		xml := []byte(fmt.Sprintf(dsTemplate, id, id, id%48, id%8))
		asc, err := key.SignDetached(xml, now.Add(-time.Minute))
		check(err)
		p := filepath.Join(more, fmt.Sprint(id)+".xml")
		check(os.WriteFile(p, xml, 0o644))
		check(os.WriteFile(p+".asc", asc, 0o644))
	}
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
	fmt.Printf("daemon RSS with %d DS: %.1f MB, %.1f KB per DS (target ≤ 100 MB with 10,000)\n", *n, float64(rss)/1024, float64(rss)/float64(*n))
}

const dsTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="%d" revision="1.0">
  <Name>Bench%d</Name>
  <Events>
    <Event type="syslog" pattern="%%LINK-3-UPDOWN: Interface GigabitEthernet1/0/%d, changed state to down" occurs="2" period="60s"/>
  </Events>
  <Actions>
    <Action type="command">show interfaces GigabitEthernet%d/0/1</Action>
    <Action type="message">DS ${ds_signature_id} ran</Action>
  </Actions>
</DiagnosticSignature>
`

// vmRSS reads a process's resident set in KiB.
func vmRSS(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
