package download

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Client downloads DS from one repository. It is safe for concurrent use;
// its downloads run one at a time, so that the index version only grows.
type Client struct {
	mu      sync.Mutex // held by Download
	opts    Options
	base    string // the repository URL without a trailing slash
	key     string // the version store key of this repository
	http    *http.Client
	tr      *http.Transport
	hasRand bool
}

// versionKeyPrefix starts the version store key; the repository URL
// follows, so switching repositories starts a new sequence.
const versionKeyPrefix = "repository-index-version "

// New checks the options and builds a client: the repository must be an
// https:// URL, the CA file readable and holding a certificate.
func New(opts Options) (*Client, error) {
	opts = opts.withDefaults()
	base, err := repositoryURL(opts.Repository)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.Keyring == nil || opts.Keyring.Len() == 0:
		return nil, errors.New("download: no trusted key; add a trust-key line under diagnostic-signature")
	case opts.Versions == nil:
		return nil, errors.New("download: no version store to keep the last index version")
	case opts.Install == nil:
		return nil, errors.New("download: no Install function")
	}
	if opts.Hostname == "" {
		opts.Hostname, _ = os.Hostname()
	}
	var roots *x509.CertPool
	if opts.CAFile != "" {
		if roots, err = loadCA(opts.CAFile); err != nil {
			return nil, err
		}
	}
	dialer := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    opts.DialTimeout,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxResponseHeaderBytes: 256 << 10,
		MaxIdleConnsPerHost:    opts.Parallel,
		IdleConnTimeout:        90 * time.Second,
		// Sizes and hashes in the index are of the bytes as stored; a
		// transparently decompressed body would escape the caps.
		DisableCompression: true,
		ForceAttemptHTTP2:  true,
	}
	if p := opts.Proxy; p != nil {
		tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: net.JoinHostPort(p.Host, strconv.Itoa(p.Port))})
	}
	c := &Client{
		opts: opts,
		base: base,
		key:  versionKeyPrefix + base,
		tr:   tr,
		http: &http.Client{
			Transport:     tr,
			Timeout:       opts.Timeout,
			CheckRedirect: checkRedirect,
		},
		hasRand: opts.Rand != nil,
	}
	return c, nil
}

// Close drops the client's idle connections.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// VersionKey is the key under which Options.Versions keeps the highest
// index version accepted from this repository.
func (c *Client) VersionKey() string { return c.key }

// Repository is the repository URL, without a trailing slash.
func (c *Client) Repository() string { return c.base }

// repositoryURL checks the repository URL: https only, with a host, no
// query or fragment.
func repositoryURL(s string) (string, error) {
	if s == "" {
		return "", errors.New("download: no repository; add a `repository https://...` line under diagnostic-signature")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("download: repository %q: %v", s, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		return "", fmt.Errorf("download: repository %s: plain http is refused, the index and DS files are only downloaded over HTTPS; use %s",
			u.Redacted(), strings.Replace(u.Redacted(), u.Scheme+"://", "https://", 1))
	default:
		return "", fmt.Errorf("download: repository %q: not an https:// URL", s)
	}
	if u.User != nil {
		return "", fmt.Errorf("download: repository %s: credentials in the URL are not supported", u.Redacted())
	}
	if u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("download: repository %q: an https://host/path URL without query or fragment is needed", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// loadCA reads the repository-ca file.
func loadCA(path string) (*x509.CertPool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("download: repository-ca: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCAFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("download: repository-ca %s: %w", path, err)
	}
	if len(data) > MaxCAFileSize {
		return nil, fmt.Errorf("download: repository-ca %s: larger than %d bytes", path, MaxCAFileSize)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("download: repository-ca %s holds no PEM certificate", path)
	}
	return pool, nil
}

// checkRedirect follows at most 5 redirects, and only to https.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("more than 5 redirects")
	}
	if req.URL.Scheme != "https" {
		return fmt.Errorf("redirected to %s: only https is followed", req.URL.Redacted())
	}
	return nil
}

// random returns the jitter source's next number.
func (c *Client) random() float64 {
	if c.hasRand {
		return c.opts.Rand()
	}
	return rand.Float64()
}
