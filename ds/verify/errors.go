package verify

import "fmt"

// Kind is the class of a signature or key failure. Each Kind is an error in
// its own right, so callers tell failures apart with errors.Is:
//
//	if errors.Is(err, verify.ErrUntrustedKey) { … }
type Kind string

// Error returns the kind's short name.
func (k Kind) Error() string { return string(k) }

// The kinds of failure. An *Error carries one of them.
const (
	// ErrNoSignature: the .asc file is missing or empty.
	ErrNoSignature Kind = "no signature"
	// ErrMalformedSignature: the .asc is not one armoured, detached, binary
	// OpenPGP signature (garbage, truncated, several signatures, text mode…).
	ErrMalformedSignature Kind = "malformed signature"
	// ErrBadSignature: the signature does not match the data (the file
	// changed, or the .asc belongs to another file).
	ErrBadSignature Kind = "bad signature"
	// ErrUntrustedKey: the signing key is not in the keyring, or is there
	// but not allowed to sign.
	ErrUntrustedKey Kind = "untrusted key"
	// ErrWeakHash: the signature uses a hash weaker than SHA-256 (MD5, SHA-1,
	// RIPEMD-160, SHA-224).
	ErrWeakHash Kind = "weak hash"
	// ErrKeyExpired: the signing key had expired when it signed, or has
	// expired since.
	ErrKeyExpired Kind = "key expired"
	// ErrKeyRevoked: the signing key (or its subkey, or its primary user ID)
	// is revoked.
	ErrKeyRevoked Kind = "key revoked"
	// ErrSignatureExpired: the signature carried a lifetime that has passed.
	ErrSignatureExpired Kind = "signature expired"
	// ErrFutureSignature: the signature was made more than ClockSkew after
	// the time of verification.
	ErrFutureSignature Kind = "signature from the future"
	// ErrUnusableKey: a key file was refused at load (weak or unsupported
	// algorithm, no signing-capable key, a secret key where a public one
	// belongs, unreadable packets).
	ErrUnusableKey Kind = "unusable key"
	// ErrPassphrase: a secret key is protected and no passphrase, or a
	// wrong one, was given.
	ErrPassphrase Kind = "passphrase"
)

// Error is a failure about one file: the DS file being verified, or the key
// file being loaded. Its message names the file and says what to do next.
type Error struct {
	Kind  Kind
	File  string // the DS file (or key file) the failure is about
	KeyID string // the key involved, 16 hex digits, when known
	Msg   string // the sentence after "File: "
	Err   error  // the underlying go-crypto or I/O error, if any
}

// Error formats the failure as "file: message".
func (e *Error) Error() string {
	if e.File == "" {
		return e.Msg
	}
	return e.File + ": " + e.Msg
}

// Unwrap exposes the Kind (for errors.Is) and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// fail builds an *Error with a formatted message.
func fail(kind Kind, file string, format string, args ...any) *Error {
	return &Error{Kind: kind, File: file, Msg: fmt.Sprintf(format, args...)}
}

// withKey sets the key id of e and returns e.
func (e *Error) withKey(keyID string) *Error {
	e.KeyID = keyID
	return e
}

// wrap sets the underlying error of e and returns e.
func (e *Error) wrap(err error) *Error {
	e.Err = err
	return e
}
