package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// collector is a Call Home HTTP destination on 127.0.0.1 that keeps the
// messages it receives.
type collector struct {
	mu   sync.Mutex
	msgs []string
}

func newCollector(t *testing.T) (*collector, string) {
	c := &collector{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.msgs = append(c.msgs, string(b))
		c.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return c, srv.URL + "/callhome"
}

// find returns the first message containing every one of parts, waiting
// up to 30 s.
func (c *collector) find(t *testing.T, what string, parts ...string) string {
	t.Helper()
	var found string
	ok := testserver.Poll(30*time.Second, 10*time.Millisecond, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
	msgs:
		for _, m := range c.msgs {
			for _, p := range parts {
				if !strings.Contains(m, p) {
					continue msgs
				}
			}
			found = m
			return true
		}
		return false
	})
	if !ok {
		c.mu.Lock()
		defer c.mu.Unlock()
		t.Fatalf("no %s among %d call-home messages (want %q):\n%s", what, len(c.msgs), parts, strings.Join(c.msgs, "\n----\n"))
	}
	return found
}

func writeKmsg(t *testing.T, line string) {
	t.Helper()
	f, err := os.OpenFile("/dev/kmsg", os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("open /dev/kmsg (tests run as root): %v", err)
	}
	defer f.Close()
	if _, err := f.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
}

// TestCrashEvents: with `source kmsg`, a real program dying of SIGSEGV
// (the kernel's segfault line on /dev/kmsg) runs an applet matching the
// crash line and sends the crash alert group's message to a profile
// subscribed to crash; a panic log of the previous boot in pstore (a
// fixture directory) sends one at start.
func TestCrashEvents(t *testing.T) {
	if b, _ := os.ReadFile("/proc/sys/debug/exception-trace"); strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("/proc/sys/debug/exception-trace is %q: the kernel logs no segfault line; set it to 1", b)
	}
	tagBytes := make([]byte, 3)
	rand.Read(tagBytes)
	name := "dsesegv" + hex.EncodeToString(tagBytes)
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	if err := os.WriteFile(bin+".c", []byte("int main(void){volatile int *p = 0; *p = 1; return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-o", bin, bin+".c").CombinedOutput(); err != nil {
		t.Fatalf("gcc (make deps installs it): %v\n%s", err, out)
	}
	pstore := filepath.Join(dir, "pstore")
	os.Mkdir(pstore, 0o755)
	if err := os.WriteFile(filepath.Join(pstore, "dmesg-efi-1"), []byte("Panic#1 Part1\n<0>[ 99.0] Kernel panic - not syncing: "+name+" test panic\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	col, url := newCollector(t)
	d, _ := startVTYDaemon(t, `hostname edge-1
service call-home
call-home
 contact-email-addr noc@example.com
 profile "crashes"
  destination transport-method http
  no destination transport-method email
  destination address http `+url+`
  subscribe-to-alert-group crash
event manager applet CRASHWATCH
 event syslog pattern "%SYS-2-CRASH: Process `+name+` "
 action 1.0 syslog msg "seen $_syslog_msg"
dsengine
 source kmsg pstore `+pstore+`
`)
	// The panic log of the previous boot: a crash message at start.
	col.find(t, "pstore crash message", "<ch:Type>crash</ch:Type>", "Kernel panic on the previous boot (pstore dmesg-efi-1): Kernel panic - not syncing: "+name+" test panic")

	// Wait for the source to read /dev/kmsg: a record written shows it.
	marker := name + "-ready"
	if !testserver.Poll(30*time.Second, 100*time.Millisecond, func() bool {
		writeKmsg(t, "<6>"+marker+"\n")
		return kmsgEvents(d) > 1 // the pstore crash and a record
	}) {
		t.Fatal("source kmsg never read a record")
	}
	cmd := exec.Command(bin)
	err := cmd.Run()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGSEGV {
		t.Fatalf("the test program did not die of SIGSEGV: %v", err)
	}
	line := "%SYS-2-CRASH: Process " + name + " (pid " + strconv.Itoa(cmd.ProcessState.Pid()) + ") crashed: signal 11 (SIGSEGV)"
	msg := col.find(t, "crash message", "<ch:Type>crash</ch:Type>", line, "crashinfo", "Signal:    11 (SIGSEGV)", "show version")
	if !strings.Contains(msg, "segfault at 0 ip") {
		t.Errorf("the crash message has no kernel record:\n%s", msg)
	}
	if !testserver.Poll(30*time.Second, 10*time.Millisecond, func() bool {
		for _, r := range d.AppletHistory() {
			if r.Applet == "CRASHWATCH" && r.Status == "success" {
				return true
			}
		}
		return false
	}) {
		t.Errorf("applet CRASHWATCH did not run on the crash line; history %+v", d.AppletHistory())
	}
}

// kmsgEvents is the events source kmsg handed on.
func kmsgEvents(d *Daemon) uint64 {
	for _, s := range d.SourceStats() {
		if s.Source == "kmsg" {
			return s.Events
		}
	}
	return 0
}
