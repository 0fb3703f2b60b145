package lifecycle

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/verify"
	"github.com/dsengine/dsengine/internal/testserver"
)

// gpgHome is a throw-away GnuPG home: the test makes its keys and
// signatures with the real gpg, as a publisher would.
type gpgHome struct {
	t   *testing.T
	dir string
}

func newGPG(t *testing.T) *gpgHome {
	t.Helper()
	testserver.Require(t, "gpg", "gpgconf")
	// Short path: gpg-agent's socket path has a length limit.
	dir, err := os.MkdirTemp("/tmp", "dsl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	g := &gpgHome{t: t, dir: dir}
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--homedir", dir, "--kill", "all").Run()
		os.RemoveAll(dir)
	})
	return g
}

func (g *gpgHome) run(args ...string) string {
	g.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"--homedir", g.dir, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)
	out, err := exec.CommandContext(ctx, "gpg", full...).CombinedOutput()
	if err != nil {
		g.t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (g *gpgHome) fingerprint(uid string) string {
	out := g.run("--with-colons", "--list-keys", uid)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "fpr:") {
			return strings.Split(line, ":")[9]
		}
	}
	g.t.Fatalf("no fingerprint for %s", uid)
	return ""
}

// dsXML is a valid DS with the given id.
func dsXML(id string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="%s" revision="1.0">
  <Name>Sample%s</Name>
  <Events>
    <Event type="syslog" pattern="%%LINK-3-UPDOWN: Interface (\S+), changed state to down"/>
  </Events>
  <Actions>
    <Action type="command">show interfaces ${ds_syslog_1}</Action>
  </Actions>
</DiagnosticSignature>
`, id, id))
}

// snapshot hashes every file under the store, so a test can tell that a
// refused install changed nothing.
func snapshot(t *testing.T, root string) map[string][32]byte {
	t.Helper()
	files := map[string][32]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == bootflash.LockFile {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = sha256.Sum256(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestInstallRefusesBadInputAndChangesNothing(t *testing.T) {
	g := newGPG(t)
	past := time.Now().Add(-72 * time.Hour).Unix()
	g.run("--quick-gen-key", "Trusted <trusted@example.com>", "ed25519", "sign", "never")
	g.run("--quick-gen-key", "Untrusted <untrusted@example.com>", "ed25519", "sign", "never")
	g.run("--quick-gen-key", "Revoked <revoked@example.com>", "ed25519", "sign", "never")
	g.run("--quick-gen-key", "Legacy <legacy@example.com>", "rsa2048", "sign", "never")
	g.run("--faked-system-time", fmt.Sprint(past), "--quick-gen-key", "Expired <expired@example.com>", "ed25519", "sign", "1d")

	cases := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(cases, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sign := func(path, uid string, extra ...string) []byte {
		args := append(append([]string{}, extra...), "--yes", "-u", uid, "--armor", "--detach-sign", "-o", path+".asc", path)
		g.run(args...)
		asc, err := os.ReadFile(path + ".asc")
		if err != nil {
			t.Fatal(err)
		}
		return asc
	}
	// Each case is its own directory holding <id>.xml and maybe its .asc.
	type badCase struct {
		name string
		path string
		want verify.Kind // "" when the refusal is not a signature failure
		text string
	}
	var bad []badCase
	add := func(name string, id string, want verify.Kind, text string, prepare func(path string)) {
		path := write(filepath.Join(name, id+".xml"), dsXML(id))
		prepare(path)
		bad = append(bad, badCase{name, path, want, text})
	}
	add("one-byte-changed", "7101", verify.ErrBadSignature, "", func(p string) {
		sign(p, "<trusted@example.com>")
		data, _ := os.ReadFile(p)
		data[len(data)-3] ^= 0x20
		write(filepath.Join("one-byte-changed", "7101.xml"), data)
	})
	other := write("other/7102.xml", dsXML("7102"))
	otherAsc := sign(other, "<trusted@example.com>")
	add("asc-of-another-ds", "7103", verify.ErrBadSignature, "", func(p string) { write("asc-of-another-ds/7103.xml.asc", otherAsc) })
	add("untrusted-key", "7104", verify.ErrUntrustedKey, "not trusted", func(p string) { sign(p, "<untrusted@example.com>") })
	add("truncated-asc", "7105", verify.ErrMalformedSignature, "", func(p string) {
		asc := sign(p, "<trusted@example.com>")
		write("truncated-asc/7105.xml.asc", asc[:len(asc)/2])
	})
	add("garbage-asc", "7106", verify.ErrMalformedSignature, "", func(p string) {
		write("garbage-asc/7106.xml.asc", []byte("-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n=AAAA\n-----END PGP SIGNATURE-----\n"))
	})
	add("no-asc", "7107", verify.ErrNoSignature, "7107.xml.asc", func(p string) {})
	add("expired-key", "7108", verify.ErrKeyExpired, "", func(p string) {
		sign(p, "<expired@example.com>", "--faked-system-time", fmt.Sprint(past+3600))
	})
	add("revoked-key", "7109", verify.ErrKeyRevoked, "", func(p string) { sign(p, "<revoked@example.com>") })
	add("sha1-signature", "7110", verify.ErrWeakHash, "SHA1", func(p string) {
		sign(p, "<legacy@example.com>", "--digest-algo", "SHA1")
	})
	// A DS whose id differs from its file name, correctly signed.
	mismatch := write("id-mismatch/7111.xml", dsXML("7112"))
	sign(mismatch, "<trusted@example.com>")
	bad = append(bad, badCase{"id-differs-from-file-name", mismatch, "", "holds DS 7112"})
	// A DS that fails lint, correctly signed.
	broken := write("fails-lint/7113.xml", []byte(strings.Replace(string(dsXML("7113")), `type="syslog"`, `type="syslogg"`, 1)))
	sign(broken, "<trusted@example.com>")
	bad = append(bad, badCase{"fails-lint", broken, "", `unknown event type "syslogg"`})

	// Revoke the revoked key only now: gpg does not sign with a revoked key.
	rev, err := os.ReadFile(filepath.Join(g.dir, "openpgp-revocs.d", g.fingerprint("<revoked@example.com>")+".rev"))
	if err != nil {
		t.Fatal(err)
	}
	write("revocation.asc", []byte(strings.Replace(string(rev), ":-----BEGIN", "-----BEGIN", 1)))
	g.run("--import", filepath.Join(cases, "revocation.asc"))

	trusted := write("trusted.asc", []byte(g.run("--armor", "--export",
		"<trusted@example.com>", "<revoked@example.com>", "<legacy@example.com>", "<expired@example.com>")))
	keys, err := verify.LoadKeyring(trusted)
	if err != nil {
		t.Fatal(err)
	}

	root := t.TempDir()
	check := Checker(keys, time.Now)
	store, err := bootflash.Open(root, bootflash.Options{Check: check, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	mgr := New(store, check, Host{Hostname: "edge-1", Platform: "linux", EngineVersion: EngineVersion}, nil, time.Now)

	// Something installed first, so "unchanged" means something.
	good := write("good/7100.xml", dsXML("7100"))
	sign(good, "<trusted@example.com>")
	if res, err := mgr.InstallFile(good, nil, nil); err != nil || res.Status != ds.StatusRegistered {
		t.Fatalf("good DS: %v, %v", res, err)
	}
	before := snapshot(t, root)

	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := mgr.InstallFile(c.path, nil, nil)
			if err == nil {
				t.Fatalf("install of %s succeeded", c.path)
			}
			if c.want != "" && !errorsIs(err, c.want) {
				t.Errorf("error %q is not %q", err, c.want)
			}
			if c.text != "" && !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not say %q", err, c.text)
			}
			if !strings.Contains(err.Error(), "nothing installed") {
				t.Errorf("error %q does not say that nothing was installed", err)
			}
			after := snapshot(t, root)
			for path, sum := range after {
				if before[path] != sum {
					t.Errorf("the store changed: %s was added or rewritten", path)
				}
			}
			for path := range before {
				if _, ok := after[path]; !ok {
					t.Errorf("the store changed: %s was removed", path)
				}
			}
			if e, ok := store.Get(c.path[len(c.path)-8 : len(c.path)-4]); ok {
				t.Errorf("refused DS is in the store: %+v", e)
			}
		})
	}
}
