package verify

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/internal/testserver"
)

// The interoperability tests drive GnuPG in a throw-away GNUPGHOME. gpg
// knows only the wall clock, so these tests (unlike the others) take "now"
// from time.Now.

// gpgHome is a temporary GnuPG home directory.
type gpgHome struct {
	t   *testing.T
	dir string
}

// newGPG makes a GNUPGHOME under /tmp (short: gpg-agent's socket path must
// fit in a sockaddr_un) and stops its agent when the test ends.
func newGPG(t *testing.T) *gpgHome {
	t.Helper()
	// make test installs gnupg: a missing gpg is a broken setup, not a
	// reason to skip the interoperability tests.
	testserver.Require(t, "gpg", "gpgconf")
	dir, err := os.MkdirTemp("/tmp", "dsv")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o700)
	g := &gpgHome{t: t, dir: dir}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "gpgconf", "--kill", "all")
		cmd.Env = append(os.Environ(), "GNUPGHOME="+dir)
		cmd.Run()
		os.RemoveAll(dir)
	})
	return g
}

// run runs gpg in batch mode with an empty passphrase and returns its
// stdout and stderr.
func (g *gpgHome) run(args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""}
	cmd := exec.CommandContext(ctx, "gpg", append(base, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.dir)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// must runs gpg and fails the test if it fails.
func (g *gpgHome) must(args ...string) string {
	g.t.Helper()
	out, errOut, err := g.run(args...)
	if err != nil {
		g.t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// genKey makes a key with `gpg --quick-gen-key` and returns its fingerprint.
func (g *gpgHome) genKey(uid, algo, expire string) string {
	g.t.Helper()
	g.must("--quick-gen-key", uid, algo, "sign", expire)
	for _, line := range strings.Split(g.must("--with-colons", "--list-keys", uid), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && len(f) > 9 {
			return f[9]
		}
	}
	g.t.Fatalf("no fingerprint for %s", uid)
	return ""
}

// file writes a file into the GNUPGHOME's work area and returns its path.
func (g *gpgHome) file(name string, data []byte) string {
	g.t.Helper()
	p := filepath.Join(g.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		g.t.Fatal(err)
	}
	return p
}

// TestGPGSignsWeVerify: DS files signed by gpg 2.2 verify here, and what gpg
// can do wrong is classified as it should be.
func TestGPGSignsWeVerify(t *testing.T) {
	for _, algo := range []string{"ed25519", "rsa3072"} {
		t.Run(algo, func(t *testing.T) {
			g := newGPG(t)
			uid := "Test <t-" + algo + "@example.com>"
			fpr := g.genKey(uid, algo, "1d")
			pubFile := g.file("pub.asc", []byte(g.must("--armor", "--export", fpr)))
			ring, err := LoadKeyring(pubFile)
			if err != nil {
				t.Fatal(err)
			}
			data := dsFile(6030)
			ds := g.file("6030.xml", data)
			sign := func(out string, extra ...string) []byte {
				t.Helper()
				args := append([]string{"--local-user", fpr, "--yes", "--output", out}, extra...)
				g.must(append(args, ds)...)
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			sign(ds+".asc", "--armor", "--detach-sign")

			got, s, err := ring.VerifyFile(ds, time.Now())
			if err != nil {
				t.Fatalf("VerifyFile: %v", err)
			}
			if !bytes.Equal(got, data) || s.Fingerprint != fpr || s.Algorithm != algo || s.UserID != uid {
				t.Errorf("signer %+v, want %s %s %q", s, fpr, algo, uid)
			}
			t.Logf("gpg signature: %s", s)
			asc, _ := os.ReadFile(ds + ".asc")

			changed := bytes.Replace(data, []byte("Gi0/0/1"), []byte("Gi0/0/2"), 1)
			_, err = ring.VerifyDetached("6030.xml", changed, asc, time.Now())
			wantKind(t, err, ErrBadSignature, "6030.xml")

			_, err = ring.VerifyDetached("6030.xml", data, asc, time.Now().Add(48*time.Hour))
			wantKind(t, err, ErrKeyExpired, "6030.xml", "expired on")

			for _, c := range []struct {
				name  string
				flags []string
				want  Kind
				frag  string
			}{
				{"SHA-1", []string{"--digest-algo", "SHA1", "--armor", "--detach-sign"}, ErrWeakHash, "SHA1"},
				{"text mode", []string{"--textmode", "--armor", "--detach-sign"}, ErrMalformedSignature, "text-mode"},
				{"binary", []string{"--detach-sign"}, ErrMalformedSignature, "--armor"},
				{"clearsign", []string{"--clearsign"}, ErrMalformedSignature, ""},
				{"signed message", []string{"--armor", "--sign"}, ErrMalformedSignature, "not a detached signature"},
			} {
				sig := sign(filepath.Join(g.dir, "x.asc"), c.flags...)
				_, err := ring.VerifyDetached("6030.xml", data, sig, time.Now())
				wantKind(t, err, c.want, "6030.xml", c.frag)
			}

			// gpg's secret key signs here too, and gpg accepts the result.
			secFile := g.file("sec.asc", []byte(g.must("--armor", "--export-secret-keys", fpr)))
			sk, err := LoadSigningKey(secFile, nil)
			if err != nil {
				t.Fatal(err)
			}
			ours, err := sk.SignDetached(data, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			g.file("6030.xml.asc", ours)
			if out := g.must("--status-fd", "1", "--verify", ds+".asc", ds); !strings.Contains(out, "VALIDSIG "+fpr) {
				t.Errorf("gpg --verify:\n%s", out)
			}

			// Revoked with the certificate gpg stored at key generation (its
			// first "-----" is guarded by a colon, which must go).
			rev, err := os.ReadFile(filepath.Join(g.dir, "openpgp-revocs.d", fpr+".rev"))
			if err != nil {
				t.Fatal(err)
			}
			revFile := g.file("key.rev", bytes.Replace(rev, []byte(":-----BEGIN"), []byte("-----BEGIN"), 1))
			ring, err = LoadKeyring(pubFile, revFile)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ring.VerifyDetached("6030.xml", data, asc, time.Now().Add(time.Minute))
			wantKind(t, err, ErrKeyRevoked, "6030.xml", "revoked")
			// The same, imported into gpg and exported as one revoked key.
			g.must("--import", revFile)
			ring, err = ParseKeyring("revoked.asc", []byte(g.must("--armor", "--export", fpr)))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ring.VerifyDetached("6030.xml", data, asc, time.Now().Add(time.Minute))
			wantKind(t, err, ErrKeyRevoked, "6030.xml", "revoked")
		})
	}
}

// TestWeSignGPGVerifies: keys made by GenerateKey import into gpg 2.2, and
// their SignDetached signatures pass `gpg --verify`.
func TestWeSignGPGVerifies(t *testing.T) {
	for _, algo := range []string{"ed25519", "rsa3072"} {
		t.Run(algo, func(t *testing.T) {
			g := newGPG(t)
			now := time.Now()
			k := genKey(t, "Ours "+algo, algo, now.Add(-time.Hour), 24*time.Hour)
			fpr := k.signer.Fingerprint()
			g.must("--import", g.file("pub.asc", k.pub))
			data := dsFile(6031)
			ds := g.file("6031.xml", data)
			g.file("6031.xml.asc", mustSign(t, k, data, now))

			out, errOut, err := g.run("--status-fd", "1", "--verify", ds+".asc", ds)
			if err != nil {
				t.Fatalf("gpg --verify: %v\n%s", err, errOut)
			}
			t.Logf("gpg --verify:\n%s", errOut)
			if !strings.Contains(out, "[GNUPG:] GOODSIG "+keyID(k.signer.entity.PrimaryKey)) ||
				!strings.Contains(out, "[GNUPG:] VALIDSIG "+fpr) {
				t.Errorf("gpg --verify:\n%s", out)
			}

			g.file("6031.xml", bytes.Replace(data, []byte("6031"), []byte("6032"), 1))
			out, _, err = g.run("--status-fd", "1", "--verify", ds+".asc", ds)
			if err == nil || !strings.Contains(out, "[GNUPG:] BADSIG") {
				t.Errorf("gpg accepted a changed file: %v\n%s", err, out)
			}

			// gpg imports our secret key too.
			g.must("--import", g.file("sec.asc", k.sec))
			if out := g.must("--with-colons", "--list-secret-keys", fpr); !strings.Contains(out, "sec:") {
				t.Errorf("secret key not listed:\n%s", out)
			}
		})
	}
}
