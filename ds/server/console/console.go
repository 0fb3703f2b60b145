// Package console is the web console of `dsengine server`: server-rendered
// pages (html/template, so everything a device sent is shown escaped) of
// the devices, their messages and attachments, the DS and a chart of
// messages per hour, behind a login. The one script, served from the
// binary, swaps a page's content when the server announces a new message
// (server-sent events).
package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/server/store"
	"github.com/dsengine/dsengine/ds/verify"
	"golang.org/x/crypto/bcrypt"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options tune New.
type Options struct {
	Store store.Store
	// Now is the clock of sessions, login throttling, "ago" and the
	// chart's hours; time.Now if nil.
	Now    func() time.Time
	Logger *slog.Logger
	// Secure marks the session cookie Secure (the server runs TLS).
	Secure bool
	// RepoDir is the DS repository, for the DS pages; "" for none.
	RepoDir string
	// Hours is the chart's span; 24 if zero.
	Hours int
}

// Console is the console's http.Handler.
type Console struct {
	o        Options
	mux      *http.ServeMux
	pages    map[string]*template.Template
	sessions sessions
	throttle throttle
	hub      hub
}

// New returns the console.
func New(o Options) (*Console, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Hours <= 0 {
		o.Hours = 24
	}
	c := &Console{o: o, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	funcs := template.FuncMap{
		"when":     c.when,
		"health":   c.health,
		"severity": func(n int) string { return fmt.Sprintf("%d %s", n, config.AlertSeverity(n)) },
	}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/messages.html", "templates/chart.html"))
	for _, p := range []string{"login", "devices", "device", "message", "attachment", "dslist", "ds", "chart", "search", "error"} {
		t := template.Must(base.Clone())
		if p != "chart" {
			template.Must(t.ParseFS(templateFS, "templates/"+p+".html"))
		}
		c.pages[p] = t
	}
	static, _ := fs.Sub(staticFS, "static")
	m := c.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", c.loginPage)
	m.HandleFunc("POST /login", c.login)
	m.HandleFunc("POST /logout", c.auth(c.logout))
	m.HandleFunc("GET /{$}", c.auth(c.devices))
	m.HandleFunc("GET /device/{id}", c.auth(c.device))
	m.HandleFunc("GET /message/{id}", c.auth(c.message))
	m.HandleFunc("GET /message/{id}/attachment/{seq}", c.auth(c.attachment))
	m.HandleFunc("GET /message/{id}/attachment/{seq}/raw", c.auth(c.attachmentRaw))
	m.HandleFunc("GET /ds", c.auth(c.dsList))
	m.HandleFunc("GET /ds/{id}", c.auth(c.ds))
	m.HandleFunc("POST /ds/{id}/assign", c.auth(c.assign))
	m.HandleFunc("GET /chart", c.auth(c.chartPage))
	m.HandleFunc("GET /search", c.auth(c.search))
	m.HandleFunc("GET /events", c.auth(c.events))
	return c, nil
}

// Notify tells open pages that a message arrived (collector.Options.Stored).
func (c *Console) Notify(*store.Message) { c.hub.publish() }

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

// view is what every page template gets.
type view struct {
	Title, User, Role, CSRF, Error string
	Admin, Live                    bool
	Data                           any
}

type ctxKey struct{}

func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(ctxKey{}).(*session)
	return s
}

