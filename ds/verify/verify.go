package verify

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// MaxSignatureSize caps a .asc file. An armoured signature by an RSA-4096 key
// is under 1 KiB; the cap keeps garbage from being parsed at length.
const MaxSignatureSize = 64 << 10

// ClockSkew is how far in the future of the verifier's clock a signature may
// be dated and still be accepted.
const ClockSkew = 5 * time.Minute

// Signer describes a good signature: who made it, when and how.
type Signer struct {
	KeyID       string    // the key that signed (a subkey if one did), 16 hex digits
	Fingerprint string    // the primary key's fingerprint, as the keyring lists it
	UserID      string    // the primary user ID, "Name <email>"
	Created     time.Time // signature creation time, as the signer's clock had it
	Algorithm   string    // the signing key's algorithm: "ed25519", "rsa3072", …
	Hash        string    // "SHA256", "SHA512", …
}

// String formats the signer as gpg's "Good signature" line does.
func (s *Signer) String() string {
	return fmt.Sprintf("signed %s by %s key %s %q (%s)",
		s.Created.UTC().Format(time.RFC3339), s.Algorithm, s.KeyID, s.UserID, s.Hash)
}

// OpenPGP hash algorithm ids (RFC 9580 §9.5) and whether each is strong
// enough for a DS signature.
var hashAlgorithms = map[byte]struct {
	name   string
	strong bool
}{
	1: {"MD5", false}, 2: {"SHA1", false}, 3: {"RIPEMD160", false}, 11: {"SHA224", false},
	8: {"SHA256", true}, 9: {"SHA384", true}, 10: {"SHA512", true}, 12: {"SHA3-256", true}, 14: {"SHA3-512", true},
}

// VerifyDetached checks that armoredSig, the content of name.asc, is a good
// signature over data, the content of name, by a key of k that was valid
// (not expired, not revoked) both when it signed and at now. Pass a nil
// armoredSig when name.asc does not exist.
//
// On success it returns who signed; on failure the Signer is nil (go-crypto
// returns the signer together with ErrKeyExpired, which is easy to misread
// as success; this does not). Every failure is an *Error whose Kind says
// which check failed. The checks run in this order: no signature,
// malformed, weak hash, untrusted key, bad signature, revoked key, signature
// from the future, expired key, expired signature. go-crypto's own
// revocation and expiry checks are not relied on: they judge by one clock
// only, and call a future signature "expired".
func (k *Keyring) VerifyDetached(name string, data, armoredSig []byte, now time.Time) (*Signer, error) {
	asc := name + ".asc"
	resign := fmt.Sprintf("sign it with `dsengine ds sign --key KEY %s`", name)
	if len(bytes.TrimSpace(armoredSig)) == 0 {
		if armoredSig == nil {
			return nil, fail(ErrNoSignature, name, "no signature (%s missing); %s", asc, resign)
		}
		return nil, fail(ErrNoSignature, name, "no signature (%s is empty); %s", asc, resign)
	}
	sig, hashID, err := parseDetached(name, armoredSig)
	if err != nil {
		return nil, err
	}
	issuer := issuerString(sig)

	cands := k.candidates(sig)
	if len(cands) == 0 {
		return nil, fail(ErrUntrustedKey, name, "signed by key %s, which is not trusted; if you trust its publisher, "+
			"add its public key with `trust-key FILE` under `call-home diagnostic-signature` (or `--trust FILE`)", issuer).withKey(issuerKeyID(sig))
	}
	var signing []candidate
	for _, c := range cands {
		if self := c.key.SelfSignature; self != nil && self.FlagsValid && self.FlagSign {
			signing = append(signing, c)
		}
	}
	if len(signing) == 0 {
		return nil, fail(ErrUntrustedKey, name, "signed by key %s, which is trusted but not flagged for signing; "+
			"the publisher must sign with its signing key", issuer).withKey(issuerKeyID(sig))
	}

	bad := func(err error) error {
		return fail(ErrBadSignature, name, "BAD signature by key %s: the file is not what was signed "+
			"(it changed after signing, or %s belongs to another file); download it again, or %s",
			issuer, asc, resign).withKey(issuerKeyID(sig)).wrap(err)
	}
	// go-crypto checks the two-byte hash tag of v6 signatures only; gpg
	// checks it for v4 too, and so does this.
	th, err := sig.PrepareVerify()
	if err != nil {
		return nil, fail(ErrMalformedSignature, name, "malformed signature: %s: %v; %s", asc, err, resign).wrap(err)
	}
	th.Write(data)
	if err := packet.VerifyHashTag(th, sig); err != nil {
		return nil, bad(err)
	}
	var good *candidate
	var verr error
	for i := range signing {
		h, _ := sig.PrepareVerify()
		h.Write(data)
		if verr = signing[i].key.PublicKey.VerifySignature(h, sig); verr == nil {
			good = &signing[i]
			break
		}
	}
	if good == nil {
		return nil, bad(verr)
	}
	if err := k.checkKeyState(name, good, sig, now); err != nil {
		return nil, err
	}
	if exp, ok := sigExpiry(sig); ok && now.After(exp) {
		return nil, fail(ErrSignatureExpired, name, "the signature expired on %s (it was made %s with a lifetime); "+
			"get a freshly signed copy", stamp(exp), stamp(sig.CreationTime)).withKey(keyID(good.key.PublicKey))
	}
	return &Signer{
		KeyID:       keyID(good.key.PublicKey),
		Fingerprint: good.tk.fpr,
		UserID:      primaryUserID(good.key.Entity),
		Created:     sig.CreationTime,
		Algorithm:   algorithmName(good.key.PublicKey),
		Hash:        hashAlgorithms[hashID].name,
	}, nil
}

