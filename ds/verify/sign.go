package verify

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// SigningKey is a publisher's secret key, decrypted and ready to sign DS
// files.
type SigningKey struct {
	entity *openpgp.Entity
	file   string
}

// LoadSigningKey reads an armoured (or binary) secret key, as
// `gpg --armor --export-secret-keys KEYID` or GenerateKey writes it. A
// protected key needs its passphrase (the CLI takes it from
// DSENGINE_KEY_PASSPHRASE); an unprotected key ignores it.
func LoadSigningKey(path string, passphrase []byte) (*SigningKey, error) {
	data, err := readCapped(path, MaxKeyFileSize)
	if err != nil {
		return nil, fail(ErrUnusableKey, path, "cannot read the secret key: %v", err).wrap(err)
	}
	return ParseSigningKey(path, data, passphrase)
}

// ParseSigningKey is LoadSigningKey for a key already in memory; name is
// used in messages. The file must hold exactly one secret key, fit to sign
// DS files by the same rules the keyring applies.
func ParseSigningKey(name string, data, passphrase []byte) (*SigningKey, error) {
	exportHint := "export it with `gpg --armor --export-secret-keys KEYID > " + name + "`"
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(ErrUnusableKey, name, "the secret key file is empty; %s", exportHint)
	}
	body := data
	if isArmored(data) {
		blocks, err := decodeArmor(data, false)
		if err != nil {
			return nil, fail(ErrUnusableKey, name, "not a readable OpenPGP secret key (%v); %s", err, exportHint).wrap(err)
		}
		if len(blocks) != 1 {
			return nil, fail(ErrUnusableKey, name, "holds %d armour blocks; a signing key file holds one secret key", len(blocks))
		}
		switch blocks[0].Type {
		case armorSecretKey:
		case armorPublicKey:
			return nil, fail(ErrUnusableKey, name, "is a PUBLIC key; signing needs the secret key: %s", exportHint)
		default:
			return nil, fail(ErrUnusableKey, name, "holds a %q block, not a secret key; %s", blocks[0].Type, exportHint)
		}
		body = blocks[0].Body
	}

	packets := packet.NewReader(bytes.NewReader(body))
	var entities []*openpgp.Entity
	for {
		e, err := openpgp.ReadEntity(packets)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fail(ErrUnusableKey, name, "unreadable secret key (%v); %s", err, exportHint).wrap(err)
		}
		entities = append(entities, e)
	}
	switch {
	case len(entities) == 0:
		return nil, fail(ErrUnusableKey, name, "no secret key found; %s", exportHint)
	case len(entities) > 1:
		return nil, fail(ErrUnusableKey, name, "holds %d keys; export just the one that signs: `gpg --armor --export-secret-keys KEYID`", len(entities))
	}
	e := entities[0]
	kid := keyID(e.PrimaryKey)
	var secrets []*packet.PrivateKey
	if e.PrivateKey != nil && !e.PrivateKey.Dummy() {
		secrets = append(secrets, e.PrivateKey)
	}
	for _, sub := range e.Subkeys {
		if sub.PrivateKey != nil && !sub.PrivateKey.Dummy() {
			secrets = append(secrets, sub.PrivateKey)
		}
	}
	if len(secrets) == 0 {
		return nil, fail(ErrUnusableKey, name, "key %s has no secret key material (a public key, or a stub); %s", kid, exportHint).withKey(kid)
	}
	if err := checkEntity(e); err != nil {
		return nil, fail(ErrUnusableKey, name, "refused: %v; %s", err, howToMakeKey).withKey(kid)
	}
	encrypted := false
	for _, s := range secrets {
		encrypted = encrypted || s.Encrypted
	}
	if encrypted {
		if len(passphrase) == 0 {
			return nil, fail(ErrPassphrase, name, "the secret key %s is protected by a passphrase; "+
				"give it in the environment variable DSENGINE_KEY_PASSPHRASE", kid).withKey(kid)
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, fail(ErrPassphrase, name, "cannot unlock the secret key %s: wrong passphrase "+
				"(check DSENGINE_KEY_PASSPHRASE)", kid).withKey(kid).wrap(err)
		}
	}
	return &SigningKey{entity: e, file: name}, nil
}

