// Package verify signs Diagnostic Signature files and checks their detached
// OpenPGP signatures against a keyring of trusted publisher keys.
package verify
