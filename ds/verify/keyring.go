package verify

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/dsengine/dsengine/internal/regularfile"
)

// MaxKeyFileSize caps a key file: a public key with a few user IDs and
// subkeys is a few KiB, so anything this large is a mistake.
const MaxKeyFileSize = 1 << 20

// Keyring holds the public keys trusted to sign DS files (the trust-key lines
// of the configuration). Parse it once and share it: it is read-only after
// loading and safe for concurrent use.
type Keyring struct {
	keys []*trustedKey
}

// trustedKey is one loaded key and the file it came from.
type trustedKey struct {
	entity *openpgp.Entity
	file   string
	fpr    string
}

// KeyInfo describes one trusted key, for listings and messages.
type KeyInfo struct {
	Fingerprint string    // of the primary key, upper-case hex
	KeyID       string    // of the primary key, 16 hex digits
	UserID      string    // the primary user ID, "Name <email>"
	Algorithm   string    // "ed25519", "rsa3072", …
	Created     time.Time // key creation time
	Expires     time.Time // zero if the key does not expire
	Revoked     bool      // a revocation signature is attached
	File        string    // the file it was loaded from
}

// LoadKeyring reads the public keys in the named files, armoured or binary
// (`gpg --armor --export KEYID` makes one); a file may hold several keys and
// standalone revocation certificates. Accepted are RSA keys of at least
// MinRSABits, Ed25519 and Ed448 (v4 and v6 keys) and ECDSA on the NIST
// curves; RSA keys too small, DSA, ElGamal and other algorithms, keys with
// no key flagged for signing, and secret keys are refused: one refused key
// fails the whole load with an ErrUnusableKey that names the file and says
// why and what to do. Expiry and revocation are judged per signature, not
// here. No paths gives an empty keyring, which trusts nothing.
func LoadKeyring(paths ...string) (*Keyring, error) {
	var b keyringBuilder
	for _, path := range paths {
		data, err := readCapped(path, MaxKeyFileSize)
		if err != nil {
			return nil, fail(ErrUnusableKey, path, "cannot read the key file: %v", err).wrap(err)
		}
		if err := b.add(path, data); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// ParseKeyring is LoadKeyring for one file already in memory; name is used
// in messages.
func ParseKeyring(name string, data []byte) (*Keyring, error) {
	var b keyringBuilder
	if err := b.add(name, data); err != nil {
		return nil, err
	}
	return b.finish()
}

// Len returns the number of distinct keys.
func (k *Keyring) Len() int { return len(k.Fingerprints()) }

// Fingerprints returns the primary-key fingerprints, in load order, each once.
func (k *Keyring) Fingerprints() []string {
	var out []string
	seen := map[string]bool{}
	for _, tk := range k.keys {
		if !seen[tk.fpr] {
			seen[tk.fpr] = true
			out = append(out, tk.fpr)
		}
	}
	return out
}

// Keys describes every loaded key, in load order (a key given in two files
// appears twice).
func (k *Keyring) Keys() []KeyInfo {
	out := make([]KeyInfo, 0, len(k.keys))
	for _, tk := range k.keys {
		out = append(out, describeEntity(tk.entity, tk.file))
	}
	return out
}

// describeEntity summarises e.
func describeEntity(e *openpgp.Entity, file string) KeyInfo {
	info := KeyInfo{
		Fingerprint: fingerprint(e.PrimaryKey),
		KeyID:       keyID(e.PrimaryKey),
		UserID:      primaryUserID(e),
		Algorithm:   algorithmName(e.PrimaryKey),
		Created:     e.PrimaryKey.CreationTime,
		Revoked:     len(e.Revocations) > 0,
		File:        file,
	}
	if self, _ := e.PrimarySelfSignature(); self != nil {
		info.Expires, _ = keyExpiry(e.PrimaryKey, self)
	}
	return info
}

// keyringBuilder collects keys and revocation certificates from several
// files; revocations are attached once every key is known.
type keyringBuilder struct {
	keys        []*trustedKey
	revocations []fileSig
}

// fileSig is a standalone revocation certificate and its file.
type fileSig struct {
	file string
	sig  *packet.Signature
}

// add parses one key file.
func (b *keyringBuilder) add(name string, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(ErrUnusableKey, name, "the key file is empty; export the publisher's key with `gpg --armor --export KEYID > %s`", name)
	}
	if !isArmored(data) {
		return b.addPackets(name, data)
	}
	blocks, err := decodeArmor(data, false)
	if err != nil {
		return fail(ErrUnusableKey, name, "not a readable OpenPGP key file (%v); export the key again with `gpg --armor --export KEYID > %s`", err, name).wrap(err)
	}
	for _, blk := range blocks {
		switch blk.Type {
		case armorPublicKey:
			if err := b.addPackets(name, blk.Body); err != nil {
				return err
			}
		case armorSecretKey:
			return errSecretKeyInKeyring(name)
		default:
			return fail(ErrUnusableKey, name, "holds a %q block, not a public key; export the key with `gpg --armor --export KEYID > %s`", blk.Type, name)
		}
	}
	return nil
}

// errSecretKeyInKeyring refuses a secret key given as a trusted key.
func errSecretKeyInKeyring(name string) error {
	return fail(ErrUnusableKey, name, "holds a SECRET key; a trust-key file must hold only the public key "+
		"(`gpg --armor --export KEYID > %s`), and the secret key belongs only where DS files are signed", name)
}

// addPackets reads the keys and revocation certificates of one packet stream.
func (b *keyringBuilder) addPackets(name string, body []byte) error {
	packets := packet.NewReader(bytes.NewReader(body))
	found := 0
	for {
		p, err := packets.NextWithUnsupported()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(ErrUnusableKey, name, "unreadable OpenPGP data (%v); export the key again with `gpg --armor --export KEYID`", err).wrap(err)
		}
		switch p := p.(type) {
		case *packet.PublicKey:
			if p.IsSubkey {
				return fail(ErrUnusableKey, name, "a subkey (%s) with no primary key before it; export the whole key with `gpg --armor --export KEYID`", keyID(p))
			}
			packets.Unread(p)
			e, err := openpgp.ReadEntity(packets)
			if err != nil {
				return fail(ErrUnusableKey, name, "key %s: %v; export it again with `gpg --armor --export %s`", keyID(p), err, keyID(p)).withKey(keyID(p)).wrap(err)
			}
			if err := checkEntity(e); err != nil {
				return fail(ErrUnusableKey, name, "refused: %v; %s", err, howToMakeKey).withKey(keyID(e.PrimaryKey))
			}
			b.keys = append(b.keys, &trustedKey{entity: e, file: name, fpr: fingerprint(e.PrimaryKey)})
			found++
		case *packet.PrivateKey:
			return errSecretKeyInKeyring(name)
		case *packet.Signature:
			if p.SigType != packet.SigTypeKeyRevocation {
				return fail(ErrUnusableKey, name, "a signature (type 0x%02x) outside of any key; a key file holds keys and revocation certificates only", uint8(p.SigType))
			}
			b.revocations = append(b.revocations, fileSig{name, p})
			found++
		case *packet.UnsupportedPacket:
			return fail(ErrUnusableKey, name, "unsupported OpenPGP data (%v); %s", p.Error, howToMakeKey).wrap(p.Error)
		default:
			return fail(ErrUnusableKey, name, "unexpected %T where a public key should start", p)
		}
	}
	if found == 0 {
		return fail(ErrUnusableKey, name, "no OpenPGP key found; export the publisher's key with `gpg --armor --export KEYID > %s`", name)
	}
	return nil
}

