package sourcetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// WriteKmsg writes one record to the real /dev/kmsg (the tests run as
// root).
func WriteKmsg(t testing.TB, line string) {
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

// RequireSegfaultLines fails unless the kernel logs a line for each
// segfault (debug.exception-trace = 1).
func RequireSegfaultLines(t testing.TB) {
	t.Helper()
	if b, _ := os.ReadFile("/proc/sys/debug/exception-trace"); strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("/proc/sys/debug/exception-trace is %q: the kernel logs no segfault line; set it to 1", b)
	}
}

// Segfaulter builds, with gcc, a program called name that dies of SIGSEGV,
// and returns its path.
func Segfaulter(t testing.TB, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(bin+".c", []byte("int main(void){volatile int *p = 0; *p = 1; return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-o", bin, bin+".c").CombinedOutput(); err != nil {
		t.Fatalf("gcc (make deps installs it): %v\n%s", err, out)
	}
	return bin
}

// Crash runs cmd (a Segfaulter's program, or a shell that execs it) and
// fails unless it died of SIGSEGV; it returns its wait status.
func Crash(t testing.TB, cmd *exec.Cmd) syscall.WaitStatus {
	t.Helper()
	err := cmd.Run()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGSEGV {
		t.Fatalf("the test program did not die of SIGSEGV: %v", err)
	}
	return ws
}
