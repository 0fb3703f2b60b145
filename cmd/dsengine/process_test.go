package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/internal/testserver"
)

// testProcessEnv makes this test binary run as something else: "cli" is
// the dsengine program itself (main), "squatter" a process that listens
// on a socket path pretending to be the daemon.
const testProcessEnv = "DSENGINE_TEST_PROCESS"

func TestMain(m *testing.M) {
	switch os.Getenv(testProcessEnv) {
	case "cli":
		main()
	case "squatter":
		os.Exit(squat(os.Args[1]))
	}
	os.Exit(m.Run())
}

// squat listens at path, answers every client a fake success at once, and
// prints what each one sent.
func squat(path string) int {
	l, err := net.Listen("unix", path)
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	os.Chmod(path, 0o666)
	fmt.Println("listening")
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		_ = json.NewEncoder(c).Encode(control.Response{Stdout: "FAKE OK\n"})
		got, _ := io.ReadAll(c)
		fmt.Printf("read %d bytes: %q\n", len(got), got)
		c.Close()
	}
}

// process is this test binary running as the dsengine program (or a
// squatter), its output line by line.
type process struct {
	cmd   *exec.Cmd
	lines chan string // stdout and stderr, merged
	out   *syncBuffer // all of it
	done  chan struct{}
	code  int
}

// startProcess runs this test binary in mode ("cli" or "squatter") with
// args, in dir, as the user (nil: as the test); it is killed when the test
// ends.
func startProcess(t *testing.T, u *testserver.User, dir, mode string, args ...string) *process {
	t.Helper()
	var cmd *exec.Cmd
	if u != nil {
		cmd = u.Command(testserver.PublicTestBinary(t), args...)
	} else {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(self, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Env = os.Environ()
	}
	cmd.Dir = dir
	cmd.Env = append(cmd.Env, testProcessEnv+"="+mode)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	p := &process{cmd: cmd, lines: make(chan string, 1024), out: &syncBuffer{}, done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.out.Write([]byte(sc.Text() + "\n"))
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		pr.Close()
		_ = cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.lines)
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits up to 10 s for the process to end and returns its exit code.
func (p *process) wait(t *testing.T, what string) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not end within 10 s; its output:\n%s", what, p.out.String())
	}
	return 0
}

// waitLine waits up to 10 s for a line of output that contains want.
func (p *process) waitLine(t *testing.T, want string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("the process ended without printing %q; its output:\n%s", want, p.out.String())
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %q; the output:\n%s", want, p.out.String())
		}
	}
}

// hangingRepo is an HTTPS DS repository that never answers: each request
// is held until its client goes away.
type hangingRepo struct {
	URL, CAFile string
	arrived     chan struct{} // a request came
	left        chan struct{} // a client went away
}

func startHangingRepo(t *testing.T) *hangingRepo {
	t.Helper()
	ca := testserver.NewTestCA(t, t.TempDir())
	cert, err := tls.LoadX509KeyPair(ca.CertFile, ca.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	r := &hangingRepo{CAFile: ca.CAFile, arrived: make(chan struct{}, 16), left: make(chan struct{}, 16)}
	quit := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Reading the body lets the server notice its client going away.
		_, _ = io.Copy(io.Discard, req.Body)
		r.arrived <- struct{}{}
		select {
		case <-req.Context().Done():
			r.left <- struct{}{}
		case <-quit:
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(func() { close(quit); srv.CloseClientConnections(); srv.Close() })
	r.URL = srv.URL
	return r
}

// await waits up to 10 s for c.
func await(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// unblockFIFO opens path for writing when the test ends, so that a reader
// left blocked in open() on it returns. Register it after what must stop
// after it (cleanups run last first).
func unblockFIFO(t *testing.T, path string) {
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}
