package verify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// KeyAlgorithms returns the algorithms GenerateKey makes, the first the
// default.
func KeyAlgorithms() []string { return []string{"ed25519", "rsa3072", "rsa4096", "rsa2048"} }

// GenerateKey makes a new signing-only OpenPGP v4 key (no encryption
// subkey), created at now and expiring after lifetime (0: never), and returns
// its public and its unprotected secret half, armoured. algo is one of
// KeyAlgorithms(); "ed25519" is the EdDSA encoding GnuPG 2.2 reads. name and
// email form the user ID "name <email>".
func GenerateKey(name, email, algo string, now time.Time, lifetime time.Duration) (public, secret []byte, err error) {
	if lifetime < 0 || lifetime/time.Second > math.MaxUint32 {
		return nil, nil, fmt.Errorf("keygen: lifetime %v out of range (0 for none, up to 136 years)", lifetime)
	}
	if email != "" && (!strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n<>()")) {
		return nil, nil, fmt.Errorf("keygen: %q is not an e-mail address", email)
	}
	config := &packet.Config{
		DefaultHash:     crypto.SHA256,
		Time:            func() time.Time { return now },
		KeyLifetimeSecs: uint32(lifetime / time.Second),
	}
	var e *openpgp.Entity
	switch algo {
	case "ed25519":
		config.Algorithm = packet.PubKeyAlgoEdDSA
		config.Curve = packet.Curve25519
		e, err = openpgp.NewEntity(name, "", email, config)
		if err != nil {
			return nil, nil, fmt.Errorf("keygen: %w", err)
		}
		e.Subkeys = nil // NewEntity always adds an encryption subkey; a DS key only signs
	case "rsa2048", "rsa3072", "rsa4096":
		// Built by hand: NewEntity would spend a second RSA generation on an
		// encryption subkey we drop.
		bits := map[string]int{"rsa2048": 2048, "rsa3072": 3072, "rsa4096": 4096}[algo]
		priv, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, nil, fmt.Errorf("keygen: %w", err)
		}
		primary := packet.NewSignerPrivateKey(now, priv)
		e = &openpgp.Entity{
			PrimaryKey: &primary.PublicKey,
			PrivateKey: primary,
			Identities: map[string]*openpgp.Identity{},
		}
		if err := e.AddUserId(name, "", email, config); err != nil {
			return nil, nil, fmt.Errorf("keygen: %w", err)
		}
	default:
		return nil, nil, fmt.Errorf("keygen: unknown algorithm %q (use one of %v)", algo, KeyAlgorithms())
	}
	if public, err = armorEntity(e, false, config); err != nil {
		return nil, nil, fmt.Errorf("keygen: %w", err)
	}
	if secret, err = armorEntity(e, true, config); err != nil {
		return nil, nil, fmt.Errorf("keygen: %w", err)
	}
	return public, secret, nil
}
