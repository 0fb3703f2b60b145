package collector

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/server/store"
)

// DefaultMaxBody is the largest message accepted (10 MiB; dsengine's
// largest message-size-limit is 5 MB).
const DefaultMaxBody = 10 << 20

// PathPrefix is where devices post: PathPrefix + token, or PathPrefix
// alone with HTTP basic auth (user = profile, password = token).
const PathPrefix = "/ch/"

// Tokens says which profile a token belongs to.
type Tokens interface {
	// Profile returns the profile of token, ok false when it is unknown;
	// an error when it cannot tell (the database is down).
	Profile(ctx context.Context, token string) (profile string, ok bool, err error)
}

// StoreTokens are the tokens of a store (`dsengine server token add`).
// Tokens once found are remembered, so that devices still authenticate
// (and are answered 503, to retry) while the database is down.
type StoreTokens struct {
	Store store.Store
	mu    sync.Mutex
	known map[string]string // sha256 of the token → profile
}

// Profile implements Tokens.
func (s *StoreTokens) Profile(ctx context.Context, token string) (string, bool, error) {
	sum := sha256.Sum256([]byte(token))
	key := string(sum[:])
	s.mu.Lock()
	p, ok := s.known[key]
	s.mu.Unlock()
	if ok {
		return p, true, nil
	}
	p, err := s.Store.TokenProfile(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	s.mu.Lock()
	if s.known == nil {
		s.known = map[string]string{}
	}
	s.known[key] = p
	s.mu.Unlock()
	return p, true, nil
}

// StaticTokens is a fixed token → profile map.
type StaticTokens map[string]string

// Profile implements Tokens in constant time per token.
func (s StaticTokens) Profile(_ context.Context, token string) (string, bool, error) {
	sum := sha256.Sum256([]byte(token))
	found, profile := false, ""
	for t, p := range s {
		ts := sha256.Sum256([]byte(t))
		if subtle.ConstantTimeCompare(sum[:], ts[:]) == 1 {
			found, profile = true, p
		}
	}
	return profile, found, nil
}

// Options tune New.
type Options struct {
	Store  store.Store
	Tokens Tokens
	// MaxBody caps a message; DefaultMaxBody if zero. A longer one is
	// answered 413 and nothing is stored.
	MaxBody int64
	Now     func() time.Time
	Logger  *slog.Logger
	// Stored, when set, is called after each new message is stored (the
	// console's live update).
	Stored func(*store.Message)
}

// Collector is the http.Handler devices post their messages to.
type Collector struct{ o Options }

// New returns a Collector.
func New(o Options) *Collector {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Collector{o: o}
}

// ServeHTTP authenticates the device (its token in the path or as the
// basic-auth password, or a verified client certificate when the path has
// no token) and answers a posted message: 200 stored (or already stored), 400
// refused (sending it again will not help), 401 no or wrong token, 413 too
// large, 503 the database is unavailable (the device retries from its
// outbox).
func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST Call Home messages here", http.StatusMethodNotAllowed)
		return
	}
	token := strings.TrimPrefix(r.URL.Path, PathPrefix)
	if token == r.URL.Path || strings.Contains(token, "/") {
		http.NotFound(w, r)
		return
	}
	if token == "" {
		_, token, _ = r.BasicAuth()
	}
	profile, ok := "", false
	if token == "" && r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		// A client certificate the server's --client-ca verified: the
		// device is known; its common name stands for the profile.
		profile, ok = r.TLS.VerifiedChains[0][0].Subject.CommonName, true
	}
	if token != "" {
		var err error
		if profile, ok, err = c.o.Tokens.Profile(r.Context(), token); err != nil {
			c.unavailable(w, r, err)
			return
		}
	}
	if !ok {
		c.o.Logger.Warn("collector: refused: no or unknown token", "remote", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Basic realm="dsengine call home"`)
		http.Error(w, "refused: no or unknown token; put the profile's token in the destination URL (/ch/TOKEN) or in HTTP basic auth", http.StatusUnauthorized)
		return
	}
	if r.ContentLength > c.o.MaxBody {
		c.tooLarge(w, r, r.ContentLength)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, c.o.MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		c.tooLarge(w, r, -1)
		return
	}
	if err != nil {
		http.Error(w, "reading the message: "+err.Error(), http.StatusBadRequest)
		return
	}
	id, err := c.Collect(r.Context(), body, profile, r.Header.Get("X-Message-Id"), r.RemoteAddr)
	if errors.Is(err, ErrRefused) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "stored message %d\n", id)
}

// Collect parses and stores one message that came from an authenticated
// device (over HTTP or SMTP). msgID is the transport's id of the message
// (X-Message-Id, Message-ID), used when the body has none to recognise a
// retry. The error wraps ErrRefused (do not retry) or the store's.
func (c *Collector) Collect(ctx context.Context, body []byte, profile, msgID, remote string) (int64, error) {
	p, err := Parse(body)
	if err != nil {
		c.o.Logger.Warn("collector: refused a message", "remote", remote, "profile", profile, "err", err)
		return 0, err
	}
	m := ToStore(p, body, c.o.Now())
	if m.MessageID == "" {
		m.MessageID = msgID
	}
	id, dup, err := c.o.Store.SaveMessage(ctx, m)
	if err != nil {
		return 0, err
	}
	if !dup && c.o.Stored != nil {
		c.o.Stored(m)
	}
	c.o.Logger.Info("collector: stored", "id", id, "host", m.Hostname, "type", m.Type, "dup", dup, "profile", profile)
	return id, nil
}

// unavailable answers a message that could not be stored: 503 when the
// database is down, 500 otherwise; the device retries either.
func (c *Collector) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	c.o.Logger.Error("collector: not stored; the device will retry", "remote", r.RemoteAddr, "err", err)
	code := http.StatusInternalServerError
	if errors.Is(err, store.ErrUnavailable) {
		code = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "30")
	}
	http.Error(w, "not stored, retry later: the database is unavailable", code)
}

func (c *Collector) tooLarge(w http.ResponseWriter, r *http.Request, n int64) {
	c.o.Logger.Warn("collector: refused: message too large", "remote", r.RemoteAddr, "length", n, "cap", c.o.MaxBody)
	w.Header().Set("Connection", "close")
	http.Error(w, "refused: message larger than "+strconv.FormatInt(c.o.MaxBody, 10)+" bytes; lower the profile's message-size-limit",
		http.StatusRequestEntityTooLarge)
}

// ToStore makes a parsed message the stored one.
func ToStore(p *Parsed, raw []byte, at time.Time) *store.Message {
	m := &store.Message{
		Hostname: p.Customer.Hostname, Serial: p.Device.Serial, ReceivedAt: at, Format: p.Format,
		Type: p.Type, SubType: p.SubType, DSID: p.DSID(), Severity: int(p.Severity), EventTime: p.EventTime,
		MessageID: p.AMLMessageID, Description: p.Description, Raw: raw, Fields: map[string]string{},
	}
	for _, f := range p.Fields {
		if _, ok := m.Fields[f[0]]; !ok {
			m.Fields[f[0]] = f[1]
		}
	}
	// The store reads these names; the text formats spell them otherwise.
	m.Fields["DeviceId"] = p.Device.ID()
	m.Fields["Model"] = p.Device.PID
	m.Fields["SoftwareVersion"] = p.Device.SoftwareVersion
	for _, a := range p.Attachments {
		m.Attachments = append(m.Attachments, store.Attachment{Name: a.Command, Data: []byte(a.Output)})
	}
	return m
}
