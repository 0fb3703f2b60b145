package verify

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Armour types (RFC 9580 §6.2).
const (
	armorSignature = "PGP SIGNATURE"
	armorPublicKey = "PGP PUBLIC KEY BLOCK"
	armorSecretKey = "PGP PRIVATE KEY BLOCK"
	armorMessage   = "PGP MESSAGE"
)

// armorBlock is one decoded ASCII-armour block.
type armorBlock struct {
	Type string
	Body []byte
}

// isArmored reports whether data looks like ASCII armour rather than binary
// OpenPGP packets.
func isArmored(data []byte) bool {
	return bytes.Contains(data, []byte("-----BEGIN PGP "))
}

// decodeArmor decodes every armour block in data. It is stricter than
// go-crypto's armor.Decode, which skips leading garbage, does not check the
// CRC-24 and accepts a block without its END line: here a block must end
// with the END line of its own type, the base64 must be canonical, and a
// checksum line, when present, must match. With strict set, only blank lines
// may stand outside the blocks.
func decodeArmor(data []byte, strict bool) ([]armorBlock, error) {
	const (
		outside = iota
		headers
		body
		afterChecksum
	)
	var (
		blocks   []armorBlock
		state    = outside
		typ      string
		b64      strings.Builder
		checksum string
	)
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		line = strings.TrimSpace(line) // also drops the \r of CRLF files
		lineNo := i + 1
		switch state {
		case outside:
			if line == "" {
				continue
			}
			if t, ok := armorLine(line, "-----BEGIN "); ok {
				typ, state = t, headers
				b64.Reset()
				checksum = ""
				continue
			}
			if strict {
				return nil, fmt.Errorf("line %d: unexpected text outside the armour", lineNo)
			}
		case headers:
			// A header is "Key: value"; base64 never holds a colon, so a
			// line without one is already body (some tools omit the blank
			// line).
			if line == "" {
				state = body
				continue
			}
			if strings.Contains(line, ":") && !strings.HasPrefix(line, "-----") {
				continue
			}
			state = body
			fallthrough
		case body:
			if t, ok := armorLine(line, "-----END "); ok {
				if t != typ {
					return nil, fmt.Errorf("line %d: END %s closes BEGIN %s", lineNo, t, typ)
				}
				blk, err := finishArmor(typ, b64.String(), checksum)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", lineNo, err)
				}
				blocks = append(blocks, blk)
				state = outside
				continue
			}
			if strings.HasPrefix(line, "-----") {
				return nil, fmt.Errorf("line %d: unexpected armour line %q inside %s", lineNo, line, typ)
			}
			if strings.HasPrefix(line, "=") && len(line) == 5 {
				checksum = line[1:]
				state = afterChecksum
				continue
			}
			b64.WriteString(line)
		case afterChecksum:
			if line == "" {
				continue
			}
			if t, ok := armorLine(line, "-----END "); ok {
				if t != typ {
					return nil, fmt.Errorf("line %d: END %s closes BEGIN %s", lineNo, t, typ)
				}
				blk, err := finishArmor(typ, b64.String(), checksum)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", lineNo, err)
				}
				blocks = append(blocks, blk)
				state = outside
				continue
			}
			return nil, fmt.Errorf("line %d: expected the END %s line after the checksum", lineNo, typ)
		}
	}
	if state != outside {
		return nil, fmt.Errorf("no END %s line: the armour is truncated", typ)
	}
	if len(blocks) == 0 {
		return nil, errors.New("no armoured OpenPGP data found")
	}
	return blocks, nil
}

// armorLine reports whether line is "<prefix>TYPE-----" and returns TYPE.
func armorLine(line, prefix string) (string, bool) {
	if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, "-----") ||
		len(line) <= len(prefix)+5 {
		return "", false
	}
	return line[len(prefix) : len(line)-5], true
}

// finishArmor decodes the base64 body of one block and checks its CRC-24.
func finishArmor(typ, b64, checksum string) (armorBlock, error) {
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return armorBlock{}, fmt.Errorf("bad base64 in %s: %v", typ, err)
	}
	if len(raw) == 0 {
		return armorBlock{}, fmt.Errorf("empty %s", typ)
	}
	if checksum != "" {
		want, err := base64.StdEncoding.Strict().DecodeString(checksum)
		if err != nil || len(want) != 3 {
			return armorBlock{}, fmt.Errorf("bad armour checksum line %q", "="+checksum)
		}
		got := crc24(raw)
		if want[0] != byte(got>>16) || want[1] != byte(got>>8) || want[2] != byte(got) {
			return armorBlock{}, errors.New("armour checksum mismatch: the file is damaged")
		}
	}
	return armorBlock{Type: typ, Body: raw}, nil
}

// crc24 is the OpenPGP armour checksum (RFC 9580 §6.1).
func crc24(data []byte) uint32 {
	const (
		crcInit = 0xB704CE
		crcPoly = 0x1864CFB
	)
	crc := uint32(crcInit)
	for _, b := range data {
		crc ^= uint32(b) << 16
		for range 8 {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= crcPoly
			}
		}
	}
	return crc & 0xFFFFFF
}
