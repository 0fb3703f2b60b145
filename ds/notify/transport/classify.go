package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"syscall"
)

// networkRetryable reports whether a connection-level error may go away
// by itself: refused or reset connections, timeouts and unreachable hosts
// do; a certificate that does not verify, a peer that does not speak TLS,
// or a source address or device this host does not have are configuration
// problems that retrying will not fix.
func networkRetryable(err error) bool {
	var (
		unknownCA   x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		recordHdr   tls.RecordHeaderError
		constraints x509.ConstraintViolationError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &recordHdr), errors.As(err, &constraints):
		return false
	case errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.EADDRNOTAVAIL),
		errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return false
	}
	return true
}
