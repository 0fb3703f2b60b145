package verify

// Repository index checks (SPEC §8) belong in this file: verifying index.xml
// against index.xml.asc with VerifyDetached, then refusing an index whose
// version is lower than the last one seen (rollback), whose expires has
// passed (freeze), or whose entry for a DS does not match the downloaded
// file's SHA-256 and size (mix-and-match, endless data).
