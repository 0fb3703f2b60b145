package parse

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dsengine/dsengine/ds"
)

// CheckFileName reports whether the file at path is named after the DS it
// holds: <id>.xml, as in the bootflash, or <id>-<revision>.xml, as in a
// repository. The error is an *Error at the root element.
func CheckFileName(path string, sig *ds.Signature) error {
	base := filepath.Base(path)
	stem, ok := strings.CutSuffix(base, ".xml")
	if ok && (stem == sig.ID || stem == sig.ID+"-"+string(sig.Revision)) {
		return nil
	}
	pos := sig.Pos
	if pos.File == "" {
		pos.File = path
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf(
		"file name %s does not match the DS it holds (id %s, revision %s); name it %s.xml (or %s-%s.xml in a repository)",
		base, sig.ID, sig.Revision, sig.ID, sig.ID, sig.Revision)}
}
