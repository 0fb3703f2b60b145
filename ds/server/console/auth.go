package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Cookie names.
const (
	sessionCookie = "dse_session"
	loginCookie   = "dse_login" // the login form's CSRF token, before a session exists
)

// SessionIdle is how long an unused session lasts.
const SessionIdle = 12 * time.Hour

// Login throttling: after FreeFailures failed logins for an address or a
// name, each further attempt waits twice as long as the one before, up to
// MaxLoginDelay.
const (
	FreeFailures  = 5
	MaxLoginDelay = 15 * time.Minute
)

// HashPassword returns the bcrypt hash `dsengine server user add` stores.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// dummyHash is compared against when the user does not exist, so that a
// wrong name takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func equalToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

type session struct {
	user, role, csrf string
	seen             time.Time
}

// sessions are the logged-in users, in memory: a restart logs everyone out.
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func (s *sessions) create(user, role string, now time.Time) (string, *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*session{}
	}
	for id, x := range s.m {
		if now.Sub(x.seen) > SessionIdle {
			delete(s.m, id)
		}
	}
	id := randomToken()
	x := &session{user: user, role: role, csrf: randomToken(), seen: now}
	s.m[id] = x
	return id, x
}

func (s *sessions) get(id string, now time.Time) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.m[id]
	if x == nil || now.Sub(x.seen) > SessionIdle {
		delete(s.m, id)
		return nil
	}
	x.seen = now
	c := *x
	return &c
}

func (s *sessions) drop(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// throttle counts failed logins per address and per name.
type throttle struct {
	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

func delay(n int) time.Duration {
	if n < FreeFailures {
		return 0
	}
	d := time.Second << min(n-FreeFailures, 20)
	return min(d, MaxLoginDelay)
}

// wait returns how long the keys must still wait before a new attempt.
func (t *throttle) wait(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var w time.Duration
	for _, k := range keys {
		if f := t.m[k]; f != nil {
			w = max(w, f.last.Add(delay(f.n)).Sub(now))
		}
	}
	return w
}

func (t *throttle) fail(now time.Time, keys ...string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*failures{}
	}
	if len(t.m) > 100000 {
		for k, f := range t.m {
			if now.Sub(f.last) > MaxLoginDelay {
				delete(t.m, k)
			}
		}
	}
	n := 0
	for _, k := range keys {
		f := t.m[k]
		if f == nil {
			f = &failures{}
			t.m[k] = f
		}
		f.n++
		f.last = now
		n = max(n, f.n)
	}
	return n
}

func (t *throttle) reset(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.m, k)
	}
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
