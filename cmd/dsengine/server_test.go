package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/dsengine/dsengine/ds/server/store"
	"github.com/dsengine/dsengine/internal/testserver"
)

// startServer runs `dsengine server` in the test's process with a console
// user alice (admin) and a token for profile user1; it returns the base
// URL and the token.
func startServer(t *testing.T, data string) (string, string) {
	t.Helper()
	cmd := func(stdin string, args ...string) result {
		var out, errOut bytes.Buffer
		e := &env{ctx: context.Background(), stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
			getenv: func(string) string { return "" }, now: time.Now}
		return result{run(e, args), out.String(), errOut.String()}
	}
	if r := cmd("s3cret-pass\n", "server", "user", "add", "alice", "--role", "admin", "--data", data); r.code != exitOK {
		t.Fatalf("user add: %s%s", r.stdout, r.stderr)
	}
	if r := cmd("short\n", "server", "user", "add", "bob", "--data", data); r.code != exitFail || !strings.Contains(r.stderr, "fewer than 8") {
		t.Errorf("a short password: exit %d %s", r.code, r.stderr)
	}
	r := cmd("", "server", "token", "add", "user1", "--data", data)
	m := regexp.MustCompile(`token for profile user1: (\S+)`).FindStringSubmatch(r.stdout)
	if r.code != exitOK || m == nil {
		t.Fatalf("token add: %s%s", r.stdout, r.stderr)
	}
	addr := testserver.Addr(testserver.FreePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		e := &env{ctx: ctx, stdin: strings.NewReader(""), stdout: log, stderr: log, getenv: func(string) string { return "" }, now: time.Now}
		done <- run(e, []string{"server", "--data", data, "--listen", addr})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("server exit %d\n%s", code, log.String())
		}
	})
	eventually(t, "the server", func() bool { return strings.Contains(log.String(), "dsengine server: console") })
	return "http://" + addr, m[1]
}

// daemonDir writes a daemon's configuration (posting to collector) and
// installs DS 6050, which collects an interface's state when it goes down.
func daemonDir(t *testing.T, hostname, collector string) (string, string) {
	dir := t.TempDir()
	syslog := testserver.FreeUDPPort(t)
	conf := `hostname ` + hostname + `
service call-home
call-home
 contact-email-addr noc@example.com
 profile "user1"
  destination transport-method http
  no destination transport-method email
  destination address http ` + collector + `
 diagnostic-signature
  profile user1
  trust-key ` + repoFile(t, "signatures/keys/demo-public.asc") + `
dsengine
 syslog listen udp ` + testserver.Addr(syslog) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := dsengineNow(t, dir, "call-home", "diagnostic-signature", "install", "6050", "--file", repoFile(t, "signatures/6050.xml")); r.code != exitOK {
		t.Fatalf("install: %s%s", r.stdout, r.stderr)
	}
	return dir, testserver.Addr(syslog)
}

// TestServerInBrowser: `dsengine server` and two daemons posting to it; a
// DS fires on one; a headless Chromium logs in, finds the message on the
// device page, opens its attachment and sees it in the chart.
func TestServerInBrowser(t *testing.T) {
	testserver.Require(t, "logger", "/usr/bin/chromium")
	data := t.TempDir()
	base, token := startServer(t, data)
	dirA, syslogA := daemonDir(t, "edge-a", base+"/ch/"+token)
	dirB, _ := daemonDir(t, "edge-b", base+"/ch/"+token)
	startDaemon(t, dirA)
	startDaemon(t, dirB)

	host, port, _ := strings.Cut(syslogA, ":")
	if out, err := exec.Command("logger", "-n", host, "-P", port, "-d", "%LINK-3-UPDOWN: Interface lo, changed state to down").CombinedOutput(); err != nil {
		t.Fatalf("logger: %v %s", err, out)
	}
	if r := dsengineNow(t, dirB, "call-home", "test", "hello from edge-b", "profile", "user1"); r.code != exitOK {
		t.Fatalf("call-home test: %s%s", r.stdout, r.stderr)
	}
	st, err := store.Open(context.Background(), filepath.Join(data, store.SQLiteFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eventually(t, "both messages stored", func() bool {
		ds, _ := st.Messages(context.Background(), store.Filter{DSID: "6050"})
		test, _ := st.Messages(context.Background(), store.Filter{Type: "test"})
		return len(ds) == 1 && ds[0].Hostname == "edge-a" && len(test) == 1 && test[0].Hostname == "edge-b"
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox,
		chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(1280, 900))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first Run starts the browser, which lives as long as ctx: no
	// timeout on it; the steps after it are bounded.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("browser: %v", err)
	}
	sctx, scancel := context.WithTimeout(ctx, 60*time.Second)
	defer scancel()

	// page checks that the page is no error page and shows every text.
	page := func(what string, texts ...string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.WaitVisible(chromedp.CSS("main"))(ctx, tg); err != nil {
				return err
			}
			h1, err := chromedp.Text(chromedp.CSS("h1"))(ctx, tg)
			if err != nil {
				return err
			}
			body, err := chromedp.Text(chromedp.CSS("body"))(ctx, tg)
			if err != nil {
				return err
			}
			for _, bad := range []string{"Error", "Not found", "Refused", "Database unavailable"} {
				if strings.HasPrefix(h1, bad) {
					t.Errorf("%s: an error page: %s\n%s", what, h1, body)
				}
			}
			for _, s := range texts {
				if !strings.Contains(body, s) {
					t.Errorf("%s: %q missing from the page:\n%s", what, s, body)
				}
			}
			return nil
		})
	}
	err = chromedp.Do(sctx,
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "s3cret-pass"),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS(`table.devices`)),
		page("devices", "edge-a", "edge-b", "6050"),
		chromedp.Click(chromedp.Search(`//a[text()="edge-a"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.messages`)),
		page("device edge-a", "Device edge-a", "diagnostic-signature", "%LINK-3-UPDOWN: Interface lo"),
		chromedp.Click(chromedp.CSS(`table.messages td a`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.attachments`)),
		page("message", "diagnostic-signature 6050", "show interfaces lo", "edge-a"),
		chromedp.Click(chromedp.CSS(`ul.attachments a`)),
		chromedp.WaitVisible(chromedp.CSS(`pre.output`)),
		page("attachment", "show interfaces lo", "lo:"),
		chromedp.Navigate(base+"/chart"),
		chromedp.WaitVisible(chromedp.CSS(`figure.chart`)),
		page("chart", "diagnostic-signature (1)", "test (1)"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	bars, err := chromedp.Run(sctx, chromedp.Evaluate[int](`document.querySelectorAll('rect[data-type="diagnostic-signature"]').length`))
	if err != nil || bars != 1 {
		t.Errorf("chart: %d diagnostic-signature bars (%v), want 1", bars, err)
	}
	shot, err := chromedp.Run(sctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(t.TempDir(), "chart.png")
	if err := os.WriteFile(png, shot, 0o644); err != nil || len(shot) < 1000 {
		t.Errorf("screenshot %s: %d bytes, %v", png, len(shot), err)
	}
	t.Logf("screenshot: %s (%d bytes)", png, len(shot))
}
