package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// The HTTP server's limits: a scrape is one small request.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 5 * time.Second
)

// Serve serves the metrics at /metrics on the TCP address addr
// ("127.0.0.1:9464") until ctx ends. It returns nil when ctx ended, and an
// error when it cannot listen on addr or the server fails.
func (m *Metrics) Serve(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listen %s: %w", addr, err)
	}
	return m.serve(ctx, ln)
}

// SetProfiling turns the Go runtime's profiles at /debug/pprof/ on or off.
func (m *Metrics) SetProfiling(on bool) { m.pprof.Store(on) }

// ServeListener serves the metrics on ln, already bound (so that a caller
// can report a bad address before it commits to it), until ctx ends; it
// closes ln.
func (m *Metrics) ServeListener(ctx context.Context, ln net.Listener) error { return m.serve(ctx, ln) }

// serve serves the metrics on ln until ctx ends; it closes ln.
func (m *Metrics) serve(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	// The profiles answer only while `metrics pprof` is configured.
	profiles := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !m.pprof.Load() {
				http.Error(w, "profiles are off; add `metrics pprof` to the dsengine block", http.StatusNotFound)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /debug/pprof/", profiles(pprof.Index))
	mux.HandleFunc("GET /debug/pprof/cmdline", profiles(pprof.Cmdline))
	mux.HandleFunc("GET /debug/pprof/profile", profiles(pprof.Profile))
	mux.HandleFunc("GET /debug/pprof/symbol", profiles(pprof.Symbol))
	mux.HandleFunc("GET /debug/pprof/trace", profiles(pprof.Trace))
	if m.status != nil {
		mux.Handle("GET /{$}", m.statusHandler())
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	err := srv.Serve(ln)
	close(done)
	<-stopped
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("metrics %s: %w", ln.Addr(), err)
}
