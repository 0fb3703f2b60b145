package callhome

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// The placeholders Scrub writes.
const (
	ScrubbedSecret   = "<removed>"    // a password, secret, key or community
	ScrubbedDomain   = "<removed>"    // an "ip domain name|list" value
	ScrubbedAddress  = "<ip-address>" // an IPv4 or IPv6 address
	ScrubbedHostname = "<hostname>"   // the device's name
)

// Scrub returns a copy of m with the "data-privacy" setting applied; m is
// not changed. Apply it before rendering. It follows the guides ("Configure
// Call Home data privacy"): data privacy scrubs running configurations,
// and "show command output is not being scrubbed except for configuration
// messages in the outputs for the show running-config all and the show
// startup-config commands". So levels normal and high change only the
// attachments whose command shows a configuration (see IsConfigCommand),
// line by line:
//
//   - normal ("scrubs all normal-level commands"): the value after
//     password, secret, key, key-string, community, pre-shared-key,
//     authentication-key, message-digest-key, auth and priv (skipping an
//     encryption type digit, "level N" and algorithm words such as md5,
//     sha, aes 128), and the community of "snmp-server host", become
//     ScrubbedSecret;
//   - high ("plus the IP domain name and IP address commands"): also the
//     values of "ip domain name|list" (and domain-name, domain-list) become
//     ScrubbedDomain, and every IPv4 and IPv6 address becomes
//     ScrubbedAddress (its prefix length or port is kept).
//
// hostname ("all high-level commands plus the hostname command") implies
// high, and replaces the value of the "hostname" line. It goes further
// than the guide in one way: the host name (m.Customer.Hostname, and any
// aliases, such as the Linux host's own name) is replaced by
// ScrubbedHostname in every field and every attachment, commands and
// outputs, not only configurations, because a name left in a prompt
// ("edge-1#"), in uname output or in ch:SystemInfo/ch:Name would defeat
// the setting. It matches case-insensitively, as a whole name: not next
// to a letter, digit, "_" or "-" ("edge-1.example.com" loses "edge-1",
// "edge-10" is kept). The message type is never changed.
//
// The guides say nothing about MAC addresses: they are not scrubbed.
func Scrub(m *Message, p config.DataPrivacy, aliases ...string) *Message {
	c := m.Clone()
	high := p.Level == config.PrivacyHigh || p.Hostname
	for i, a := range c.Attachments {
		if IsConfigCommand(a.Command) {
			c.Attachments[i].Output = scrubConfig(a.Output, high, p.Hostname)
		}
	}
	if !p.Hostname {
		return c
	}
	var names []string
	for _, n := range append([]string{m.Customer.Hostname}, aliases...) {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, regexp.QuoteMeta(n))
		}
	}
	if len(names) == 0 {
		return c
	}
	re := regexp.MustCompile(`(?i)(?:` + strings.Join(names, "|") + `)`)
	h := func(s string) string { return replaceNames(re, s) }
	c.SubType, c.Name, c.Group, c.Description = h(c.SubType), h(c.Name), h(c.Group), h(c.Description)
	cu := &c.Customer
	for _, f := range []*string{&cu.Hostname, &cu.ContactName, &cu.ContactEmail, &cu.PhoneNumber, &cu.StreetAddress, &cu.CustomerID, &cu.SiteID, &cu.ContractID, &cu.CCOID} {
		*f = h(*f)
	}
	if cu.Hostname != "" {
		cu.Hostname = ScrubbedHostname
	}
	d := &c.Device
	for _, f := range []*string{&d.Product, &d.BuilderVersion, &d.Brand, &d.Series, &d.PID, &d.Serial, &d.HardwareVersion, &d.PartNumber, &d.SoftwareVersion, &d.SystemObjectID, &d.SystemDescription} {
		*f = h(*f)
	}
	for i, a := range c.Attachments {
		c.Attachments[i] = Attachment{Command: h(a.Command), Output: h(a.Output)}
	}
	return c
}

