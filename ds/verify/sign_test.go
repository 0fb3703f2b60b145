package verify

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSigningKeyPassphrase(t *testing.T) {
	k := genKey(t, "Pat", "ed25519", t0, 0)
	e := k.signer.entity
	if err := e.EncryptPrivateKeys([]byte("s3cret"), nil); err != nil {
		t.Fatal(err)
	}
	sec, err := armorEntity(e, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseSigningKey("pat.sec", sec, nil)
	wantKind(t, err, ErrPassphrase, "pat.sec", "protected by a passphrase", "DSENGINE_KEY_PASSPHRASE")
	_, err = ParseSigningKey("pat.sec", sec, []byte("wrong"))
	wantKind(t, err, ErrPassphrase, "pat.sec", "wrong passphrase")
	sk, err := ParseSigningKey("pat.sec", sec, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	data := dsFile(3)
	asc, err := sk.SignDetached(data, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustKeyring(t, k.pub).VerifyDetached("3.xml", data, asc, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func TestParseSigningKeyRefusals(t *testing.T) {
	k := genKey(t, "Pat", "ed25519", t0, 0)
	other := genKey(t, "Quinn", "ed25519", t0, 0)
	_, rsa1024sec := rsaEntity(t, 1024)
	for _, tt := range []struct {
		name string
		data []byte
		frag string
	}{
		{"public key", k.pub, "PUBLIC key"},
		{"empty", []byte("\n"), "empty"},
		{"two keys", append(dearmor(t, k.sec), dearmor(t, other.sec)...), "holds 2 keys"},
		{"garbage", []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n"), "unreadable"},
		{"RSA-1024", rsa1024sec, "fewer than 2048 bits"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSigningKey("key.asc", tt.data, nil)
			if err == nil || !strings.Contains(err.Error(), tt.frag) || !strings.HasPrefix(err.Error(), "key.asc: ") {
				t.Errorf("got %v, want an error about %q", err, tt.frag)
			}
		})
	}
}

// TestSignDeterministic: with no salt notation, an Ed25519 key signs the
// same bytes at the same time identically, so repository builds reproduce.
func TestSignDeterministic(t *testing.T) {
	k := genKey(t, "Alice", "ed25519", t0, 0)
	data := dsFile(5)
	a := mustSign(t, k, data, t0.Add(time.Hour))
	b := mustSign(t, k, data, t0.Add(time.Hour))
	if !bytes.Equal(a, b) {
		t.Errorf("two signatures differ:\n%s\n%s", a, b)
	}
	if !bytes.HasPrefix(a, []byte("-----BEGIN PGP SIGNATURE-----\n")) || !bytes.HasSuffix(a, []byte("-----END PGP SIGNATURE-----\n")) {
		t.Errorf("armour:\n%s", a)
	}
	// The public half the signing key exports is what a trust-key file holds.
	pub, err := k.signer.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustKeyring(t, pub).VerifyDetached("5.xml", data, a, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateKeyArguments(t *testing.T) {
	if _, _, err := GenerateKey("A", "a@example.com", "dsa1024", t0, 0); err == nil {
		t.Error("dsa1024 accepted")
	}
	if _, _, err := GenerateKey("A", "a@example.com", "ed25519", t0, -time.Hour); err == nil {
		t.Error("negative lifetime accepted")
	}
	if _, _, err := GenerateKey("A <evil>", "a@example.com", "ed25519", t0, 0); err == nil {
		t.Error("a name with <> accepted")
	}
	if _, _, err := GenerateKey("A", "a b@example.com", "ed25519", t0, 0); err == nil {
		t.Error("an address with a space accepted")
	}
	pub, sec, err := GenerateKey("Demo", "demo@example.com", "rsa2048", t0, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ring := mustKeyring(t, pub)
	info := ring.Keys()[0]
	if info.Algorithm != "rsa2048" || info.UserID != "Demo <demo@example.com>" || !info.Expires.Equal(t0.Add(365*24*time.Hour)) {
		t.Errorf("%+v", info)
	}
	sk, err := ParseSigningKey("demo.sec", sec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sk.entity.Subkeys) != 0 {
		t.Errorf("%d subkeys, want a signing-only key", len(sk.entity.Subkeys))
	}
}
