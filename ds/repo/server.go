package repo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/verify"
)

// Protocol names shared with the client.
const (
	// RequestPath is where a regular download request is POSTed,
	// relative to the repository URL.
	RequestPath = "request"
	// SignatureHeader carries the index's armoured signature, base64
	// encoded, in the answer to a request.
	SignatureHeader = "X-DS-Signature"
	// DevicesFile is where Server keeps what devices reported.
	DevicesFile = "devices.json"
	// DefaultMaxDevices caps the devices a Server remembers.
	DefaultMaxDevices = 100000
)

// ServerOptions tune NewServer.
type ServerOptions struct {
	// Now is the clock for LastSeen; time.Now if nil.
	Now func() time.Time
	// Logger gets a line per request answered and per problem; nil
	// discards.
	Logger *slog.Logger
	// MaxDevices caps the devices remembered; DefaultMaxDevices if zero.
	// A request from a new device beyond it is answered 503.
	MaxDevices int
}

// Device is what one device reported in its last request.
type Device struct {
	Hostname string      `json:"hostname"`
	Serial   string      `json:"serial,omitempty"`
	Profile  string      `json:"profile,omitempty"`
	Address  string      `json:"address"` // the request's remote address
	LastSeen time.Time   `json:"last_seen"`
	Requests int64       `json:"requests"`
	Served   uint64      `json:"index_version"` // the index version it was answered with
	DS       []RequestDS `json:"ds"`
}

// Server is the DS server of `dsengine repo serve DIR`, an http.Handler
// mounted at the repository URL:
//
//	POST /request          a DSRequest; answers index.xml, signature in X-DS-Signature
//	GET  /index.xml        the signed index, and /index.xml.asc its signature
//	GET  /ds/<id>-<rev>.xml  a DS file, and .xml.asc its signature
//	GET  /devices          what each device reported, as JSON
//
// It answers every device with the whole index as Build signed it (see the
// package comment) and re-reads index.xml when a new build replaced it.
// TLS, listen address and HTTP timeouts belong to the http.Server the
// caller runs it in.
type Server struct {
	dir  string
	opts ServerOptions
	log  *slog.Logger

	mu      sync.Mutex
	index   *servedIndex
	devices map[string]*Device
	saveMu  sync.Mutex // orders writes of devices.json
}

// servedIndex is the index pair currently answered.
type servedIndex struct {
	data, asc []byte
	sigHeader string
	version   uint64
	stamp     [2]fileStamp // of index.xml and index.xml.asc when read
}

// fileStamp identifies a version of a file cheaply.
type fileStamp struct {
	size int64
	mod  time.Time
}

// NewServer serves the repository in dir, which must hold a built index
// (`dsengine repo build`), and loads dir/devices.json if present.
func NewServer(dir string, opts ServerOptions) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxDevices <= 0 {
		opts.MaxDevices = DefaultMaxDevices
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{dir: dir, opts: opts, log: log, devices: map[string]*Device{}}
	if _, err := s.current(); err != nil {
		return nil, err
	}
	data, err := readCapped(filepath.Join(dir, DevicesFile), 1<<30)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("repo serve: %w", err)
	default:
		var list []*Device
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("repo serve: %s: %w; move it away to start afresh", filepath.Join(dir, DevicesFile), err)
		}
		for _, d := range list {
			s.devices[deviceKey(d.Hostname, d.Serial)] = d
		}
	}
	return s, nil
}

// current returns the index to answer, reading index.xml and its
// signature again when either changed on disk. A new pair that does not
// parse is not taken; the old one stays.
func (s *Server) current() (*servedIndex, error) {
	paths := [2]string{filepath.Join(s.dir, verify.IndexFile), filepath.Join(s.dir, verify.IndexSignatureFile)}
	var stamp [2]fileStamp
	for i, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("repo serve: %w; run `dsengine repo build` on %s first", err, s.dir)
		}
		stamp[i] = fileStamp{fi.Size(), fi.ModTime()}
	}
	s.mu.Lock()
	cur := s.index
	s.mu.Unlock()
	if cur != nil && cur.stamp == stamp {
		return cur, nil
	}
	data, err := readCapped(paths[0], verify.MaxIndexSize)
	if err == nil {
		var asc []byte
		if asc, err = readCapped(paths[1], verify.MaxSignatureSize); err == nil {
			var ix *verify.Index
			if ix, err = verify.ParseIndex(paths[0], data); err == nil {
				next := &servedIndex{data: data, asc: asc, version: ix.Version, stamp: stamp,
					sigHeader: base64.StdEncoding.EncodeToString(asc)}
				s.mu.Lock()
				s.index = next
				s.mu.Unlock()
				if cur != nil {
					s.log.Info("repo serve: new index", "version", ix.Version)
				}
				return next, nil
			}
		}
	}
	if cur != nil {
		s.log.Error("repo serve: keeping the previous index", "err", err)
		return cur, nil
	}
	return nil, fmt.Errorf("repo serve: %w", err)
}

