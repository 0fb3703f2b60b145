// Package download fetches Diagnostic Signatures from a DS repository over
// HTTPS, verifies the signed index and every file, and hands only verified
// DS to the caller.
//
// A regular download POSTs the device's DS statuses to <repository>/request
// and gets the signed index back (signature in the X-DS-Signature header);
// a plain file server answers 404 or 405 and the client GETs index.xml and
// index.xml.asc instead. The index must be signed by a trusted key, not
// older than the last one accepted (rollback) and not expired (freeze).
// Then only the DS assigned to the device's profile whose revision differs
// from the installed one are fetched (a forced download fetches them
// regardless), each capped at and checked against the size and SHA-256 the
// index lists (mix-and-match, endless data), its own signature verified,
// and its id and revision compared with the index's. A DS that fails any
// check is reported and never handed over; the others go on.
//
// The package stores nothing itself: Options.Install receives the verified
// files (the caller puts them in the bootflash), and Options.Versions keeps
// the highest index version accepted (a *bootflash.Store does).
//
// Waits between retries use the injected ds.Clock; HTTP timeouts are real
// time.
package download