// VerifyFile reads path and path.asc, regular files only (a named pipe or
// a device is refused without blocking), and verifies them with
// VerifyDetached.
// It returns the bytes it verified: use those, not a second read of the
// file, which may have changed in between. The DS file is read whole; the
// caller bounds what it stores.
func (k *Keyring) VerifyFile(path string, now time.Time) ([]byte, *Signer, error) {
	data, err := readAll(path)
	if err != nil {
		return nil, nil, fmt.Errorf("verify %s: %w", path, err)
	}
	sig, err := readCapped(path+".asc", MaxSignatureSize)
	switch {
	case errors.Is(err, os.ErrNotExist):
		sig = nil
	case err != nil:
		return nil, nil, fail(ErrMalformedSignature, path, "cannot read %s.asc: %v", path, err).wrap(err)
	case sig == nil:
		sig = []byte{} // exists but empty
	}
	s, err := k.VerifyDetached(path, data, sig, now)
	if err != nil {
		return nil, nil, err
	}
	return data, s, nil
}

// parseDetached decodes an armoured detached signature: exactly one armour
// block of type PGP SIGNATURE holding exactly one signature packet, of
// version 4 or 6, over binary data, with a hash at least as strong as
// SHA-256. It returns the parsed packet and its hash algorithm id.
func parseDetached(name string, armored []byte) (*packet.Signature, byte, error) {
	asc := name + ".asc"
	remake := fmt.Sprintf("make it again with `dsengine ds sign --key KEY %s` or `gpg --armor --detach-sign %s`", name, name)
	malformed := func(format string, args ...any) *Error {
		return fail(ErrMalformedSignature, name, "malformed signature: %s %s; %s", asc, fmt.Sprintf(format, args...), remake)
	}
	if len(armored) > MaxSignatureSize {
		return nil, 0, malformed("is %d bytes, more than a detached signature can be (%d)", len(armored), MaxSignatureSize)
	}
	if !isArmored(armored) {
		if armored[0]&0x80 != 0 {
			return nil, 0, malformed("is a binary signature, not an ASCII-armoured one (sign with --armor)")
		}
		return nil, 0, malformed("holds no OpenPGP armour (no -----BEGIN PGP SIGNATURE----- line)")
	}
	blocks, err := decodeArmor(armored, true)
	if err != nil {
		return nil, 0, malformed("is damaged: %v", err).wrap(err)
	}
	if len(blocks) != 1 {
		return nil, 0, malformed("holds %d armour blocks; a DS signature is exactly one", len(blocks))
	}
	switch blocks[0].Type {
	case armorSignature:
	case armorMessage:
		return nil, 0, malformed("holds a signed message, not a detached signature (sign with --detach-sign)")
	default:
		return nil, 0, malformed("holds a %q block, not a signature", blocks[0].Type)
	}
	pkts, err := splitPackets(blocks[0].Body)
	if err != nil {
		return nil, 0, malformed("is damaged: %v", err).wrap(err)
	}
	for _, p := range pkts {
		if p.Tag != 2 {
			return nil, 0, malformed("holds a %s packet; a detached signature holds one signature packet only", packetName(p.Tag))
		}
	}
	if len(pkts) != 1 {
		return nil, 0, malformed("holds %d signatures; a DS signature holds exactly one", len(pkts))
	}
	body := pkts[0].Body
	if len(body) < 4 {
		return nil, 0, malformed("is truncated")
	}
	if v := body[0]; v != 4 && v != 6 {
		return nil, 0, malformed("is a version %d signature; only versions 4 and 6 are accepted", v)
	}
	sigType, hashID := packet.SignatureType(body[1]), body[3]
	switch h, ok := hashAlgorithms[hashID]; {
	case !ok:
		return nil, 0, malformed("uses unknown hash algorithm %d", hashID)
	case !h.strong:
		return nil, 0, fail(ErrWeakHash, name, "the signature uses %s, which is weaker than SHA-256 and refused; "+
			"sign it again with `dsengine ds sign --key KEY %s` or `gpg --digest-algo SHA256 --armor --detach-sign %s`",
			h.name, name, name)
	}
	switch sigType {
	case packet.SigTypeBinary:
	case packet.SigTypeText:
		return nil, 0, malformed("is a text-mode signature, which ignores line-ending changes; a DS signature is over the exact bytes (sign without --textmode)")
	default:
		return nil, 0, malformed("is not a signature over a document (signature type 0x%02x)", uint8(sigType))
	}
	p, err := packet.Read(bytes.NewReader(pkts[0].Raw))
	if err != nil {
		return nil, 0, malformed("cannot be parsed: %v", err).wrap(err)
	}
	sig, ok := p.(*packet.Signature)
	if !ok {
		return nil, 0, malformed("holds a %T, not a signature", p)
	}
	if sig.IssuerKeyId == nil && len(sig.IssuerFingerprint) == 0 {
		return nil, 0, malformed("does not name the key that made it")
	}
	for _, n := range sig.Notations {
		if n.IsCritical {
			return nil, 0, malformed("carries a critical notation %q this verifier does not know", n.Name)
		}
	}
	return sig, hashID, nil
}