// ServeHTTP routes a request; see Server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/"+RequestPath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST a DSRequest here", http.StatusMethodNotAllowed)
			return
		}
		s.request(w, r)
	case p == "/devices":
		if !getOrHead(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s.Devices())
	case p == "/"+verify.IndexFile || p == "/"+verify.IndexSignatureFile:
		if getOrHead(w, r) {
			s.serveFile(w, r, p[1:])
		}
	case strings.HasPrefix(p, "/"+verify.IndexDir+"/") && validDSFileName(p[len(verify.IndexDir)+2:]):
		if getOrHead(w, r) {
			s.serveFile(w, r, p[1:])
		}
	default:
		http.NotFound(w, r)
	}
}

// getOrHead answers 405 to other methods.
func getOrHead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// validDSFileName accepts <id>-<revision>.xml and .xml.asc only, so no
// path can leave ds/.
func validDSFileName(name string) bool {
	stem, ok := strings.CutSuffix(strings.TrimSuffix(name, ".asc"), ".xml")
	if !ok {
		return false
	}
	id, rev, ok := strings.Cut(stem, "-")
	if !ok || verify.CheckID(id) != nil || len(rev) > 32 {
		return false
	}
	_, err := ds.ParseRevision(rev)
	return err == nil
}

// serveFile serves a file of the repository, rel being a checked
// slash-separated path.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rel string) {
	f, err := os.Open(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(rel, ".asc") {
		w.Header().Set("Content-Type", "application/pgp-signature")
	} else {
		w.Header().Set("Content-Type", "application/xml")
	}
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// request answers POST /request: it records what the device reports and
// returns the signed index.
func (s *Server) request(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > MaxRequestSize {
		http.Error(w, fmt.Sprintf("a DSRequest is at most %d bytes", MaxRequestSize), http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestSize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("a DSRequest is at most %d bytes", MaxRequestSize), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	req, err := ParseRequest(body)
	if err != nil {
		s.log.Warn("repo serve: bad request", "remote", r.RemoteAddr, "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ix, err := s.current()
	if err != nil {
		s.log.Error("repo serve: no index", "err", err)
		http.Error(w, "the repository has no index", http.StatusServiceUnavailable)
		return
	}
	if err := s.record(req, r.RemoteAddr, ix.version); err != nil {
		s.log.Warn("repo serve: device not recorded", "hostname", req.Hostname, "err", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	s.log.Info("repo serve: request", "hostname", req.Hostname, "serial", req.Serial, "profile", req.Profile,
		"ds", len(req.DS), "version", ix.version)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Cache-Control", "no-store")
	h.Set(SignatureHeader, ix.sigHeader)
	_, _ = io.Copy(w, bytes.NewReader(ix.data))
}

// deviceKey identifies a device by hostname and serial.
func deviceKey(hostname, serial string) string { return hostname + "\x00" + serial }

// record stores what a device reported, in memory and in devices.json.
func (s *Server) record(req *Request, addr string, version uint64) error {
	key := deviceKey(req.Hostname, req.Serial)
	s.mu.Lock()
	d, ok := s.devices[key]
	if !ok {
		if len(s.devices) >= s.opts.MaxDevices {
			s.mu.Unlock()
			return fmt.Errorf("this server already records %d devices", s.opts.MaxDevices)
		}
		d = &Device{Hostname: req.Hostname, Serial: req.Serial}
		s.devices[key] = d
	}
	d.Profile = req.Profile
	d.Address = addr
	d.LastSeen = s.opts.Now().UTC()
	d.Requests++
	d.Served = version
	d.DS = slices.Clone(req.DS)
	s.mu.Unlock()
	return s.save()
}

// save writes devices.json atomically. Writers queue, each writing the
// state as it is when its turn comes.
func (s *Server) save() error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	data, err := json.MarshalIndent(s.Devices(), "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(s.dir, DevicesFile), append(data, '\n')); err != nil {
		s.log.Error("repo serve: saving devices", "err", err)
		return nil // the answer matters more than the record
	}
	return nil
}

// Devices returns what each device reported, sorted by hostname then
// serial.
func (s *Server) Devices() []Device {
	s.mu.Lock()
	out := make([]Device, 0, len(s.devices))
	for _, d := range s.devices {
		c := *d
		c.DS = slices.Clone(d.DS)
		out = append(out, c)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Device) int {
		if c := strings.Compare(a.Hostname, b.Hostname); c != 0 {
			return c
		}
		return strings.Compare(a.Serial, b.Serial)
	})
	return out
}
