package lifecycle

import (
	"fmt"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/ds/verify"
)

// Checker returns the store's check: the signature first, against the
// trusted keys, so that nothing unverified is even parsed; then the DS
// itself; then that the file is named after the id it holds.
func Checker(keys *verify.Keyring, now func() time.Time) bootflash.CheckFunc {
	return func(id string, xml, asc []byte) (*ds.Signature, error) {
		name := id + ".xml"
		if keys == nil || keys.Len() == 0 {
			return nil, fmt.Errorf("%s: no trusted keys; add `trust-key FILE` under `call-home` → `diagnostic-signature`", name)
		}
		if _, err := keys.VerifyDetached(name, xml, asc, now()); err != nil {
			return nil, err
		}
		sig, err := parse.ParseSignature(name, xml)
		if err != nil {
			return nil, err
		}
		if sig.ID != id {
			return nil, fmt.Errorf("%s: holds DS %s; a DS file must be named after its id (%s.xml)", name, sig.ID, sig.ID)
		}
		return sig, nil
	}
}
