package testserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Nginx is an nginx started for a test: a static HTTPS file server on
// 127.0.0.1 serving a directory, with a certificate issued by a CA made in
// the test. Like any static server it answers a POST to a file with 405.
type Nginx struct {
	*Process
	Port    int
	URL     string // https://127.0.0.1:PORT, no trailing slash
	CAFile  string // the test CA's certificate, PEM
	Docroot string
	Dir     string // state: nginx.conf, logs, certificates, temp paths
	TLS     *TestCA
}

// NginxOptions tune StartNginxWith.
type NginxOptions struct {
	// CertNames are the DNS names and IP addresses of the server
	// certificate; nil means 127.0.0.1 and localhost. Give another name
	// to test a client's host name check.
	CertNames []string
}

// NginxRequest is one line of the access log.
type NginxRequest struct {
	Method string
	Path   string
	Status int
	Bytes  int64 // body bytes sent
}

// StartNginx serves docroot over HTTPS on 127.0.0.1 and waits until nginx
// listens; see Nginx. It is stopped when the test ends.
func StartNginx(t testing.TB, docroot string) *Nginx {
	t.Helper()
	return StartNginxWith(t, docroot, NginxOptions{})
}

// StartNginxWith is StartNginx with options.
func StartNginxWith(t testing.TB, docroot string, opts NginxOptions) *Nginx {
	t.Helper()
	Require(t, "nginx")
	dir := t.TempDir()
	for _, sub := range []string{"tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatalf("nginx: %v", err)
		}
	}
	names := opts.CertNames
	if names == nil {
		names = []string{"127.0.0.1", "localhost"}
	}
	ca := newCA(t, dir, names)
	abs, err := filepath.Abs(docroot)
	if err != nil {
		t.Fatalf("nginx: %v", err)
	}
	port := FreePort(t)
	// The workers run as nobody unless told otherwise, and t.TempDir()
	// directories are private to their owner: as root, run them as root.
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;"
	}
	conf := fmt.Sprintf(`daemon off;
%[1]s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 512; }
http {
    log_format ds '$request_method $uri $status $body_bytes_sent';
    access_log %[2]s/access.log ds;
    client_body_temp_path %[2]s/tmp/body;
    proxy_temp_path %[2]s/tmp/proxy;
    fastcgi_temp_path %[2]s/tmp/fastcgi;
    uwsgi_temp_path %[2]s/tmp/uwsgi;
    scgi_temp_path %[2]s/tmp/scgi;
    types { application/xml xml; application/pgp-signature asc; application/json json; }
    default_type application/octet-stream;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:%[3]d ssl;
        server_name localhost;
        ssl_certificate %[4]s;
        ssl_certificate_key %[5]s;
        root %[6]s;
        location / { }
    }
}
`, user, dir, port, ca.CertFile, ca.KeyFile, abs)
	confPath := filepath.Join(dir, "nginx.conf")
	WriteFile(t, confPath, conf, 0o644)
	p := Start(t, dir, "nginx", "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	p.WaitTCP(t, Addr(port))
	return &Nginx{Process: p, Port: port, URL: "https://" + Addr(port), CAFile: ca.CAFile, Docroot: abs, Dir: dir, TLS: ca}
}

// Requests parses the access log: every request nginx answered so far.
func (n *Nginx) Requests(t testing.TB) []NginxRequest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(n.Dir, "access.log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("nginx access log: %v", err)
	}
	var out []NginxRequest
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			continue
		}
		status, _ := strconv.Atoi(f[2])
		size, _ := strconv.ParseInt(f[3], 10, 64)
		out = append(out, NginxRequest{Method: f[0], Path: f[1], Status: status, Bytes: size})
	}
	return out
}

// ErrorLog is nginx's error log, for failure messages.
func (n *Nginx) ErrorLog() string {
	data, _ := os.ReadFile(filepath.Join(n.Dir, "error.log"))
	return string(data)
}

// newCA makes a CA and a server certificate for names (IP addresses or
// DNS names), ECDSA P-256, valid for a day, as PEM files in dir.
func newCA(t testing.TB, dir string, names []string) *TestCA {
	t.Helper()
	fail := func(err error) { t.Helper(); t.Fatalf("test CA: %v", err) }
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dsengine test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		fail(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		fail(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		fail(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		fail(err)
	}
	ca := &TestCA{
		CAFile:   filepath.Join(dir, "ca.pem"),
		Pool:     x509.NewCertPool(),
		CertFile: filepath.Join(dir, "server.pem"),
		KeyFile:  filepath.Join(dir, "server.key"),
	}
	ca.Pool.AddCert(caCert)
	WriteFile(t, ca.CAFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})), 0o644)
	WriteFile(t, ca.CertFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o644)
	WriteFile(t, ca.KeyFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), 0o600)
	return ca
}

// NewNamedCA makes a CA and a server certificate for the given names
// (IP addresses or DNS names) and writes them as PEM files in dir, for
// in-process TLS servers that must present a certificate for another
// name than the one the client dials.
func NewNamedCA(t testing.TB, dir string, names ...string) *TestCA {
	t.Helper()
	return newCA(t, dir, names)
}
