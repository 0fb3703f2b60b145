package console

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/server/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type fixture struct {
	srv *httptest.Server
	st  *store.SQL
	clk *clock
	log *lockedBuf
	con *Console
}

func newFixture(t *testing.T, secure bool) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.SQLiteFile), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &lockedBuf{}
	con, err := New(Options{Store: st, Now: clk.now, Secure: secure, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(con)
	t.Cleanup(srv.Close)
	for _, u := range []struct{ name, role string }{{"admin", store.RoleAdmin}, {"viewer", store.RoleReadOnly}} {
		h, _ := HashPassword("pw-" + u.name)
		if err := st.PutUser(context.Background(), store.User{Name: u.name, Hash: h, Role: u.role}); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{srv: srv, st: st, clk: clk, log: logs, con: con}
}

func client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in\n%s", page)
	}
	return m[1]
}

// login logs c in and returns the session's CSRF token.
func (f *fixture) login(t *testing.T, c *http.Client, name, pw string) (int, string) {
	t.Helper()
	_, page := get(t, c, f.srv.URL+"/login")
	resp, err := c.PostForm(f.srv.URL+"/login", url.Values{"csrf": {csrfOf(t, page)}, "name": {name}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return resp.StatusCode, ""
	}
	_, home := get(t, c, f.srv.URL+"/")
	return resp.StatusCode, csrfOf(t, home)
}

func TestLoginAndCookies(t *testing.T) {
	f := newFixture(t, true)
	c := client()
	if code, _ := get(t, c, f.srv.URL+"/"); code != http.StatusSeeOther {
		t.Errorf("not logged in: %d, want a redirect to /login", code)
	}
	// a login form posted without its CSRF token
	resp, _ := c.PostForm(f.srv.URL+"/login", url.Values{"name": {"admin"}, "password": {"pw-admin"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without CSRF: %d", resp.StatusCode)
	}
	// the cookie flags (Secure: this jar will not send it back over http)
	_, page := get(t, c, f.srv.URL+"/login")
	form := url.Values{"csrf": {csrfOf(t, page)}, "name": {"admin"}, "password": {"pw-admin"}}
	req, _ := http.NewRequest("POST", f.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	req.AddCookie(&http.Cookie{Name: loginCookie, Value: form.Get("csrf")})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var sc string
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, sessionCookie+"=") {
			sc = h
		}
	}
	for _, flag := range []string{"HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(sc, flag) {
			t.Errorf("session cookie %q lacks %s", sc, flag)
		}
	}
}

func TestForgedCookie(t *testing.T) {
	f := newFixture(t, false)
	req, _ := http.NewRequest("GET", f.srv.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: randomToken()})
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("forged cookie: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestWrongPasswords(t *testing.T) {
	f := newFixture(t, false)
	c := client()
	var codes []int
	for range 20 {
		code, _ := f.login(t, c, "admin", "wrong")
		codes = append(codes, code)
	}
	for i, code := range codes {
		want := http.StatusUnauthorized
		if i >= FreeFailures {
			want = http.StatusTooManyRequests
		}
		if code != want {
			t.Errorf("attempt %d: %d, want %d (%v)", i+1, code, want, codes)
			break
		}
	}
	if n := strings.Count(f.log.String(), "login failed"); n != FreeFailures {
		t.Errorf("%d failures logged, want %d", n, FreeFailures)
	}
	if !strings.Contains(f.log.String(), "too many failed attempts") {
		t.Errorf("throttling not logged:\n%s", f.log.String())
	}
	// even the right password waits; then it works
	if code, _ := f.login(t, c, "admin", "pw-admin"); code != http.StatusTooManyRequests {
		t.Errorf("right password while throttled: %d", code)
	}
	f.clk.add(MaxLoginDelay)
	if code, _ := f.login(t, c, "admin", "pw-admin"); code != http.StatusSeeOther {
		t.Errorf("after the wait: %d", code)
	}
}

func save(t *testing.T, st *store.SQL, m *store.Message) int64 {
	id, _, err := st.SaveMessage(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPagesEscape(t *testing.T) {
	f := newFixture(t, false)
	evil := `<script>alert(1)</script>'; DROP TABLE devices;--`
	save(t, f.st, &store.Message{Hostname: evil, Serial: "S1", ReceivedAt: f.clk.now(), Format: "xml", Type: "diagnostic-signature",
		SubType: "6030", DSID: "6030", Severity: 6, Description: evil, Fields: map[string]string{"Brand": evil},
		Attachments: []store.Attachment{{Name: "show <b>x</b>", Data: []byte(evil + "\ncaf\xe9 \xff")}}})
	c := client()
	if code, _ := f.login(t, c, "viewer", "pw-viewer"); code != http.StatusSeeOther {
		t.Fatal(code)
	}
	for _, p := range []string{"/", "/device/1", "/message/1", "/message/1/attachment/0", "/ds/6030", "/ds", "/chart",
		"/search?host=" + url.QueryEscape("<script>"), "/search?text=" + url.QueryEscape("drop table")} {
		code, body := get(t, c, f.srv.URL+p)
		if code != 200 {
			t.Errorf("%s: %d\n%s", p, code, body)
			continue
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>x</b>") {
			t.Errorf("%s: unescaped input", p)
		}
		if p != "/ds" && p != "/chart" && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the escaped hostname or text is missing\n%s", p, body)
		}
	}
	_, body := get(t, c, f.srv.URL+"/message/1/attachment/0")
	if !strings.Contains(body, "caf\uFFFD \uFFFD") || !strings.Contains(body, "not UTF-8") {
		t.Errorf("non-UTF-8 attachment:\n%s", body)
	}
	_, body = get(t, c, f.srv.URL+"/message/1/attachment/0/raw")
	if !strings.HasSuffix(body, "caf\xe9 \xff") {
		t.Errorf("raw attachment %q", body)
	}
	_, body = get(t, c, f.srv.URL+"/")
	if !strings.Contains(body, `class="mark alert"`) || !strings.Contains(body, `data-type="diagnostic-signature"`) {
		t.Errorf("health mark or chart bar missing:\n%s", body)
	}
	if code, _ := get(t, c, f.srv.URL+"/message/99"); code != 404 {
		t.Errorf("missing message: %d", code)
	}
}

func TestAssignCSRFAndRoles(t *testing.T) {
	f := newFixture(t, false)
	post := func(c *http.Client, csrf string) int {
		v := url.Values{"profile": {"user1"}, "on": {"1"}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		resp, err := c.PostForm(f.srv.URL+"/ds/6030/assign", v)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	admin, viewer := client(), client()
	_, acsrf := f.login(t, admin, "admin", "pw-admin")
	_, vcsrf := f.login(t, viewer, "viewer", "pw-viewer")
	if code := post(admin, ""); code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", code)
	}
	if code := post(admin, vcsrf); code != http.StatusForbidden {
		t.Errorf("another session's CSRF token: %d", code)
	}
	if code := post(viewer, vcsrf); code != http.StatusForbidden {
		t.Errorf("read-only user: %d", code)
	}
	if a, _ := f.st.Assignments(context.Background()); len(a) != 0 {
		t.Fatalf("assigned: %v", a)
	}
	if code := post(admin, acsrf); code != http.StatusSeeOther {
		t.Errorf("admin: %d", code)
	}
	if a, _ := f.st.Assignments(context.Background()); len(a) != 1 || a[0].Profile != "user1" {
		t.Errorf("assignments %v", a)
	}
	if !strings.Contains(f.log.String(), "CSRF token refused") {
		t.Errorf("CSRF refusal not logged")
	}
}

func TestEvents(t *testing.T) {
	f := newFixture(t, false)
	c := client()
	f.login(t, c, "viewer", "pw-viewer")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/events", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	if l, _ := rd.ReadString('\n'); l != ": connected\n" {
		t.Fatalf("first line %q", l)
	}
	rd.ReadString('\n')
	f.con.Notify(nil)
	if l, _ := rd.ReadString('\n'); l != "event: message\n" {
		t.Errorf("event line %q", l)
	}
}
