package transport

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// Defaults of Options.
const (
	DefaultDialTimeout     = 10 * time.Second
	DefaultCommandTimeout  = 30 * time.Second
	DefaultDataTimeout     = 2 * time.Minute
	DefaultHTTPTimeout     = 60 * time.Second
	DefaultMaxResponseBody = 64 << 10
	DefaultSMTPPort        = 25
	DefaultUserAgent       = "dsengine"
)

// DialFunc opens a connection; it is the hook for binding to a source
// address, interface or VRF in a way the defaults do not cover.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Options are the settings of the transports that the configuration does
// not hold. The zero value works.
type Options struct {
	// Clock stamps the mail Date header (when an Envelope has no Time) and
	// the mail-server status; nil means the wall clock.
	Clock ds.Clock
	// CAFile is a PEM file of the CAs that HTTPS receivers' and mail
	// servers' certificates must chain to; empty means the system roots.
	CAFile string
	// RootCAs, when set, is used instead of CAFile (tests build one in
	// process).
	RootCAs *x509.CertPool
	// HelloName is the name sent in EHLO; empty means the host's name.
	HelloName string
	// SMTPPort is the port of a mail-server address without one; 0 means
	// 25. (A mail-server address may carry its own port as HOST:PORT or
	// [IPv6]:PORT.)
	SMTPPort int
	// Dialer, if set, opens every connection instead of the default
	// dialer, which binds to "source-ip-address" and to "source-interface"
	// (or the "vrf" device) when the configuration sets them.
	Dialer DialFunc
	// DialTimeout bounds each TCP connect (and, for SMTP, the greeting);
	// 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// CommandTimeout bounds each SMTP command and its reply, STARTTLS
	// included; 0 means DefaultCommandTimeout.
	CommandTimeout time.Duration
	// DataTimeout bounds sending the mail body and reading the reply to
	// the final "."; 0 means DefaultDataTimeout.
	DataTimeout time.Duration
	// HTTPTimeout bounds one HTTP exchange from connect to the end of the
	// response body; 0 means DefaultHTTPTimeout.
	HTTPTimeout time.Duration
	// MaxResponseBody caps how much of an HTTP response is read; 0 means
	// DefaultMaxResponseBody.
	MaxResponseBody int64
	// UserAgent is the HTTP User-Agent; empty means DefaultUserAgent.
	UserAgent string
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = ds.RealClock{}
	}
	if o.SMTPPort <= 0 {
		o.SMTPPort = DefaultSMTPPort
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = DefaultCommandTimeout
	}
	if o.DataTimeout <= 0 {
		o.DataTimeout = DefaultDataTimeout
	}
	if o.HTTPTimeout <= 0 {
		o.HTTPTimeout = DefaultHTTPTimeout
	}
	if o.MaxResponseBody <= 0 {
		o.MaxResponseBody = DefaultMaxResponseBody
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.HelloName == "" {
		if h, err := os.Hostname(); err == nil && h != "" {
			o.HelloName = h
		} else {
			o.HelloName = "localhost"
		}
	}
	return o
}

// roots returns the CA pool to verify servers against: RootCAs, the
// CAFile's certificates, or nil for the system roots.
func (o Options) roots() (*x509.CertPool, error) {
	if o.RootCAs != nil {
		return o.RootCAs, nil
	}
	if o.CAFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(o.CAFile)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", o.CAFile)
	}
	return pool, nil
}
