// Package transport delivers rendered call-home messages over HTTP(S) and
// over SMTP with mail-server failover, and says of every failure whether
// sending again later may succeed.
//
// # Transports
//
// A Transport has a Name ("email" or "http", as "destination
// transport-method" names them) and one method, Send, which delivers one
// Envelope to the destinations in its To list. New builds both from the
// "call-home" configuration; the table of transports is in transports.go.
//
//   - http POSTs the body, with its Content-Type, to each URL: TLS verified
//     against the system roots or Options.CAFile, through the configured
//     "http-proxy", redirects not followed, response bodies read up to
//     Options.MaxResponseBody.
//   - email sends one mail to all the addresses through the "mail-server"
//     list in priority order: From is "sender from" (else
//     "contact-email-addr"), Reply-To is "sender reply-to"; STARTTLS is used
//     whenever a server offers it and its certificate must verify; every
//     connection and every command has a deadline. Status reports the last
//     known state of each server for "show call-home mail-server status",
//     Check probes them.
//
// # Errors
//
// Send returns nil when every destination got the message. Otherwise it
// returns an *Error, or several joined with errors.Join, each naming the
// destinations it concerns and whether retrying may help (Error.Retryable).
// Destinations no Error names were delivered, so a caller retries only the
// others (Undelivered). Retryable: network errors, timeouts, dropped
// connections, HTTP 5xx, 408 and 429, SMTP 4xx replies. Permanent: bad
// configuration (no sender, no mail server, bad URL, a certificate that does
// not verify), HTTP 3xx and other 4xx, SMTP 5xx replies to MAIL, RCPT or
// DATA.
//
// # Mail-server failover
//
// Servers are tried from the lowest priority number. A server that cannot
// be reached, does not answer in time, refuses the session (a 4xx/5xx
// greeting, 421), fails STARTTLS or drops the connection is marked Not
// available and the next one is tried with the recipients not yet served;
// so is one that answers 4xx to MAIL, RCPT or DATA (it is up, but will not
// take the message now). A 5xx reply to MAIL, RCPT or DATA is final for the
// recipients it concerns: another server would be asked to relay what the
// first one refused for good, so it is not tried. Recipients accepted by one
// server are never sent again to another in the same Send, except when the
// reply to the final "." is lost (timeout, dropped connection): the server
// may have taken the mail, which is the duplicate window SMTP itself has
// (RFC 1047).
//
// The SMTP client is net/smtp from the standard library: it is frozen but
// maintained, needs no new module, and is enough here because this package
// owns the net.Conn (so every command gets its own deadline and a cancelled
// context unblocks it) and net/smtp's *textproto.Error carries the reply
// code the retry decision needs. github.com/wneessen/go-mail would add MIME
// building and more authentication methods that Call Home does not use.
//
// Network deadlines (dial, command, HTTP) are measured on the real clock
// because they bound real sockets; the ds.Clock in Options stamps the mail
// Date header and the mail-server status times.
package transport
