package verify

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestDecodeArmor(t *testing.T) {
	k := genKey(t, "Alice", "ed25519", t0, 0)
	asc := mustSign(t, k, []byte("x"), t0.Add(time.Hour))
	if !bytes.Contains(asc, []byte("\n=")) {
		t.Fatalf("go-crypto wrote no armour checksum:\n%s", asc)
	}
	body := dearmor(t, asc)
	lines := strings.Split(strings.TrimSpace(string(asc)), "\n")
	b64 := strings.Join(lines[2:len(lines)-1], "\n") // base64 and checksum lines

	for _, tt := range []struct {
		name   string
		in     string
		strict bool
		err    string // "" means it must decode to body
	}{
		{"as written", string(asc), true, ""},
		{"headers", "-----BEGIN PGP SIGNATURE-----\nVersion: GnuPG v2\nComment: a\n\n" + b64 + "\n-----END PGP SIGNATURE-----\n", true, ""},
		{"no blank line after BEGIN", "-----BEGIN PGP SIGNATURE-----\n" + b64 + "\n-----END PGP SIGNATURE-----\n", true, ""},
		{"indented and CRLF", strings.ReplaceAll("  "+string(asc), "\n", "\r\n  "), true, ""},
		{"text around, lenient", "garbage\n" + string(asc) + "more\n", false, ""},
		{"text around, strict", "garbage\n" + string(asc), true, "outside the armour"},
		{"END of another type", strings.Replace(string(asc), "END PGP SIGNATURE", "END PGP MESSAGE", 1), true, "closes BEGIN"},
		{"no END", strings.Replace(string(asc), "-----END PGP SIGNATURE-----", "", 1), true, "truncated"},
		{"nothing after checksum", string(asc[:bytes.Index(asc, []byte("-----END"))]), true, "truncated"},
		{"text after checksum", strings.Replace(string(asc), "-----END", "junk\n-----END", 1), true, "after the checksum"},
		{"bad checksum", strings.Replace(string(asc), "\n=", "\n=AAAA\n#", 1), true, "checksum"},
		{"stray armour line", strings.Replace(string(asc), "\n=", "\n-----BEGIN X-----\n=", 1), true, "unexpected armour line"},
		{"empty block", "-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n", true, "empty"},
		{"non-canonical base64", "-----BEGIN PGP SIGNATURE-----\n\nQQ=\n-----END PGP SIGNATURE-----\n", true, "base64"},
		{"nothing", "\n\n", true, "no armoured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			blocks, err := decodeArmor([]byte(tt.in), tt.strict)
			if tt.err == "" {
				if err != nil || len(blocks) != 1 || !bytes.Equal(blocks[0].Body, body) || blocks[0].Type != armorSignature {
					t.Fatalf("got %v, %d blocks", err, len(blocks))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("got %v, want an error about %q", err, tt.err)
			}
		})
	}
}

func TestCRC24(t *testing.T) {
	// The empty input leaves the initial value; "123456789" is the
	// CRC-24/OPENPGP check value.
	if got := crc24(nil); got != 0xB704CE {
		t.Errorf("crc24(nil) = %06X", got)
	}
	if got := crc24([]byte("123456789")); got != 0x21CF02 {
		t.Errorf("crc24(123456789) = %06X, want 21CF02", got)
	}
}

func TestSplitPackets(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []byte
		tags []byte
		err  string
	}{
		{"new format, 1-byte length", []byte{0xC2, 2, 'a', 'b'}, []byte{2}, ""},
		{"new format, 2-byte length", append([]byte{0xC2, 192, 8}, make([]byte, 200)...), []byte{2}, ""},
		{"new format, 5-byte length", append([]byte{0xC2, 255, 0, 0, 0, 3}, 1, 2, 3), []byte{2}, ""},
		{"old format, two packets", []byte{0x88, 1, 'x', 0x89, 0, 1, 'y'}, []byte{2, 2}, ""},
		{"partial length", []byte{0xC2, 224, 0}, nil, "partial"},
		{"indeterminate length", []byte{0x8B, 'x'}, nil, "indeterminate"},
		{"not a packet", []byte{0x41}, nil, "not an OpenPGP packet"},
		{"short body", []byte{0xC2, 5, 1}, nil, "truncated"},
		{"huge length", []byte{0xC2, 255, 0xff, 0xff, 0xff, 0xff}, nil, "truncated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pkts, err := splitPackets(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(pkts) != len(tt.tags) {
				t.Fatalf("got %v, %d packets", err, len(pkts))
			}
			for i, p := range pkts {
				if p.Tag != tt.tags[i] {
					t.Errorf("packet %d tag %d", i, p.Tag)
				}
			}
		})
	}
}
