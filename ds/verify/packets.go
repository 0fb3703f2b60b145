package verify

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// OpenPGP packet tags this package names in messages (RFC 9580 §5).
var packetNames = map[byte]string{
	1: "public-key encrypted session key", 2: "signature", 3: "symmetric-key encrypted session key",
	4: "one-pass signature", 5: "secret key", 6: "public key", 7: "secret subkey",
	8: "compressed data", 9: "symmetrically encrypted data", 10: "marker", 11: "literal data",
	12: "trust", 13: "user ID", 14: "public subkey", 17: "user attribute", 18: "encrypted data",
}

// packetName names an OpenPGP packet tag.
func packetName(tag byte) string {
	if n, ok := packetNames[tag]; ok {
		return n
	}
	return fmt.Sprintf("type %d", tag)
}

// rawPacket is one OpenPGP packet as it appears on the wire.
type rawPacket struct {
	Tag  byte
	Body []byte // the packet body, without its header
	Raw  []byte // header and body
}

// splitPackets frames an OpenPGP packet stream into whole packets without
// interpreting them, so that a signature the library cannot parse (MD5,
// unknown versions) can still be counted and classified. Partial and
// indeterminate lengths are refused: a detached signature never needs them.
func splitPackets(b []byte) ([]rawPacket, error) {
	var out []rawPacket
	for off := 0; off < len(b); {
		start := off
		ctb := b[off]
		off++
		if ctb&0x80 == 0 {
			return nil, fmt.Errorf("byte %d: not an OpenPGP packet header (0x%02x)", start, ctb)
		}
		var tag byte
		var n int
		if ctb&0x40 != 0 { // new format
			tag = ctb & 0x3f
			if off >= len(b) {
				return nil, errTruncated
			}
			l0 := int(b[off])
			off++
			switch {
			case l0 < 192:
				n = l0
			case l0 < 224:
				if off >= len(b) {
					return nil, errTruncated
				}
				n = (l0-192)<<8 + int(b[off]) + 192
				off++
			case l0 == 255:
				if off+4 > len(b) {
					return nil, errTruncated
				}
				n64 := binary.BigEndian.Uint32(b[off:])
				if n64 > uint32(len(b)) {
					return nil, errTruncated
				}
				n = int(n64)
				off += 4
			default:
				return nil, fmt.Errorf("byte %d: partial body length in a %s packet", start, packetName(tag))
			}
		} else { // old format
			tag = (ctb >> 2) & 0x0f
			switch ctb & 3 {
			case 0:
				if off+1 > len(b) {
					return nil, errTruncated
				}
				n = int(b[off])
				off++
			case 1:
				if off+2 > len(b) {
					return nil, errTruncated
				}
				n = int(binary.BigEndian.Uint16(b[off:]))
				off += 2
			case 2:
				if off+4 > len(b) {
					return nil, errTruncated
				}
				n64 := binary.BigEndian.Uint32(b[off:])
				if n64 > uint32(len(b)) {
					return nil, errTruncated
				}
				n = int(n64)
				off += 4
			default:
				return nil, fmt.Errorf("byte %d: indeterminate length in a %s packet", start, packetName(tag))
			}
		}
		if off+n > len(b) {
			return nil, errTruncated
		}
		out = append(out, rawPacket{Tag: tag, Body: b[off : off+n], Raw: b[start : off+n]})
		off += n
	}
	return out, nil
}

// errTruncated reports a packet that runs past the end of its input.
var errTruncated = errors.New("a packet runs past the end of the data: it is truncated")