// auth lets logged-in users through; a form post must carry the
// session's CSRF token.
func (c *Console) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var s *session
		if ck, err := r.Cookie(sessionCookie); err == nil {
			s = c.sessions.get(ck.Value, c.o.Now())
		}
		if s == nil {
			if r.Method == http.MethodGet && r.URL.Path != "/events" {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && !equalToken(r.PostFormValue("csrf"), s.csrf) {
			c.o.Logger.Warn("console: form without a valid CSRF token refused", "user", s.user, "path", r.URL.Path, "remote", r.RemoteAddr)
			c.render(w, r, http.StatusForbidden, "error", view{Title: "Refused", Error: "refused: the form's CSRF token is missing or wrong; reload the page and try again"})
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
	}
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, code int, page string, v view) {
	if s := sessionOf(r); s != nil {
		v.User, v.Role, v.CSRF, v.Admin = s.user, s.role, s.csrf, s.role == store.RoleAdmin
	}
	var b bytes.Buffer
	if err := c.pages[page].ExecuteTemplate(&b, "layout", v); err != nil {
		c.o.Logger.Error("console: template", "page", page, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(b.Bytes())
}

// fail shows a store error: 503 when the database is down, 404 for a
// missing row.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, title := http.StatusInternalServerError, "Error"
	switch {
	case errors.Is(err, store.ErrNotFound):
		code, title = http.StatusNotFound, "Not found"
	case errors.Is(err, store.ErrUnavailable):
		code, title = http.StatusServiceUnavailable, "Database unavailable"
	}
	if code != http.StatusNotFound {
		c.o.Logger.Error("console", "path", r.URL.Path, "err", err)
	}
	c.render(w, r, code, "error", view{Title: title, Error: err.Error()})
}

func (c *Console) when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := c.o.Now().Sub(t).Round(time.Second)
	ago := ""
	switch {
	case d < 0:
		ago = "in the future"
	case d < time.Minute:
		ago = "just now"
	case d < time.Hour:
		ago = fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		ago = fmt.Sprintf("%d h ago", int(d.Hours()))
	default:
		ago = fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC") + " (" + ago + ")"
}

// health is a device's mark: silent when it has not called in a day,
// alert when it sent a critical (6) or worse message in the last hour,
// warning for minor (4) or worse, else ok.
func (c *Console) health(d store.Device) string {
	switch {
	case c.o.Now().Sub(d.LastSeen) > 24*time.Hour:
		return "silent"
	case d.LastSeverity >= int(config.SeverityCritical):
		return "alert"
	case d.LastSeverity >= int(config.SeverityMinor):
		return "warning"
	}
	return "ok"
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.loginForm(w, r, http.StatusOK, "")
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request, code int, msg string) {
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: c.o.Secure,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	c.render(w, r, code, "login", view{Title: "Log in", CSRF: tok, Error: msg})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(loginCookie)
	if err != nil || !equalToken(r.PostFormValue("csrf"), ck.Value) {
		c.o.Logger.Warn("console: login form without a valid CSRF token refused", "remote", r.RemoteAddr)
		c.loginForm(w, r, http.StatusForbidden, "refused: the form's CSRF token is missing or wrong; try again")
		return
	}
	name, pw := r.PostFormValue("name"), r.PostFormValue("password")
	now := c.o.Now()
	keys := []string{"addr:" + remoteIP(r), "name:" + name}
	if wait := c.throttle.wait(now, keys...); wait > 0 {
		c.o.Logger.Warn("console: login refused: too many failed attempts", "name", name, "remote", r.RemoteAddr, "wait", wait.Round(time.Second))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
		c.loginForm(w, r, http.StatusTooManyRequests, fmt.Sprintf("too many failed logins; try again in %s", wait.Round(time.Second)))
		return
	}
	u, err := c.o.Store.User(r.Context(), name)
	hash := dummyHash
	if err == nil {
		hash = []byte(u.Hash)
	} else if !errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, err)
		return
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(pw)) != nil || err != nil {
		n := c.throttle.fail(now, keys...)
		c.o.Logger.Warn("console: login failed", "name", name, "remote", r.RemoteAddr, "failures", n)
		c.loginForm(w, r, http.StatusUnauthorized, "wrong name or password")
		return
	}
	c.throttle.reset(keys...)
	id, _ := c.sessions.create(u.Name, u.Role, now)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: c.o.Secure, SameSite: http.SameSiteStrictMode})
	c.o.Logger.Info("console: logged in", "name", name, "remote", r.RemoteAddr)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		c.sessions.drop(ck.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.o.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (c *Console) devices(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	devs, err := c.o.Store.Devices(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n, err := c.o.Store.CountMessages(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ch, err := c.chart(ctx, 0)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "devices", view{Title: "Devices", Live: true, Data: map[string]any{"Devices": devs, "Count": n, "Chart": ch}})
}

func pathID(r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return n, err == nil && n > 0
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusNotFound, "error", view{Title: "Not found", Error: "no such page: " + r.URL.Path})
}

func (c *Console) device(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		c.notFound(w, r)
		return
	}
	ctx := r.Context()
	d, err := c.o.Store.Device(ctx, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	msgs, err := c.o.Store.Messages(ctx, store.Filter{DeviceID: id, Limit: 200})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ch, err := c.chart(ctx, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "device", view{Title: d.Hostname, Live: true, Data: map[string]any{"Device": d, "Messages": msgs, "Chart": ch}})
}

func (c *Console) message(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		c.notFound(w, r)
		return
	}
	m, err := c.o.Store.Message(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "message", view{Title: "Message " + strconv.FormatInt(id, 10), Data: map[string]any{"Message": m}})
}

func (c *Console) getAttachment(w http.ResponseWriter, r *http.Request) (int64, *store.Attachment, bool) {
	id, ok := pathID(r, "id")
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if !ok || err != nil || seq < 0 {
		c.notFound(w, r)
		return 0, nil, false
	}
	a, err := c.o.Store.Attachment(r.Context(), id, seq)
	if err != nil {
		c.fail(w, r, err)
		return 0, nil, false
	}
	return id, a, true
}

