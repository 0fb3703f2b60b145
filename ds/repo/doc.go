// Package repo builds and serves a Diagnostic Signature repository: signed
// DS files under ds/ and a signed index.xml that says which revision of
// each DS is current and which profile gets which DS (SPEC §8).
//
// # Layout
//
//	DIR/<id>.xml, <id>.xml.asc     the publisher's signed DS files (input of Build)
//	DIR/index.xml, index.xml.asc   the signed index (written by Build)
//	DIR/ds/<id>-<revision>.xml     the DS files as served, with their .asc
//	DIR/devices.json               what each device reported (written by Server)
//
// Any HTTPS file server can serve DIR; clients then GET index.xml and
// index.xml.asc. Server is the DS server proper: it also answers the
// regular download request (POST /request) and records what each device
// runs.
//
// # Signing design of Server
//
// Server holds no secret key. It answers every request with the index
// exactly as Build signed it, whole, and its signature: the device
// verifies the publisher's signature over those bytes and applies the
// index's <Assign> elements to its own DS profile. A per-device index
// would need the signing key on the network-facing server (or a
// signature the device cannot check); this way the key stays with the
// publisher, what a device trusts is byte for byte what the publisher
// signed, and a compromised server can at worst withhold or replay an
// index, which the client refuses by version and expiry. The price is that
// every device sees every assignment.
package repo
