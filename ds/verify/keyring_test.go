package verify

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func TestKeyringRefusals(t *testing.T) {
	alice := genKey(t, "Alice", "ed25519", t0, 0)
	dsa, err := os.ReadFile("testdata/dsa2048.pub.asc")
	if err != nil {
		t.Fatal(err)
	}
	// A key whose only self-signature does not allow signing (SerializePrivate
	// re-signs the user ID with the changed flags).
	noSign := genKey(t, "Enc", "ed25519", t0, 0)
	for _, id := range noSign.signer.entity.Identities {
		id.SelfSignature.FlagSign = false
	}
	if err := noSign.signer.entity.SerializePrivate(io.Discard, &packet.Config{Time: func() time.Time { return t0 }}); err != nil {
		t.Fatal(err)
	}
	noSignPub, err := armorEntity(noSign.signer.entity, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	withSecret := append(bytes.Clone(alice.pub), alice.sec...)

	rsa1024, _ := rsaEntity(t, 1024)
	tests := []struct {
		name string
		data []byte
		frag []string
	}{
		{"RSA-1024", rsa1024, []string{"rsa1024", "fewer than 2048 bits", "dsengine ds keygen"}},
		{"DSA", dsa, []string{"dsa2048", "DSA keys are not accepted"}},
		{"no signing key", noSignPub, []string{"no key flagged for signing"}},
		{"secret key", alice.sec, []string{"SECRET", "gpg --armor --export"}},
		{"secret key after a public one", withSecret, []string{"SECRET"}},
		{"empty", nil, []string{"empty"}},
		{"garbage", []byte("hello world\n"), []string{"unreadable OpenPGP data"}},
		{"armoured garbage", []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n"), []string{"base64"}},
		{"truncated", alice.pub[:len(alice.pub)/2], []string{"truncated"}},
		{"a signature", mustSign(t, alice, []byte("x"), t0.Add(time.Hour)), []string{`"PGP SIGNATURE" block`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeyring("publisher.asc", tt.data)
			if k != nil {
				t.Errorf("got a keyring with the error")
			}
			wantKind(t, err, ErrUnusableKey, "publisher.asc", tt.frag...)
		})
	}
}

func TestLoadKeyring(t *testing.T) {
	alice := genKey(t, "Alice", "ed25519", t0, 0)
	bob := genKey(t, "Bob", "ed25519", t0, 0)
	rosa := sharedRSA(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("alice.asc", alice.pub)
	both := write("bob-rosa.asc", append(bytes.Clone(bob.pub), rosa.pub...)) // two armour blocks in one file
	binary := write("alice.gpg", dearmor(t, alice.pub))                      // `gpg --export` without --armor

	k, err := LoadKeyring(a, both, binary)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{alice.signer.Fingerprint(), bob.signer.Fingerprint(), rosa.signer.Fingerprint()}
	if got := k.Fingerprints(); !slices.Equal(got, want) {
		t.Errorf("Fingerprints() = %v, want %v", got, want)
	}
	if k.Len() != 3 || len(k.Keys()) != 4 {
		t.Errorf("Len() = %d, %d Keys()", k.Len(), len(k.Keys()))
	}
	info := k.Keys()[2]
	if info.Algorithm != "rsa3072" || info.UserID != "Rosa <rosa@example.com>" || info.File != both || !info.Created.Equal(t0) {
		t.Errorf("Keys()[2] = %+v", info)
	}
	// Each key verifies its own signatures.
	for _, key := range []testKey{alice, bob, rosa} {
		data := dsFile(42)
		if _, err := k.VerifyDetached("42.xml", data, mustSign(t, key, data, t0.Add(time.Hour)), t0.Add(2*time.Hour)); err != nil {
			t.Errorf("%s: %v", key.signer.Info().UserID, err)
		}
	}

	// An error names the file.
	_, err = LoadKeyring(a, filepath.Join(dir, "missing.asc"))
	wantKind(t, err, ErrUnusableKey, filepath.Join(dir, "missing.asc"), "cannot read")
	big := write("big.asc", bytes.Repeat([]byte("A"), MaxKeyFileSize+1))
	_, err = LoadKeyring(big)
	wantKind(t, err, ErrUnusableKey, big, "larger than")

	// No files: an empty keyring that trusts nobody.
	empty, err := LoadKeyring()
	if err != nil || empty.Len() != 0 {
		t.Fatalf("LoadKeyring(): %v, %d keys", err, empty.Len())
	}
	data := dsFile(1)
	_, err = empty.VerifyDetached("1.xml", data, mustSign(t, alice, data, t0), t0)
	wantKind(t, err, ErrUntrustedKey, "1.xml")
}

// TestKeyExpiryInfo checks the expiry reported by Keys.
func TestKeyExpiryInfo(t *testing.T) {
	k := genKey(t, "Eve", "ed25519", t0, 48*time.Hour)
	ring := mustKeyring(t, k.pub)
	if got := ring.Keys()[0].Expires; !got.Equal(t0.Add(48 * time.Hour)) {
		t.Errorf("Expires = %v", got)
	}
}

// TestECDSAKeys: NIST curves are accepted, others refused.
func TestECDSAKeys(t *testing.T) {
	for _, tt := range []struct {
		curve packet.Curve
		ok    bool
	}{
		{packet.CurveNistP256, true},
		{packet.CurveBrainpoolP256, false},
	} {
		config := &packet.Config{Time: func() time.Time { return t0 }, Algorithm: packet.PubKeyAlgoECDSA, Curve: tt.curve}
		e, err := openpgp.NewEntity("Ec", "", "ec@example.com", config)
		if err != nil {
			t.Fatal(err)
		}
		e.Subkeys = nil
		pub, _ := armorEntity(e, false, nil)
		ring, err := ParseKeyring("ec.asc", pub)
		if !tt.ok {
			wantKind(t, err, ErrUnusableKey, "ec.asc", "not accepted")
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.curve, err)
		}
		sec, _ := armorEntity(e, true, nil)
		sk, err := ParseSigningKey("ec.sec", sec, nil)
		if err != nil {
			t.Fatal(err)
		}
		data := dsFile(13)
		asc, err := sk.SignDetached(data, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		s, err := ring.VerifyDetached("13.xml", data, asc, t0.Add(time.Hour))
		if err != nil || s.Algorithm != "nistp256" {
			t.Fatalf("%v, %+v", err, s)
		}
	}
}