// checkKeyState judges the key that made a good signature: not revoked at
// now (in any loaded copy of it), the signature not dated before the key
// existed nor beyond ClockSkew after now, and the key (and signing subkey)
// not expired, neither when it signed nor at now.
func (k *Keyring) checkKeyState(name string, c *candidate, sig *packet.Signature, now time.Time) error {
	e, pk := c.key.Entity, c.key.PublicKey
	kid := keyID(pk)
	isSub := pk != e.PrimaryKey
	what := "key " + c.tk.fpr
	if isSub {
		what = fmt.Sprintf("signing subkey %s of key %s", kid, c.tk.fpr)
	}
	revokedMsg := func(whose string, rev *packet.Signature) error {
		return fail(ErrKeyRevoked, name, "%s is revoked (%s, since %s)%s; remove it from the trust-key files "+
			"and get the file signed with the publisher's current key", what, revocationReason(rev), stamp(rev.CreationTime), whose).withKey(kid)
	}
	for _, cp := range k.copies(c.tk.fpr) {
		if rev := effectiveRevocation(cp.Revocations, now); rev != nil {
			return revokedMsg("", rev)
		}
		if isSub {
			for _, sub := range cp.Subkeys {
				if bytes.Equal(sub.PublicKey.Fingerprint, pk.Fingerprint) {
					if rev := effectiveRevocation(sub.Revocations, now); rev != nil {
						return revokedMsg("", rev)
					}
				}
			}
		}
		if _, id := cp.PrimarySelfSignature(); id != nil {
			if rev := effectiveRevocation(id.Revocations, now); rev != nil {
				return revokedMsg(fmt.Sprintf(": its user ID %q was revoked", id.Name), rev)
			}
		}
	}

	if sig.CreationTime.After(now.Add(ClockSkew)) {
		return fail(ErrFutureSignature, name, "the signature is dated %s, %s after this host's clock (%s); "+
			"check the clocks of this host and of the signer", stamp(sig.CreationTime),
			sig.CreationTime.Sub(now).Round(time.Second), stamp(now)).withKey(kid)
	}
	if sig.CreationTime.Before(pk.CreationTime) || sig.CreationTime.Before(e.PrimaryKey.CreationTime) {
		return fail(ErrBadSignature, name, "the signature is dated %s, before %s existed (created %s); "+
			"the signer's clock was wrong: %s", stamp(sig.CreationTime), what, stamp(pk.CreationTime),
			fmt.Sprintf("sign it again with `dsengine ds sign --key KEY %s`", name)).withKey(kid)
	}

	primarySelf, _ := e.PrimarySelfSignature()
	type expiryCheck struct {
		pk   *packet.PublicKey
		self *packet.Signature // the self-signature that sets pk's expiry
		what string
	}
	checks := []expiryCheck{{e.PrimaryKey, primarySelf, "key " + c.tk.fpr}}
	if isSub {
		checks = append(checks, expiryCheck{pk, c.key.SelfSignature, what})
	}
	extend := "the publisher must extend it (`gpg --quick-set-expire FINGERPRINT 1y`) and you re-export it to the trust-key file, " +
		"or sign the file with a current key"
	for _, ch := range checks {
		if ch.self == nil {
			return fail(ErrUntrustedKey, name, "%s has no valid self-signature; export it again", ch.what).withKey(kid)
		}
		exp, ok := keyExpiry(ch.pk, ch.self)
		if sexp, sok := sigExpiry(ch.self); sok && (!ok || sexp.Before(exp)) {
			exp, ok = sexp, true
		}
		if !ok {
			continue
		}
		if sig.CreationTime.After(exp) {
			return fail(ErrKeyExpired, name, "%s had expired (on %s) when it made this signature (%s); %s",
				ch.what, stamp(exp), stamp(sig.CreationTime), extend).withKey(kid)
		}
		if now.After(exp) {
			return fail(ErrKeyExpired, name, "%s expired on %s; %s", ch.what, stamp(exp), extend).withKey(kid)
		}
	}
	return nil
}

