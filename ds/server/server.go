// Package server is `dsengine server`: one http.Handler tree with the DS
// repository under /repo/ (as `repo serve` serves it), the Call Home
// collector under /ch/ and the web console at /.
package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds/repo"
	"github.com/dsengine/dsengine/ds/server/collector"
	"github.com/dsengine/dsengine/ds/server/console"
	"github.com/dsengine/dsengine/ds/server/store"
	"github.com/dsengine/dsengine/ds/verify"
)

// Paths of the handler tree.
const (
	RepoPrefix = "/repo/"
	// RepoDir is the repository's directory inside the data directory.
	RepoDir = "repo"
)

// Options tune New.
type Options struct {
	// DataDir holds the SQLite database (unless Store is given) and the
	// repository (DataDir/repo).
	DataDir string
	Store   store.Store
	Now     func() time.Time
	Logger  *slog.Logger
	// Secure: the server runs TLS (cookies are marked Secure).
	Secure bool
	// Tokens authenticate devices; the store's tokens if nil.
	Tokens collector.Tokens
	// MaxBody caps a Call Home message (collector.DefaultMaxBody if 0).
	MaxBody int64
}

// Server is the handler tree.
type Server struct {
	o         Options
	mux       *http.ServeMux
	Collector *collector.Collector
	Console   *console.Console

	repoMu sync.Mutex
	repo   *repo.Server
}

// New wires the parts together.
func New(o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Store == nil {
		return nil, errors.New("server: Options.Store is required")
	}
	if o.Tokens == nil {
		o.Tokens = &collector.StoreTokens{Store: o.Store}
	}
	s := &Server{o: o, mux: http.NewServeMux()}
	con, err := console.New(console.Options{Store: o.Store, Now: o.Now, Logger: o.Logger, Secure: o.Secure, RepoDir: s.repoDir()})
	if err != nil {
		return nil, err
	}
	s.Console = con
	s.Collector = collector.New(collector.Options{Store: o.Store, Tokens: o.Tokens, MaxBody: o.MaxBody, Now: o.Now, Logger: o.Logger, Stored: con.Notify})
	s.mux.Handle(collector.PathPrefix, s.Collector)
	s.mux.Handle(RepoPrefix, http.StripPrefix(strings.TrimSuffix(RepoPrefix, "/"), http.HandlerFunc(s.serveRepo)))
	s.mux.Handle("/", con)
	return s, nil
}

func (s *Server) repoDir() string {
	if s.o.DataDir == "" {
		return ""
	}
	return filepath.Join(s.o.DataDir, RepoDir)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Repository returns the repository handler, made once the directory has
// a built index.
func (s *Server) Repository() (*repo.Server, error) {
	s.repoMu.Lock()
	defer s.repoMu.Unlock()
	if s.repo != nil {
		return s.repo, nil
	}
	dir := s.repoDir()
	if dir == "" {
		return nil, errors.New("no repository: the server has no data directory")
	}
	if _, err := os.Stat(filepath.Join(dir, verify.IndexFile)); err != nil {
		return nil, fmt.Errorf("no repository index in %s: put signed DS files there and run `dsengine repo build --key SECRET.asc %s`", dir, dir)
	}
	rs, err := repo.NewServer(dir, repo.ServerOptions{Now: s.o.Now, Logger: s.o.Logger})
	if err != nil {
		return nil, err
	}
	s.repo = rs
	return rs, nil
}

// serveRepo serves the repository; a DS request also records the
// device's DS statuses in the store for the console.
func (s *Server) serveRepo(w http.ResponseWriter, r *http.Request) {
	rs, err := s.Repository()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/"+repo.RequestPath {
		rs.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, repo.MaxRequestSize+1))
	if err != nil {
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	rs.ServeHTTP(rec, r)
	if rec.code != http.StatusOK {
		return
	}
	req, err := repo.ParseRequest(body)
	if err != nil {
		return
	}
	list := make([]store.DeviceDS, 0, len(req.DS))
	for _, d := range req.DS {
		list = append(list, store.DeviceDS{DSID: d.ID, Revision: fmt.Sprint(d.Revision), Status: fmt.Sprint(d.Status)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.o.Store.SaveDeviceDS(ctx, req.Hostname, req.Serial, req.Profile, s.o.Now(), list); err != nil {
		s.o.Logger.Warn("server: DS statuses not recorded", "hostname", req.Hostname, "err", err)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}
