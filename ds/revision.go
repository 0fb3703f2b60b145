package ds

import (
	"fmt"
	"strconv"
	"strings"
)

// Revision is a dotted version number such as "1.10"; revisions compare
// numerically part by part, so 1.10 is newer than 1.9 and 1.0 equals 1.
type Revision string

// ParseRevision checks that s is one or more dot-separated decimal numbers.
func ParseRevision(s string) (Revision, error) {
	if s == "" {
		return "", fmt.Errorf("empty revision")
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return "", fmt.Errorf("revision %q: empty part", s)
		}
		if _, err := strconv.ParseUint(part, 10, 32); err != nil {
			return "", fmt.Errorf("revision %q: %q is not a number", s, part)
		}
	}
	return Revision(s), nil
}

// Compare returns -1, 0 or +1 as r is older than, equal to or newer than o.
// Missing trailing parts count as zero. Invalid parts compare as zero.
func (r Revision) Compare(o Revision) int {
	a, b := strings.Split(string(r), "."), strings.Split(string(o), ".")
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y uint64
		if i < len(a) {
			x, _ = strconv.ParseUint(a[i], 10, 32)
		}
		if i < len(b) {
			y, _ = strconv.ParseUint(b[i], 10, 32)
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}
