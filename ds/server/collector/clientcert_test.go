package collector

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/server/store"
)

// issue makes a certificate for cn signed by parent (self-signed when
// parent is nil), valid for a day.
func issue(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, ca bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

// TestClientCertificate: a device with a certificate the server's CA
// signed posts without a token; one signed by another CA is refused.
func TestClientCertificate(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.SQLiteFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ca, caKey := issue(t, "Device CA", nil, nil, true)
	other, otherKey := issue(t, "Other CA", nil, nil, true)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	ts := httptest.NewUnstartedServer(New(Options{Store: st, Tokens: StaticTokens{}}))
	ts.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
	ts.StartTLS()
	defer ts.Close()
	post := func(signer *x509.Certificate, signerKey *ecdsa.PrivateKey) int {
		c := ts.Client()
		tr := c.Transport.(*http.Transport).Clone()
		if signer != nil {
			cert, key := issue(t, "user1", signer, signerKey, false)
			tr.TLSClientConfig.Certificates = []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}
		}
		c = &http.Client{Transport: tr}
		resp, err := c.Post(ts.URL+"/ch/", "application/xml", bytes.NewReader(golden(t, "ds.xml.golden")))
		if err != nil {
			return 0 // the TLS handshake refused it
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(nil, nil); code != 401 {
		t.Errorf("no certificate, no token: %d", code)
	}
	if code := post(other, otherKey); code == 200 {
		t.Errorf("a certificate of another CA: %d", code)
	}
	if count(t, st) != 0 {
		t.Fatal("stored")
	}
	if code := post(ca, caKey); code != 200 {
		t.Errorf("a certificate of the device CA: %d", code)
	}
	if count(t, st) != 1 {
		t.Error("not stored")
	}
}