// replaceNames replaces the matches of re that stand alone as names.
func replaceNames(re *regexp.Regexp, s string) string {
	locs := re.FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if (l[0] > 0 && nameByte(s[l[0]-1])) || (l[1] < len(s) && nameByte(s[l[1]])) {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(ScrubbedHostname)
		last = l[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// IsConfigCommand reports whether an IOS command shows a configuration:
// show running-config, show startup-config, show configuration (and their
// abbreviations, e.g. "sh run", "show start"), or "more" of a
// running-config or startup-config file.
func IsConfigCommand(cmd string) bool {
	w := strings.Fields(strings.ToLower(cmd))
	if len(w) < 2 {
		return false
	}
	abbrev := func(word, full string, min int) bool {
		return len(word) >= min && strings.HasPrefix(full, word)
	}
	switch {
	case abbrev(w[0], "show", 2):
		return abbrev(w[1], "running-config", 3) || abbrev(w[1], "startup-config", 4) || abbrev(w[1], "configuration", 4)
	case w[0] == "more":
		return strings.Contains(w[1], "running-config") || strings.Contains(w[1], "startup-config")
	}
	return false
}

// secretWord reports whether a configuration word is followed by a secret.
func secretWord(w string) bool {
	switch w {
	case "password", "secret", "key", "key-string", "community", "pre-shared-key",
		"authentication-key", "message-digest-key", "auth", "priv":
		return true
	}
	return false
}

// skipWord reports whether a word may stand between a secret word and its
// value: an encryption type, an algorithm, a key length.
func skipWord(w string) bool {
	switch w {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
		"md5", "sha", "sha1", "sha256", "sha384", "sha512",
		"aes", "des", "3des", "128", "192", "256",
		"encrypted", "unencrypted", "hidden":
		return true
	}
	return false
}

// scrubConfig scrubs a configuration, line by line.
func scrubConfig(text string, high, hostname bool) string {
	lines := strings.SplitAfter(text, "\n")
	changed := false
	for i, l := range lines {
		if s := scrubConfigLine(l, high, hostname); s != l {
			lines[i], changed = s, true
		}
	}
	if !changed {
		return text
	}
	return strings.Join(lines, "")
}

type span struct{ start, end int }

// scrubConfigLine scrubs one configuration line.
func scrubConfigLine(line string, high, hostname bool) string {
	var toks []span
	for i := 0; i < len(line); {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		j := i
		for j < len(line) && !isBlank(line[j]) {
			j++
		}
		if j > i {
			toks = append(toks, span{i, j})
		}
		i = j
	}
	word := func(k int) string {
		if k >= len(toks) {
			return ""
		}
		return strings.ToLower(line[toks[k].start:toks[k].end])
	}
	repl := map[int]string{}
	for k := 0; k < len(toks); k++ {
		w := word(k)
		if !secretWord(w) || (w == "key" && k > 0 && word(k-1) == "crypto") {
			continue
		}
		j := k + 1
		for j < len(toks) {
			if v := word(j); skipWord(v) {
				j++
			} else if v == "level" {
				j += 2
			} else {
				break
			}
		}
		if j < len(toks) {
			repl[j] = ScrubbedSecret
			k = j
		}
	}
	if word(0) == "snmp-server" && word(1) == "host" {
		j := 3
		if word(j) == "vrf" {
			j += 2
		}
		if word(j) == "traps" || word(j) == "informs" {
			j++
		}
		if word(j) == "version" {
			j += 2
			if word(j-1) == "3" && (word(j) == "auth" || word(j) == "noauth" || word(j) == "priv") {
				j++
			}
		}
		if j < len(toks) {
			repl[j] = ScrubbedSecret
		}
	}
	if high && word(0) == "ip" {
		switch {
		case word(1) == "domain-name" || word(1) == "domain-list":
			repl[len(toks)-1] = ScrubbedDomain
		case word(1) == "domain" && (word(2) == "name" || word(2) == "list") && len(toks) > 3:
			repl[len(toks)-1] = ScrubbedDomain
		}
	}
	if hostname && word(0) == "hostname" && len(toks) > 1 {
		repl[1] = ScrubbedHostname
	}
	out := line
	if len(repl) > 0 {
		var b strings.Builder
		last := 0
		for k, t := range toks {
			if r, ok := repl[k]; ok {
				b.WriteString(line[last:t.start])
				b.WriteString(r)
				last = t.end
			}
		}
		b.WriteString(line[last:])
		out = b.String()
	}
	if high {
		out = scrubAddresses(out)
	}
	return out
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// scrubAddresses replaces every IPv4 and IPv6 address in s that stands
// alone (not inside a word) with ScrubbedAddress.
func scrubAddresses(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !addrByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && addrByte(s[j]) {
			j++
		}
		// a lone leading ":" or "." is punctuation ("address:10.0.0.1")
		for i < j && (s[i] == '.' || s[i] == ':' && (i+1 == j || s[i+1] != ':')) {
			i++
		}
		if i == j {
			continue
		}
		if (i == 0 || !wordByte(s[i-1])) && (j == len(s) || !wordByte(s[j])) {
			if n := addressLen(s[i:j]); n > 0 {
				b.WriteString(s[last:i])
				b.WriteString(ScrubbedAddress)
				last = i + n
			}
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// addressLen returns the length of the address that run starts with, or 0:
// the whole run, the run without trailing dots or colons (punctuation), or
// the address of an address:port.
func addressLen(run string) int {
	if !strings.ContainsAny(run, "0123456789abcdefABCDEF") || !strings.ContainsAny(run, ".:") {
		return 0
	}
	if _, err := netip.ParseAddr(run); err == nil {
		return len(run)
	}
	if t := strings.TrimRight(run, ".:"); t != run && t != "" {
		if _, err := netip.ParseAddr(t); err == nil {
			return len(t)
		}
	}
	if ap, err := netip.ParseAddrPort(run); err == nil && ap.Addr().Is4() {
		return strings.LastIndexByte(run, ':')
	}
	return 0
}

func addrByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.'
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
