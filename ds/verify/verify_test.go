package verify

import (
	"bytes"
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func TestSignVerify(t *testing.T) {
	for _, algo := range []string{"ed25519", "rsa3072"} {
		t.Run(algo, func(t *testing.T) {
			var k testKey
			if algo == "rsa3072" {
				k = sharedRSA(t)
			} else {
				k = genKey(t, "Alice", algo, t0, 0)
			}
			ring := mustKeyring(t, k.pub)
			data := dsFile(6030)
			signedAt := t0.Add(time.Hour)
			asc := mustSign(t, k, data, signedAt)
			s, err := ring.VerifyDetached("6030.xml", data, asc, signedAt.Add(time.Minute))
			if err != nil {
				t.Fatalf("VerifyDetached: %v", err)
			}
			info := k.signer.Info()
			if s.Fingerprint != info.Fingerprint || s.KeyID != info.KeyID || s.UserID != info.UserID {
				t.Errorf("signer %+v, key %+v", s, info)
			}
			if s.Algorithm != algo || s.Hash != "SHA256" || !s.Created.Equal(signedAt) {
				t.Errorf("signer %+v: want %s, SHA256, created %v", s, algo, signedAt)
			}
			if !strings.Contains(s.String(), s.KeyID) {
				t.Errorf("String() = %q", s)
			}
		})
	}
}

func TestVerifyFailures(t *testing.T) {
	alice := genKey(t, "Alice", "ed25519", t0, 0)
	bob := genKey(t, "Bob", "ed25519", t0, 0)
	ring := mustKeyring(t, alice.pub)
	data := dsFile(6030)
	other := dsFile(6031)
	signedAt := t0.Add(time.Hour)
	now := signedAt.Add(time.Hour)
	good := mustSign(t, alice, data, signedAt)
	changed := bytes.Clone(data)
	changed[len(changed)/2] ^= 0x01

	raw := dearmor(t, good)
	md5 := bytes.Clone(raw)
	md5[2+3] = 1 // header is 2 bytes; body[3] is the hash algorithm
	sha1 := armorSig(t, rawSign(t, alice, data, sigOpts{hash: crypto.SHA1, created: signedAt}))
	sha224 := armorSig(t, rawSign(t, alice, data, sigOpts{hash: crypto.SHA224, created: signedAt}))
	twoSigs := armorSig(t, append(bytes.Clone(raw), raw...))
	text := armorSig(t, rawSign(t, alice, data, sigOpts{hash: crypto.SHA256, typ: packet.SigTypeText, created: signedAt}))
	critical := armorSig(t, rawSign(t, alice, data, sigOpts{hash: crypto.SHA256, created: signedAt, critical: "policy@example.com"}))
	shortLived := armorSig(t, rawSign(t, alice, data, sigOpts{hash: crypto.SHA256, created: signedAt, lifetime: 600}))
	beforeKey := armorSig(t, rawSign(t, alice, data, sigOpts{hash: crypto.SHA256, created: t0.Add(-time.Hour)}))
	var signedMsg bytes.Buffer
	{
		w, err := openpgp.Sign(&signedMsg, alice.signer.entity, nil, &packet.Config{Time: func() time.Time { return signedAt }})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		w.Close()
	}
	message := armorBlockOf(t, "PGP MESSAGE", signedMsg.Bytes())

	tests := []struct {
		name string
		data []byte
		sig  []byte
		now  time.Time
		want Kind
		frag []string
	}{
		{"missing", data, nil, now, ErrNoSignature, []string{"6030.xml.asc missing", "dsengine ds sign --key KEY 6030.xml"}},
		{"empty", data, []byte{}, now, ErrNoSignature, []string{"6030.xml.asc is empty"}},
		{"blank", data, []byte("\n \r\n"), now, ErrNoSignature, nil},
		{"one byte changed", changed, good, now, ErrBadSignature, []string{"BAD signature", alice.signer.Fingerprint()}},
		{"signature of another file", other, good, now, ErrBadSignature, nil},
		{"untrusted key", data, mustSign(t, bob, data, signedAt), now, ErrUntrustedKey,
			[]string{bob.signer.Fingerprint(), "trust-key FILE", "call-home diagnostic-signature"}},
		{"truncated", data, good[:len(good)/2], now, ErrMalformedSignature, []string{"truncated"}},
		{"no END line", data, good[:bytes.Index(good, []byte("-----END"))], now, ErrMalformedSignature, []string{"truncated"}},
		{"garbage text", data, []byte("this is not a signature\n"), now, ErrMalformedSignature, []string{"no OpenPGP armour"}},
		{"garbage binary", data, []byte{0xff, 0x00, 0x13, 0x37}, now, ErrMalformedSignature, []string{"--armor"}},
		{"garbage base64", data, []byte("-----BEGIN PGP SIGNATURE-----\n\nnot*base64\n-----END PGP SIGNATURE-----\n"), now, ErrMalformedSignature, []string{"base64"}},
		{"checksum mismatch", data, bytes.Replace(good, []byte("\n="), []byte("\n=AAAA\n#"), 1), now, ErrMalformedSignature, nil},
		{"text around armour", data, append([]byte("hello\n"), good...), now, ErrMalformedSignature, []string{"outside the armour"}},
		{"binary signature", data, raw, now, ErrMalformedSignature, []string{"binary signature"}},
		{"two signatures", data, twoSigs, now, ErrMalformedSignature, []string{"2 signatures"}},
		{"two armour blocks", data, append(bytes.Clone(good), good...), now, ErrMalformedSignature, []string{"2 armour blocks"}},
		{"signed message", data, message, now, ErrMalformedSignature, []string{"not a detached signature"}},
		{"public key as signature", data, alice.pub, now, ErrMalformedSignature, nil},
		{"text mode", data, text, now, ErrMalformedSignature, []string{"text-mode"}},
		{"critical notation", data, critical, now, ErrMalformedSignature, []string{"policy@example.com"}},
		{"too large", data, bytes.Repeat([]byte("x"), MaxSignatureSize+1), now, ErrMalformedSignature, []string{"more than"}},
		{"SHA-1", data, sha1, now, ErrWeakHash, []string{"SHA1", "--digest-algo SHA256"}},
		{"MD5", data, armorSig(t, md5), now, ErrWeakHash, []string{"MD5"}},
		{"SHA-224", data, sha224, now, ErrWeakHash, []string{"SHA224"}},
		{"future", data, good, signedAt.Add(-ClockSkew - time.Second), ErrFutureSignature, []string{"check the clocks"}},
		{"signature lifetime over", data, shortLived, signedAt.Add(11 * time.Minute), ErrSignatureExpired, []string{"expired on"}},
		{"dated before the key", data, beforeKey, now, ErrBadSignature, []string{"before key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ring.VerifyDetached("6030.xml", tt.data, tt.sig, tt.now)
			if s != nil {
				t.Errorf("got a signer %+v with the error", s)
			}
			wantKind(t, err, tt.want, "6030.xml", tt.frag...)
		})
	}

	// The same signatures pass where they should.
	for name, c := range map[string]struct {
		sig []byte
		now time.Time
	}{
		"within the clock skew":  {good, signedAt.Add(-ClockSkew + time.Second)},
		"within its lifetime":    {shortLived, signedAt.Add(9 * time.Minute)},
		"SHA-512 by hand":        {armorSig(t, rawSign(t, alice, data, sigOpts{hash: crypto.SHA512, created: signedAt})), now},
		"CRLF armour":            {bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), now},
		"armour without its CRC": {regexpDropCRC(good), now},
	} {
		if _, err := ring.VerifyDetached("6030.xml", data, c.sig, c.now); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestTruncations cuts a good signature at every length: each cut must fail
// as malformed (or missing), never pass and never panic.
func TestTruncations(t *testing.T) {
	k := genKey(t, "Alice", "ed25519", t0, 0)
	ring := mustKeyring(t, k.pub)
	data := dsFile(1)
	asc := mustSign(t, k, data, t0.Add(time.Hour))
	full := len(bytes.TrimRight(asc, "\n"))
	for n := 0; n < full; n++ {
		_, err := ring.VerifyDetached("1.xml", data, asc[:n], t0.Add(2*time.Hour))
		if err == nil {
			t.Fatalf("cut at %d of %d: verified", n, full)
		}
		if !errorsIsAny(err, ErrMalformedSignature, ErrNoSignature) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
	// Flipping any bit of the packets is caught too.
	raw := dearmor(t, asc)
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x10
		if _, err := ring.VerifyDetached("1.xml", data, armorSig(t, bad), t0.Add(2*time.Hour)); err == nil {
			t.Fatalf("bit flipped in byte %d: verified", i)
		}
	}
}

func TestKeyExpiry(t *testing.T) {
	k := genKey(t, "Eve", "ed25519", t0, 24*time.Hour)
	ring := mustKeyring(t, k.pub)
	data := dsFile(7)
	asc := mustSign(t, k, data, t0.Add(time.Hour))
	if _, err := ring.VerifyDetached("7.xml", data, asc, t0.Add(2*time.Hour)); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	_, err := ring.VerifyDetached("7.xml", data, asc, t0.Add(48*time.Hour))
	wantKind(t, err, ErrKeyExpired, "7.xml", "expired on 2026-03-02 12:00:00 UTC", "quick-set-expire")

	// Signed after the key expired (a signer with a wrong clock, or a forged
	// date): refused even when "now" is before expiry is checked.
	late := armorSig(t, rawSign(t, k, data, sigOpts{hash: crypto.SHA256, created: t0.Add(30 * time.Hour)}))
	_, err = ring.VerifyDetached("7.xml", data, late, t0.Add(30*time.Hour))
	wantKind(t, err, ErrKeyExpired, "7.xml", "had expired")

	// SignDetached refuses an expired key.
	_, err = k.signer.SignDetached(data, t0.Add(25*time.Hour))
	wantKind(t, err, ErrKeyExpired, "Eve.sec.asc", "expired on")
}

func TestKeyRevoked(t *testing.T) {
	data := dsFile(8)
	signedAt := t0.Add(time.Hour)
	revokedAt := t0.Add(2 * time.Hour)
	for _, tt := range []struct {
		reason      packet.ReasonForRevocation
		beforeValid bool // whether a verification before the revocation passes
	}{
		{packet.KeySuperseded, true},
		{packet.KeyCompromised, false},
	} {
		k := genKey(t, "Carol", "ed25519", t0, 0)
		asc := mustSign(t, k, data, signedAt)
		e := k.signer.entity
		if err := e.RevokeKey(tt.reason, "rotated", &packet.Config{Time: func() time.Time { return revokedAt }}); err != nil {
			t.Fatal(err)
		}
		revokedPub, err := armorEntity(e, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		ring := mustKeyring(t, revokedPub)
		_, err = ring.VerifyDetached("8.xml", data, asc, revokedAt.Add(time.Hour))
		wantKind(t, err, ErrKeyRevoked, "8.xml", "rotated", "remove it from the trust-key files")
		_, err = ring.VerifyDetached("8.xml", data, asc, revokedAt.Add(-time.Minute))
		if tt.beforeValid && err != nil {
			t.Errorf("reason %d, before the revocation: %v", tt.reason, err)
		}
		if !tt.beforeValid {
			wantKind(t, err, ErrKeyRevoked, "8.xml", "COMPROMISED")
		}
		_, err = k.signer.SignDetached(data, revokedAt.Add(time.Hour))
		wantKind(t, err, ErrKeyRevoked, "", "revoked")
	}
}

// TestRevocationCertificate loads a key and, from another file, a bare
// revocation certificate for it (what `gpg --gen-revoke` writes).
func TestRevocationCertificate(t *testing.T) {
	k := genKey(t, "Dan", "ed25519", t0, 0)
	data := dsFile(9)
	asc := mustSign(t, k, data, t0.Add(time.Hour))
	e := k.signer.entity
	if err := e.RevokeKey(packet.KeyRetired, "", &packet.Config{Time: func() time.Time { return t0.Add(2 * time.Hour) }}); err != nil {
		t.Fatal(err)
	}
	var cert bytes.Buffer
	if err := e.Revocations[0].Serialize(&cert); err != nil {
		t.Fatal(err)
	}
	e.Revocations = nil
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "dan.asc")
	revFile := filepath.Join(dir, "dan.rev")
	os.WriteFile(keyFile, k.pub, 0o644)
	os.WriteFile(revFile, armorBlockOf(t, "PGP PUBLIC KEY BLOCK", cert.Bytes()), 0o644)

	ring, err := LoadKeyring(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.VerifyDetached("9.xml", data, asc, t0.Add(3*time.Hour)); err != nil {
		t.Fatalf("without the certificate: %v", err)
	}
	ring, err = LoadKeyring(keyFile, revFile)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ring.VerifyDetached("9.xml", data, asc, t0.Add(3*time.Hour))
	wantKind(t, err, ErrKeyRevoked, "9.xml", "retired")
	if ring.Len() != 1 || !ring.Keys()[0].Revoked {
		t.Errorf("Len %d, keys %+v", ring.Len(), ring.Keys())
	}

	// A damaged certificate fails the load.
	bad := bytes.Clone(cert.Bytes())
	bad[len(bad)-5] ^= 0xff
	os.WriteFile(revFile, armorBlockOf(t, "PGP PUBLIC KEY BLOCK", bad), 0o644)
	_, err = LoadKeyring(keyFile, revFile)
	wantKind(t, err, ErrUnusableKey, revFile, "does not verify")
}

// TestSubkey signs with a signing subkey: the signer names the subkey and
// the primary fingerprint; revoking the subkey refuses the signature.
func TestSubkey(t *testing.T) {
	k := genKey(t, "Sub", "ed25519", t0, 0)
	e := k.signer.entity
	config := &packet.Config{Time: func() time.Time { return t0 }, Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519}
	if err := e.AddSigningSubkey(config); err != nil {
		t.Fatal(err)
	}
	pub, err := armorEntity(e, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	ring := mustKeyring(t, pub)
	data := dsFile(10)
	asc := mustSign(t, k, data, t0.Add(time.Hour))
	s, err := ring.VerifyDetached("10.xml", data, asc, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID != keyID(e.Subkeys[0].PublicKey) || s.Fingerprint != k.signer.Fingerprint() {
		t.Errorf("signer %+v: want subkey %s of %s", s, keyID(e.Subkeys[0].PublicKey), k.signer.Fingerprint())
	}
	if err := e.RevokeSubkey(&e.Subkeys[0], packet.KeyRetired, "old", &packet.Config{Time: func() time.Time { return t0.Add(90 * time.Minute) }}); err != nil {
		t.Fatal(err)
	}
	pub, _ = armorEntity(e, false, nil)
	ring = mustKeyring(t, pub)
	_, err = ring.VerifyDetached("10.xml", data, asc, t0.Add(2*time.Hour))
	wantKind(t, err, ErrKeyRevoked, "10.xml", "signing subkey")
}

// TestV6Key checks that an RFC 9580 (v6) Ed25519 key signs and verifies.
func TestV6Key(t *testing.T) {
	config := &packet.Config{Time: func() time.Time { return t0 }, V6Keys: true, Algorithm: packet.PubKeyAlgoEd25519}
	e, err := openpgp.NewEntity("Six", "", "six@example.com", config)
	if err != nil {
		t.Fatal(err)
	}
	e.Subkeys = nil
	pub, err := armorEntity(e, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := armorEntity(e, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := ParseSigningKey("six.sec", sec, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := dsFile(11)
	asc, err := sk.SignDetached(data, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ring := mustKeyring(t, pub)
	s, err := ring.VerifyDetached("11.xml", data, asc, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s.Algorithm != "ed25519" || len(s.Fingerprint) != 64 {
		t.Errorf("signer %+v", s)
	}
	data[0] ^= 1
	_, err = ring.VerifyDetached("11.xml", data, asc, t0.Add(2*time.Hour))
	wantKind(t, err, ErrBadSignature, "11.xml")
}

func TestVerifyFile(t *testing.T) {
	k := genKey(t, "Alice", "ed25519", t0, 0)
	ring := mustKeyring(t, k.pub)
	dir := t.TempDir()
	path := filepath.Join(dir, "6030.xml")
	data := dsFile(6030)
	os.WriteFile(path, data, 0o644)

	_, _, err := ring.VerifyFile(path, t0.Add(time.Hour))
	wantKind(t, err, ErrNoSignature, path, "6030.xml.asc missing")

	os.WriteFile(path+".asc", nil, 0o644)
	_, _, err = ring.VerifyFile(path, t0.Add(time.Hour))
	wantKind(t, err, ErrNoSignature, path, "is empty")

	os.WriteFile(path+".asc", mustSign(t, k, data, t0.Add(time.Hour)), 0o644)
	got, s, err := ring.VerifyFile(path, t0.Add(2*time.Hour))
	if err != nil || !bytes.Equal(got, data) || s.Fingerprint != k.signer.Fingerprint() {
		t.Fatalf("VerifyFile: %v, %d bytes, %+v", err, len(got), s)
	}
	if _, _, err := ring.VerifyFile(filepath.Join(dir, "nope.xml"), t0); err == nil {
		t.Error("a missing DS file verified")
	}
}

// armorBlockOf armours body as a block of the given type.
func armorBlockOf(t testing.TB, typ string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, typ, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	w.Close()
	buf.WriteByte('\n')
	return buf.Bytes()
}

// regexpDropCRC removes the "=XXXX" checksum line of an armour block.
func regexpDropCRC(asc []byte) []byte {
	var out []string
	for _, l := range strings.Split(string(asc), "\n") {
		if len(l) == 5 && l[0] == '=' {
			continue
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n"))
}

// errorsIsAny reports whether err is any of kinds.
func errorsIsAny(err error, kinds ...Kind) bool {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// TestConcurrentVerify shares one keyring between goroutines (run with -race).
func TestConcurrentVerify(t *testing.T) {
	k := genKey(t, "Alice", "ed25519", t0, 0)
	ring := mustKeyring(t, k.pub)
	data := dsFile(12)
	asc := mustSign(t, k, data, t0.Add(time.Hour))
	done := make(chan error)
	for range 8 {
		go func() {
			var err error
			for range 20 {
				if _, err = ring.VerifyDetached("12.xml", data, asc, t0.Add(2*time.Hour)); err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