// Info describes the key.
func (k *SigningKey) Info() KeyInfo { return describeEntity(k.entity, k.file) }

// Fingerprint returns the primary key's fingerprint, upper-case hex.
func (k *SigningKey) Fingerprint() string { return fingerprint(k.entity.PrimaryKey) }

// PublicKey returns the armoured public half, what a trust-key file holds.
func (k *SigningKey) PublicKey() ([]byte, error) {
	return armorEntity(k.entity, false, nil)
}

// SignDetached returns an armoured detached signature over data, made at
// now with SHA-256 (or the smallest hash the key's algorithm allows), in
// binary mode so it covers the exact bytes. It refuses when the key is
// revoked or expired at now, as a verifier would.
func (k *SigningKey) SignDetached(data []byte, now time.Time) ([]byte, error) {
	e := k.entity
	key, ok := e.SigningKey(now)
	if !ok || key.PrivateKey == nil || key.PrivateKey.Dummy() {
		return nil, k.cannotSign(now)
	}
	deterministic := false
	config := &packet.Config{
		DefaultHash:  crypto.SHA256,
		Time:         func() time.Time { return now },
		SigningKeyId: key.PublicKey.KeyId,
		// The v4 salt notation would make two signatures of the same file by
		// an Ed25519 key differ; without it a repository build is
		// reproducible, and gpg prints no notation lines.
		NonDeterministicSignaturesViaNotation: &deterministic,
	}
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), config); err != nil {
		return nil, fmt.Errorf("sign with key %s: %w", keyID(key.PublicKey), err)
	}
	buf.WriteByte('\n') // go-crypto ends the armour without one; gpg and editors expect it
	return buf.Bytes(), nil
}

// cannotSign explains why the key has no signing key usable at now.
func (k *SigningKey) cannotSign(now time.Time) error {
	e := k.entity
	kid := keyID(e.PrimaryKey)
	if rev := effectiveRevocation(e.Revocations, now); rev != nil {
		return fail(ErrKeyRevoked, k.file, "key %s is revoked (%s); sign with a new key: %s", kid, revocationReason(rev), howToMakeKey).withKey(kid)
	}
	if self, _ := e.PrimarySelfSignature(); self != nil {
		if exp, ok := keyExpiry(e.PrimaryKey, self); ok && now.After(exp) {
			return fail(ErrKeyExpired, k.file, "key %s expired on %s; extend it with `gpg --quick-set-expire %s 1y` "+
				"(and give verifiers the re-exported public key), or %s", kid, stamp(exp), fingerprint(e.PrimaryKey), howToMakeKey).withKey(kid)
		}
	}
	if e.PrimaryKey.CreationTime.After(now) {
		return fail(ErrUnusableKey, k.file, "key %s is created %s, after the signing time %s; check the clock",
			kid, stamp(e.PrimaryKey.CreationTime), stamp(now)).withKey(kid)
	}
	return fail(ErrUnusableKey, k.file, "key %s has no signing key (with its secret) valid at %s; %s", kid, stamp(now), howToMakeKey).withKey(kid)
}

// armorEntity serialises e, public or secret, as armour.
func armorEntity(e *openpgp.Entity, secret bool, config *packet.Config) ([]byte, error) {
	var buf bytes.Buffer
	typ := openpgp.PublicKeyType
	if secret {
		typ = openpgp.PrivateKeyType
	}
	w, err := armor.Encode(&buf, typ, nil)
	if err != nil {
		return nil, err
	}
	if secret {
		err = e.SerializePrivateWithoutSigning(w, config)
	} else {
		err = e.Serialize(w)
	}
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
