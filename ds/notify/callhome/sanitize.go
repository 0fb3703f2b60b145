package callhome

import (
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// Sanitize returns s as every format carries it. Each byte that is not
// part of a valid UTF-8 sequence becomes U+FFFD, one per byte (as Go's
// range over a string decodes it); so does every character XML 1.0 does
// not allow: the C0 controls other than tab, line feed and carriage return
// (NUL among them), U+FFFE and U+FFFF. Everything else, DEL and the C1
// controls included, is kept. The renderers apply it to every field, so a
// message is valid UTF-8 and, in XML, well-formed whatever its input.
func Sanitize(s string) string {
	i := firstBad(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if allowedASCII(c) {
				b.WriteByte(c)
			} else {
				b.WriteRune(utf8.RuneError)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || r == 0xFFFE || r == 0xFFFF {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// firstBad returns the index of the first byte Sanitize changes, or -1.
func firstBad(s string) int {
	for i := 0; i < len(s); {
		// Eight bytes at a time while they are all printable ASCII: no
		// byte below 0x20 and none with the high bit set.
		for i+8 <= len(s) {
			w := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
			if (w-0x2020202020202020)&^w&0x8080808080808080 != 0 || w&0x8080808080808080 != 0 {
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if !allowedASCII(c) {
				return i
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || r == 0xFFFE || r == 0xFFFF {
			return i
		}
		i += w
	}
	return -1
}

func allowedASCII(c byte) bool {
	return c >= 0x20 || c == '\t' || c == '\n' || c == '\r'
}

// normalizeLineEnds turns CRLF and lone CR into LF, as an XML parser does
// with every line end outside a character reference.
func normalizeLineEnds(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
