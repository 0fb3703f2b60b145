package verify

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// t0 is the creation time of the test keys; tests replay time from it.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testKey is a generated key pair.
type testKey struct {
	pub, sec []byte
	signer   *SigningKey
}

// genKey generates a key and parses its secret half.
func genKey(t testing.TB, name, algo string, created time.Time, lifetime time.Duration) testKey {
	t.Helper()
	pub, sec, err := GenerateKey(name, strings.ToLower(strings.ReplaceAll(name, " ", "."))+"@example.com", algo, created, lifetime)
	if err != nil {
		t.Fatalf("GenerateKey(%s): %v", algo, err)
	}
	sk, err := ParseSigningKey(name+".sec.asc", sec, nil)
	if err != nil {
		t.Fatalf("ParseSigningKey(%s): %v", algo, err)
	}
	return testKey{pub: pub, sec: sec, signer: sk}
}

// RSA-3072 generation takes a second or more, so the tests share one.
var (
	rsaOnce sync.Once
	rsaKey  testKey
)

// sharedRSA returns the shared RSA-3072 test key (created at t0, no expiry).
func sharedRSA(t testing.TB) testKey {
	rsaOnce.Do(func() { rsaKey = genKey(t, "Rosa", "rsa3072", t0, 0) })
	return rsaKey
}

// mustKeyring parses public keys into a keyring.
func mustKeyring(t testing.TB, pubs ...[]byte) *Keyring {
	t.Helper()
	var all []byte
	for _, p := range pubs {
		all = append(all, p...)
	}
	k, err := ParseKeyring("trusted.asc", all)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

// mustSign signs data with k at now.
func mustSign(t testing.TB, k testKey, data []byte, now time.Time) []byte {
	t.Helper()
	asc, err := k.signer.SignDetached(data, now)
	if err != nil {
		t.Fatalf("SignDetached: %v", err)
	}
	return asc
}

// sigOpts shapes a hand-made signature.
type sigOpts struct {
	hash     crypto.Hash
	typ      packet.SignatureType
	created  time.Time
	lifetime uint32 // seconds; 0: none
	critical string // a critical notation name, if any
}

// rawSign makes a signature packet by hand, bypassing the checks of
// SignDetached and of go-crypto's DetachSign (which refuses SHA-1 and
// expired keys), and returns it unarmoured.
func rawSign(t testing.TB, k testKey, data []byte, o sigOpts) []byte {
	t.Helper()
	priv := k.signer.entity.PrivateKey
	sig := &packet.Signature{
		Version:           4,
		SigType:           o.typ,
		PubKeyAlgo:        priv.PubKeyAlgo,
		Hash:              o.hash,
		CreationTime:      o.created,
		IssuerKeyId:       &priv.KeyId,
		IssuerFingerprint: priv.Fingerprint,
		SigLifetimeSecs:   &o.lifetime,
	}
	if o.critical != "" {
		sig.Notations = []*packet.Notation{{Name: o.critical, Value: []byte("x"), IsCritical: true, IsHumanReadable: true}}
	}
	no := false
	config := &packet.Config{NonDeterministicSignaturesViaNotation: &no}
	h, err := sig.PrepareSign(config)
	if err != nil {
		t.Fatalf("PrepareSign: %v", err)
	}
	if o.typ == packet.SigTypeText {
		th := openpgp.NewCanonicalTextHash(h)
		th.Write(data)
	} else {
		h.Write(data)
	}
	if err := sig.Sign(h, priv, config); err != nil {
		t.Fatalf("Sign: %v", err)
	}
	var buf bytes.Buffer
	if err := sig.Serialize(&buf); err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	return buf.Bytes()
}

// armorSig armours raw signature packets.
func armorSig(t testing.TB, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, "PGP SIGNATURE", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	w.Close()
	buf.WriteByte('\n')
	return buf.Bytes()
}

// dearmor returns the packets of a single armour block.
func dearmor(t testing.TB, asc []byte) []byte {
	t.Helper()
	blocks, err := decodeArmor(asc, false)
	if err != nil || len(blocks) != 1 {
		t.Fatalf("decodeArmor: %v (%d blocks)", err, len(blocks))
	}
	return blocks[0].Body
}

// rsaEntity builds a signing-only RSA key of the given size by hand
// (GenerateKey refuses sizes below 2048).
func rsaEntity(t testing.TB, bits int) (pub, sec []byte) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	primary := packet.NewSignerPrivateKey(t0, priv)
	e := &openpgp.Entity{PrimaryKey: &primary.PublicKey, PrivateKey: primary, Identities: map[string]*openpgp.Identity{}}
	config := &packet.Config{Time: func() time.Time { return t0 }}
	if err := e.AddUserId("Small", "", "small@example.com", config); err != nil {
		t.Fatal(err)
	}
	if pub, err = armorEntity(e, false, config); err != nil {
		t.Fatal(err)
	}
	if sec, err = armorEntity(e, true, config); err != nil {
		t.Fatal(err)
	}
	return pub, sec
}

// wantKind fails unless err is an *Error of kind want whose message starts
// with the file name and contains every fragment.
func wantKind(t testing.TB, err error, want Kind, file string, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %q", want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want kind %q", err, want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T, want *Error", err)
	}
	if file != "" && !strings.HasPrefix(err.Error(), file+": ") {
		t.Errorf("message %q does not start with %q", err, file+": ")
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("message %q lacks %q", err, f)
		}
	}
}

// dsFile returns a plausible DS file of about 2 KiB, different for each id.
func dsFile(id int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DiagnosticSignature id=\"%d\" revision=\"1.0\">\n", id)
	fmt.Fprintf(&b, "  <Name>Sig%d</Name>\n  <Description>Collects interface state when link %d flaps</Description>\n", id, id)
	b.WriteString("  <Events>\n    <Event id=\"e1\" type=\"syslog\" pattern=\"%LINK-3-UPDOWN: Interface Gi0/0/1, changed state to down\" occurs=\"3\" period=\"60s\"/>\n  </Events>\n  <Actions>\n")
	for i := 0; b.Len() < 2000; i++ {
		fmt.Fprintf(&b, "    <Action type=\"command\">show interfaces GigabitEthernet0/0/%d counters errors</Action>\n", i)
	}
	b.WriteString("  </Actions>\n</DiagnosticSignature>\n")
	return []byte(b.String())
}