func (c *Console) attachment(w http.ResponseWriter, r *http.Request) {
	id, a, ok := c.getAttachment(w, r)
	if !ok {
		return
	}
	text := string(a.Data)
	valid := utf8.ValidString(text)
	if !valid {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	c.render(w, r, http.StatusOK, "attachment", view{Title: a.Name, Data: map[string]any{"Attachment": a, "MessageID": id, "Text": text, "UTF8": valid}})
}

func (c *Console) attachmentRaw(w http.ResponseWriter, r *http.Request) {
	id, a, ok := c.getAttachment(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="message-%d-%d.txt"`, id, a.Seq))
	_, _ = w.Write(a.Data)
}

// repoIndex reads the repository's index, or says why not.
func (c *Console) repoIndex() (*verify.Index, string) {
	if c.o.RepoDir == "" {
		return nil, "No DS repository is served."
	}
	p := filepath.Join(c.o.RepoDir, verify.IndexFile)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Sprintf("The repository has no index yet (%v): build one with `dsengine repo build --key SECRET.asc %s`.", err, c.o.RepoDir)
	}
	ix, err := verify.ParseIndex(p, data)
	if err != nil {
		return nil, err.Error()
	}
	return ix, ""
}

type dsRow struct {
	ID, Revision   string
	Devices, Fired int64
}

func (c *Console) dsList(w http.ResponseWriter, r *http.Request) {
	all, err := c.o.Store.DSDevices(r.Context(), "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rows := map[string]*dsRow{}
	ix, why := c.repoIndex()
	if ix != nil {
		for _, e := range ix.DS {
			rows[e.ID] = &dsRow{ID: e.ID, Revision: fmt.Sprint(e.Revision)}
		}
	}
	for _, x := range all {
		row := rows[x.DSID]
		if row == nil {
			row = &dsRow{ID: x.DSID}
			rows[x.DSID] = row
		}
		row.Devices++
		row.Fired += x.Fired
	}
	list := make([]*dsRow, 0, len(rows))
	for _, row := range rows {
		list = append(list, row)
	}
	sort.Slice(list, func(i, j int) bool {
		a, _ := strconv.Atoi(list[i].ID)
		b, _ := strconv.Atoi(list[j].ID)
		return a < b || a == b && list[i].ID < list[j].ID
	})
	c.render(w, r, http.StatusOK, "dslist", view{Title: "Signatures", Live: true, Data: map[string]any{"List": list, "RepoError": why}})
}

func (c *Console) ds(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	devs, err := c.o.Store.DSDevices(ctx, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	msgs, err := c.o.Store.Messages(ctx, store.Filter{DSID: id, Limit: 50})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	as, err := c.o.Store.Assignments(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var profiles []string
	for _, a := range as {
		if a.DSID == id {
			profiles = append(profiles, a.Profile)
		}
	}
	data := map[string]any{"ID": id, "Devices": devs, "Messages": msgs, "Profiles": profiles}
	if ix, _ := c.repoIndex(); ix != nil {
		data["IndexVersion"] = ix.Version
		if i := slices.IndexFunc(ix.DS, func(e verify.IndexEntry) bool { return e.ID == id }); i >= 0 {
			data["Revision"], data["Path"] = fmt.Sprint(ix.DS[i].Revision), ix.DS[i].Path
		}
	}
	c.render(w, r, http.StatusOK, "ds", view{Title: "DS " + id, Live: true, Data: data})
}

func (c *Console) assign(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	if s.role != store.RoleAdmin {
		c.render(w, r, http.StatusForbidden, "error", view{Title: "Refused", Error: "refused: only an admin edits DS assignments"})
		return
	}
	id, profile := r.PathValue("id"), strings.TrimSpace(r.PostFormValue("profile"))
	if profile == "" || len(profile) > 64 || len(id) > 32 {
		c.render(w, r, http.StatusBadRequest, "error", view{Title: "Refused", Error: "give a profile name (at most 64 characters)"})
		return
	}
	on := r.PostFormValue("on") != "0"
	if err := c.o.Store.SetAssignment(r.Context(), store.Assignment{Profile: profile, DSID: id}, on); err != nil {
		c.fail(w, r, err)
		return
	}
	c.o.Logger.Info("console: assignment", "user", s.user, "profile", profile, "ds", id, "on", on)
	http.Redirect(w, r, "/ds/"+id, http.StatusSeeOther)
}

func (c *Console) chartPage(w http.ResponseWriter, r *http.Request) {
	ch, err := c.chart(r.Context(), 0)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "chart", view{Title: "Chart", Live: true, Data: map[string]any{"Chart": ch}})
}

func (c *Console) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.Filter{Hostname: q.Get("host"), DSID: q.Get("ds"), Type: q.Get("type"), Text: q.Get("text"), Limit: 200}
	searched := f.Hostname != "" || f.DSID != "" || f.Type != "" || f.Text != ""
	var msgs []store.Message
	if searched {
		var err error
		if msgs, err = c.o.Store.Messages(r.Context(), f); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	c.render(w, r, http.StatusOK, "search", view{Title: "Search", Data: map[string]any{"F": f, "Messages": msgs, "Searched": searched}})
}

// hub fans "a message arrived" out to the open event streams.
type hub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

func (h *hub) subscribe() chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan struct{}]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch
}

func (h *hub) unsubscribe(ch chan struct{}) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

func (h *hub) publish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default: // one pending event is enough
		}
	}
}

// events streams "message" server-sent events, one per stored message
// (coalesced), and a comment every 25 s to keep proxies from closing it.
func (c *Console) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := c.hub.subscribe()
	defer c.hub.unsubscribe(ch)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	keep := time.NewTicker(25 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ch:
			fmt.Fprint(w, "event: message\ndata: new\n\n")
		case <-keep.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		}
		fl.Flush()
	}
}
