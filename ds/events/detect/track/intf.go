package track

import "strings"

// interfaceTypes are the IOS interface type names, in the order that
// resolves an abbreviation several of them start with ("Tw" is
// TwoGigabitEthernet, "Twe" TwentyFiveGigE).
var interfaceTypes = [...]string{
	"GigabitEthernet", "TenGigabitEthernet", "TwoGigabitEthernet", "TwentyFiveGigE", "FastEthernet",
	"FortyGigabitEthernet", "FiveGigabitEthernet", "HundredGigE", "FourHundredGigE", "Ethernet",
	"Port-channel", "Vlan", "Loopback", "Tunnel", "Serial", "Multilink", "Dialer", "Cellular", "BDI", "BVI",
	"AppGigabitEthernet", "Virtual-Access", "Virtual-Template", "Null", "Async", "ATM", "POS",
}

// interfaceAliases are abbreviations IOS prints that are not prefixes of
// the name, or that the order above would resolve otherwise.
var interfaceAliases = map[string]string{
	"vi": "virtual-access", "vt": "virtual-template", "po": "port-channel", "twe": "twentyfivegige",
	"tw": "twogigabitethernet", "fo": "fortygigabitethernet", "fi": "fivegigabitethernet",
	"hu": "hundredgige", "fh": "fourhundredgige", "ap": "appgigabitethernet", "nu": "null",
}

// CanonicalInterface returns the form of an interface name that its
// abbreviations share: the type in full and lower case, then the rest
// without spaces. "Gi1/0/1", "gigabitethernet 1/0/1" and
// "GigabitEthernet1/0/1" are all "gigabitethernet1/0/1". A type that is
// not known, or an abbreviation shorter than two letters, is kept (lower
// case).
func CanonicalInterface(name string) string {
	var buf [64]byte
	return string(appendCanonical(buf[:0], name))
}

// appendCanonical appends CanonicalInterface(name) to dst; it allocates
// only if dst is too small.
func appendCanonical(dst []byte, name string) []byte {
	name = strings.TrimSpace(name)
	i := 0
	for i < len(name) && (isLetter(name[i]) || name[i] == '-') {
		i++
	}
	typ, rest := name[:i], name[i:]
	full := ""
	if len(typ) <= 8 {
		var low [8]byte
		for k := range len(typ) {
			low[k] = lower(typ[k])
		}
		full = interfaceAliases[string(low[:len(typ)])]
	}
	if full == "" && len(typ) >= 2 {
		for _, t := range interfaceTypes {
			if len(typ) <= len(t) && strings.EqualFold(t[:len(typ)], typ) {
				full = t
				break
			}
		}
	}
	if full == "" {
		full = typ
	}
	for k := 0; k < len(full); k++ {
		dst = append(dst, lower(full[k]))
	}
	for k := 0; k < len(rest); k++ {
		if c := rest[k]; c != ' ' {
			dst = append(dst, lower(c))
		}
	}
	return dst
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
