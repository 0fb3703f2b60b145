package verify

import (
	"fmt"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// MinRSABits is the smallest RSA modulus accepted, for verifying and for
// signing.
const MinRSABits = 2048

// howToMakeKey is the advice appended when a key is refused.
const howToMakeKey = "make a new one with `dsengine ds keygen` or " +
	"`gpg --quick-gen-key 'NAME <EMAIL>' ed25519 sign 2y` (or rsa3072)"

// algorithmName names a public key's algorithm and size as gpg's
// --quick-gen-key spells them ("ed25519", "rsa3072", "nistp256").
func algorithmName(pk *packet.PublicKey) string {
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly, packet.PubKeyAlgoRSAEncryptOnly:
		bits, _ := pk.BitLength()
		return fmt.Sprintf("rsa%d", bits)
	case packet.PubKeyAlgoDSA:
		bits, _ := pk.BitLength()
		return fmt.Sprintf("dsa%d", bits)
	case packet.PubKeyAlgoElGamal:
		bits, _ := pk.BitLength()
		return fmt.Sprintf("elg%d", bits)
	case packet.PubKeyAlgoEd25519:
		return "ed25519"
	case packet.PubKeyAlgoEd448:
		return "ed448"
	case packet.PubKeyAlgoX25519:
		return "cv25519"
	case packet.PubKeyAlgoX448:
		return "cv448"
	case packet.PubKeyAlgoEdDSA, packet.PubKeyAlgoECDSA, packet.PubKeyAlgoECDH:
		curve, err := pk.Curve()
		if err != nil {
			return fmt.Sprintf("algorithm %d (unknown curve)", pk.PubKeyAlgo)
		}
		switch {
		case pk.PubKeyAlgo == packet.PubKeyAlgoEdDSA && curve == packet.Curve25519:
			return "ed25519"
		case pk.PubKeyAlgo == packet.PubKeyAlgoEdDSA && curve == packet.Curve448:
			return "ed448"
		case pk.PubKeyAlgo == packet.PubKeyAlgoECDH && curve == packet.Curve25519:
			return "cv25519"
		case strings.HasPrefix(string(curve), "P"):
			return "nist" + strings.ToLower(string(curve))
		}
		return strings.ToLower(string(curve))
	}
	return fmt.Sprintf("algorithm %d", pk.PubKeyAlgo)
}

// checkSigningAlgorithm says why pk may not make DS signatures, or returns
// nil. Accepted: RSA of at least MinRSABits, Ed25519 and Ed448 (the legacy
// EdDSA encoding of v4 keys and the RFC 9580 one), ECDSA on NIST P-256,
// P-384 and P-521.
func checkSigningAlgorithm(pk *packet.PublicKey) error {
	name := algorithmName(pk)
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly:
		bits, err := pk.BitLength()
		if err != nil || bits < MinRSABits {
			return fmt.Errorf("key %s is %s: RSA keys of fewer than %d bits are too weak", keyID(pk), name, MinRSABits)
		}
		return nil
	case packet.PubKeyAlgoEd25519, packet.PubKeyAlgoEd448:
		return nil
	case packet.PubKeyAlgoEdDSA:
		if name == "ed25519" || name == "ed448" {
			return nil
		}
	case packet.PubKeyAlgoECDSA:
		switch name {
		case "nistp256", "nistp384", "nistp521":
			return nil
		}
	case packet.PubKeyAlgoDSA:
		return fmt.Errorf("key %s is %s: DSA keys are not accepted", keyID(pk), name)
	case packet.PubKeyAlgoElGamal, packet.PubKeyAlgoRSAEncryptOnly:
		return fmt.Errorf("key %s is %s, which cannot sign", keyID(pk), name)
	}
	return fmt.Errorf("key %s uses %s, which is not accepted for signing (use Ed25519 or RSA of at least %d bits)",
		keyID(pk), name, MinRSABits)
}

// checkEntity says why e cannot be trusted to sign DS files: a primary key
// of a refused algorithm, a signing subkey of one, or no key at all that is
// flagged for signing. Expiry and revocation are not judged here: they
// depend on the time of each signature.
func checkEntity(e *openpgp.Entity) error {
	if err := checkSigningAlgorithm(e.PrimaryKey); err != nil {
		return err
	}
	canSign := false
	if self, _ := e.PrimarySelfSignature(); self != nil && self.FlagsValid && self.FlagSign {
		canSign = true
	}
	for _, sub := range e.Subkeys {
		if sub.Sig == nil || !sub.Sig.FlagsValid || !sub.Sig.FlagSign {
			continue
		}
		if err := checkSigningAlgorithm(sub.PublicKey); err != nil {
			return fmt.Errorf("signing subkey: %w", err)
		}
		canSign = true
	}
	if !canSign {
		return fmt.Errorf("key %s has no key flagged for signing (an encryption-only or certify-only key)", keyID(e.PrimaryKey))
	}
	return nil
}

// keyID formats a key's 64-bit id as gpg does: 16 upper-case hex digits.
func keyID(pk *packet.PublicKey) string {
	return fmt.Sprintf("%016X", pk.KeyId)
}

// fingerprint formats a key's fingerprint as upper-case hex.
func fingerprint(pk *packet.PublicKey) string {
	return fmt.Sprintf("%X", pk.Fingerprint)
}

// primaryUserID returns the primary user ID of e ("Name <email>"), or "".
func primaryUserID(e *openpgp.Entity) string {
	if id := e.PrimaryIdentity(); id != nil {
		return id.Name
	}
	return ""
}