// finish attaches the standalone revocation certificates to their keys and
// returns the keyring. A certificate for a key that is not loaded revokes
// nothing and is ignored; one that does not verify is an error.
func (b *keyringBuilder) finish() (*Keyring, error) {
	for _, r := range b.revocations {
		for _, tk := range b.keys {
			if !issuedBy(r.sig, tk.entity.PrimaryKey) {
				continue
			}
			if err := tk.entity.PrimaryKey.VerifyRevocationSignature(r.sig); err != nil {
				return nil, fail(ErrUnusableKey, r.file, "the revocation certificate for key %s does not verify (%v); it is damaged or forged", tk.fpr, err).withKey(keyID(tk.entity.PrimaryKey)).wrap(err)
			}
			tk.entity.Revocations = append(tk.entity.Revocations, r.sig)
		}
	}
	return &Keyring{keys: b.keys}, nil
}

// issuedBy reports whether sig names pk as its issuer, by fingerprint when
// the signature carries one, else by key id.
func issuedBy(sig *packet.Signature, pk *packet.PublicKey) bool {
	if len(sig.IssuerFingerprint) > 0 {
		return bytes.Equal(sig.IssuerFingerprint, pk.Fingerprint)
	}
	return sig.IssuerKeyId != nil && *sig.IssuerKeyId == pk.KeyId
}

// candidate is a key of the keyring that a signature names as its issuer.
type candidate struct {
	tk  *trustedKey
	key openpgp.Key
}

// candidates returns the keys, primary or subkeys, that sig names.
func (k *Keyring) candidates(sig *packet.Signature) []candidate {
	var out []candidate
	for _, tk := range k.keys {
		e := tk.entity
		if issuedBy(sig, e.PrimaryKey) {
			self, _ := e.PrimarySelfSignature()
			out = append(out, candidate{tk, openpgp.Key{Entity: e, PublicKey: e.PrimaryKey, SelfSignature: self, Revocations: e.Revocations}})
		}
		for _, sub := range e.Subkeys {
			if issuedBy(sig, sub.PublicKey) {
				out = append(out, candidate{tk, openpgp.Key{Entity: e, PublicKey: sub.PublicKey, SelfSignature: sub.Sig, Revocations: sub.Revocations}})
			}
		}
	}
	return out
}

// copies returns every loaded copy of the key with fingerprint fpr (the same
// key may come from two files, one of them carrying a revocation).
func (k *Keyring) copies(fpr string) []*openpgp.Entity {
	var out []*openpgp.Entity
	for _, tk := range k.keys {
		if tk.fpr == fpr {
			out = append(out, tk.entity)
		}
	}
	return out
}

// readAll reads a whole regular file (regularfile.Open).
func readAll(path string) ([]byte, error) {
	f, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// readCapped reads a whole regular file (regularfile.Open), refusing one
// larger than limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