// effectiveRevocation returns the first revocation in revs in force at now:
// one for a compromised key counts from the beginning of time, any other
// from its creation until its own expiry.
func effectiveRevocation(revs []*packet.Signature, now time.Time) *packet.Signature {
	for _, rev := range revs {
		if rev.RevocationReason != nil && *rev.RevocationReason == packet.KeyCompromised {
			return rev
		}
		if rev.CreationTime.After(now) {
			continue
		}
		if exp, ok := sigExpiry(rev); ok && now.After(exp) {
			continue
		}
		return rev
	}
	return nil
}

// revocationReason describes why a key was revoked.
func revocationReason(rev *packet.Signature) string {
	reason := "no reason given"
	if rev.RevocationReason != nil {
		switch *rev.RevocationReason {
		case packet.KeySuperseded:
			reason = "superseded"
		case packet.KeyCompromised:
			reason = "COMPROMISED"
		case packet.KeyRetired:
			reason = "retired"
		case packet.UserIDNotValid:
			reason = "user ID no longer valid"
		}
	}
	if rev.RevocationReasonText != "" {
		reason += ": " + rev.RevocationReasonText
	}
	return reason
}

// keyExpiry returns when pk expires according to its self-signature self;
// ok is false if it never does.
func keyExpiry(pk *packet.PublicKey, self *packet.Signature) (time.Time, bool) {
	if self.KeyLifetimeSecs == nil || *self.KeyLifetimeSecs == 0 {
		return time.Time{}, false
	}
	return pk.CreationTime.Add(time.Duration(*self.KeyLifetimeSecs) * time.Second), true
}

// sigExpiry returns when sig expires; ok is false if it never does.
func sigExpiry(sig *packet.Signature) (time.Time, bool) {
	if sig.SigLifetimeSecs == nil || *sig.SigLifetimeSecs == 0 {
		return time.Time{}, false
	}
	return sig.CreationTime.Add(time.Duration(*sig.SigLifetimeSecs) * time.Second), true
}

// issuerString names the key a signature claims: its fingerprint when it
// carries one, else its key id.
func issuerString(sig *packet.Signature) string {
	if len(sig.IssuerFingerprint) > 0 {
		return fmt.Sprintf("%X", sig.IssuerFingerprint)
	}
	return issuerKeyID(sig)
}

// issuerKeyID is the 16-digit key id a signature claims, or "".
func issuerKeyID(sig *packet.Signature) string {
	if sig.IssuerKeyId == nil {
		return ""
	}
	return fmt.Sprintf("%016X", *sig.IssuerKeyId)
}

// stamp formats a time for messages, in UTC.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
