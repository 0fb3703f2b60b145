package iosconfig

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/golden"
)

// normalize clears what Format cannot keep: the file name, line and
// column numbers, the warnings (they are about the source's lines) and
// the difference between an empty and a nil list. The explicit DS
// profile line keeps its meaning (the periodic download follows only a
// configured profile) as 1, and so does an ip sla's timeout line (a
// timeout set no longer follows the frequency); the match limits become
// the values in force.
func normalize(c *config.Config) {
	c.DiagnosticSignature.ProfileLine = min(c.DiagnosticSignature.ProfileLine, 1)
	h := &c.Host
	h.LiteralFreePatterns, h.MatchBudget = h.LiteralFreeLimit(), h.MatchBudgetPercent()
	h.SyslogQueueSize, h.SyslogReceiveBuffer = h.QueueSize(), h.ReceiveBuffer()
	c.Warnings = nil
	for i := range c.IPSLAs {
		c.IPSLAs[i].TimeoutLine = min(c.IPSLAs[i].TimeoutLine, 1)
	}
	clear(reflect.ValueOf(c).Elem())
}

var presence = map[string]bool{"ProfileLine": true, "TimeoutLine": true}

func clear(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clear(v.Elem())
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.SetZero()
		}
		for i := 0; i < v.Len(); i++ {
			clear(v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			switch {
			case presence[name]:
			case name == "File" || name == "Col" || name == "Line" || strings.HasSuffix(name, "Line") && name != "EEMLine":
				v.Field(i).SetZero()
			default:
				clear(v.Field(i))
			}
		}
	}
}

// roundTrip checks that the configuration src parses, that Parse reads
// Format's output back into the same configuration and that Format is a
// fixed point. It returns the output, or nil when src does not parse.
func roundTrip(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	cfg, err := Parse(name, src)
	if err != nil {
		return nil
	}
	out := Format(cfg)
	again, err := Parse("format", out)
	if err != nil {
		t.Fatalf("%s: Format's output does not parse:\n%v\n--- source\n%s--- output\n%s", name, err, src, out)
	}
	if out2 := Format(again); !bytes.Equal(out, out2) {
		t.Fatalf("%s: Format is not a fixed point\n--- first\n%s--- second\n%s", name, out, out2)
	}
	normalize(cfg)
	normalize(again)
	if !reflect.DeepEqual(cfg, again) {
		t.Fatalf("%s: Parse(Format(cfg)) differs from cfg:\n%s--- source\n%s--- output\n%s", name, diff(cfg, again), src, out)
	}
	return out
}

// diff names the first fields where two configurations differ.
func diff(a, b *config.Config) string {
	var out []string
	var walk func(path string, x, y reflect.Value)
	walk = func(path string, x, y reflect.Value) {
		if len(out) >= 5 || reflect.DeepEqual(x.Interface(), y.Interface()) {
			return
		}
		switch x.Kind() {
		case reflect.Pointer:
			if !x.IsNil() && !y.IsNil() {
				walk(path, x.Elem(), y.Elem())
				return
			}
		case reflect.Struct:
			for i := 0; i < x.NumField(); i++ {
				walk(path+"."+x.Type().Field(i).Name, x.Field(i), y.Field(i))
			}
			return
		case reflect.Slice:
			if x.Len() == y.Len() {
				for i := 0; i < x.Len(); i++ {
					walk(fmt.Sprintf("%s[%d]", path, i), x.Index(i), y.Index(i))
				}
				return
			}
		}
		out = append(out, fmt.Sprintf("%s: %#v != %#v\n", path, x.Interface(), y.Interface()))
	}
	walk("Config", reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem())
	return strings.Join(out, "")
}

// TestFormatRepoConfigs: every configuration file of the repository that
// parses comes back the same.
func TestFormatRepoConfigs(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bootflash") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".conf") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if roundTrip(t, path, data) != nil {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("only %d configuration files of the repository parse; want the SPEC and show samples at least", n)
	}
}

// formatCases are configurations that reach the corners of Format: state
// left by call-home reporting, copy and rename, CiscoTAC-1 edits, "no"
// lines, quoting and triggers.
var formatCases = []string{
	"",
	"no service call-home\n",
	"service call-home\nhostname r1\nno hostname\n",
	"call-home reporting anonymous\n",
	"call-home reporting contact-email-addr a@example.com http-proxy proxy.example.com port 3128\n",
	"call-home reporting contact-email-addr a@example.com http-proxy p port 1\nno service call-home\ncall-home\n no contact-email-addr\n no http-proxy\n profile CiscoTAC-1\n  no active\n  destination transport-method email\n  no anonymous-reporting-only\n",
	"call-home reporting anonymous\ncall-home\n profile CiscoTAC-1\n  no anonymous-reporting-only\n",
	"call-home\n profile CiscoTAC-1\n  no destination address email callhome@cisco.com\n  destination address email me@example.com\n  destination address email callhome@cisco.com\n",
	"call-home\n profile CiscoTAC-1\n  no subscribe-to-alert-group configuration\n  subscribe-to-alert-group configuration periodic daily 01:00\n  subscribe-to-alert-group environment severity major\n  no subscribe-to-alert-group syslog\n  subscribe-to-alert-group syslog pattern \"a \\\"b\\\" c\"\n",
	"call-home\n profile CiscoTAC-1\n  no subscribe-to-alert-group all\n  subscribe-to-alert-group all\n",
	"call-home\n profile p\n  destination address email a@example.com\n copy profile p q\n rename profile p r\n copy profile CiscoTAC-1 tac2\n profile q\n  no active\n diagnostic-signature\n  profile R\n",
	"call-home\n profile \"a b\"\n  destination transport-method http\n  no destination transport-method email\n  destination preferred-msg-format short-text\n  destination message-size-limit 50\n  subscribe-to-alert-group snapshot periodic hourly 5\n  subscribe-to-alert-group inventory periodic monthly 31 23:59\n  subscribe-to-alert-group syslog\n",
	"call-home\n diagnostic-signature\n  no profile\n  environment ds_x \"a b\"\n  environment ds_y \"\"\n  command-map \"show  version\" \"uname -a; echo \\\"x\\\"\"\n  executor ssh h port 22 password \"p w\"\n  executor sim \"/a dir\"\n",
	"call-home\n diagnostic-signature\n  executor ssh 2001:db8::1 port 2200 user u key /k known-hosts /kh\n  trust-key /k1.asc\n  trust-key \"/k 2.asc\"\n  no trust-key /k1.asc\n",
	"call-home\n alert-group-config snapshot\n  add-command \"show   version\"\n  add-command \"show clock\"\n  no add-command \"show clock\"\n no alert-group all\n alert-group crash\n data-privacy level high\n no data-privacy level\n",
	"event manager environment q_a raw text  with  blanks\nevent manager environment q_b \"quoted\"\nevent manager environment q_c \" lead\"\nevent manager environment \"q d\" x\n",
	"event manager applet \"A B\"\n description \"  spaced\"\n event syslog pattern \"a\\\"b\" maxrun 30.5\n action 10 puts \"\"\n action 9 set x \"a\\\\b\"\n action \"1 a\" cli command \"show \\\"x\\\"\"\n action 2 puts a\\\n",
	"event manager applet T\n event tag 1 syslog pattern \"A\"\n event tag x-y oir\n event tag e3 none\n trigger occurs 2 period 0.25 delay 1.5 period-start \"0 */1 * * *\"\n  correlate event 1 andnot event x-y or track 7 and event e3\n  attribute tag 1 occurs 3\n  attribute tag e3 occurs 1\n action 1 puts x\n",
	"event manager applet S\n event tag only syslog pattern \"A\"\n trigger\n  attribute tag only occurs 4\n action 1 puts x\nevent manager applet U\n event none\n trigger occurs 5\n action 1 puts x\n",
	"event manager applet V\n event tag a syslog pattern \"A\"\n event tag b syslog pattern \"B\"\n trigger\n  correlate event a and event b and event a\n  attribute tag a occurs 2\n action 1 puts x\n",
	"ip sla 1\n tcp-connect h 80 control disable\n frequency 10\n timeout 10000\nip sla 2\n tcp-connect 192.0.2.1 443\n timeout 5000\nip sla schedule 2 life 3600 start-time 14:00 jan 5 ageout 60 recurring\nip sla schedule 1 start-time after 00:05:00\ntrack 1 ip sla 1 state\n delay up 1 down 2\ntrack 2 ip sla 2 reachability\n delay down 3\ntrack 3 interface \"Gi 1\" line-protocol\n",
	"dsengine\n syslog listen unix \"/run/a b.sock\"\n syslog listen udp [::1]:514\n syslog file /var/log/x\n syslog queue-size 65536\n syslog receive-buffer 4096\n watch file /etc/y\n match literal-free-patterns 0\n match time-budget 10\n",
	"dsengine\n match literal-free-patterns 64\n match time-budget 100\n control-socket /run/s\n metrics listen 127.0.0.1:9464\n",
	// The lexer's escapes, in every kind of value.
	`event manager environment q_n "a\nb"` + "\n" + `event manager environment q_e ""` + "\n" +
		`event manager applet "A\\" authorization bypass class z trap` + "\n" + ` description "x\\" y\t"` + "\n event none\n" +
		` action 1 puts "a\\n\tb\\"` + "\n" + ` action 2 puts "\d+ \\\" \n"` + "\n" + ` action "3\\" puts \\n` + "\n",
	"event manager applet E\n trigger delay 1\n  correlate event \"a b\" or track 3\n  attribute tag \"a b\" occurs 2\n action 1 puts x\n",
	"dsengine\n snmp agent h community \"a b\"\n snmp trap-host h community x\n snmp trap-host h:162 community y\n snmp trap-host 192.0.2.1 community z\n no snmp trap-host 192.0.2.1\n",
	// SNMPv3: users and groups in any order, hosts in both spellings kept in order.
	"snmp-server host 192.0.2.3 version 3 auth u1\nsnmp-server user u1 G v3 auth sha abcdefgh\nsnmp-server group G v3 noauth\n" +
		"snmp-server engineID local 80000009AABBCC\nsnmp-server user u2 G v3\nno snmp-server user u2\n" +
		"dsengine\n snmp agent h user u1\n snmp trap-host h community x informs\n snmp trap-host 192.0.2.4 user u1 noauth\n",
	"ip sla 3\n tcp-connect h 1\n timeout 5000\n frequency 10\nip sla 4\n tcp-connect h 2\n frequency 3\n",
}

func TestFormatCases(t *testing.T) {
	for i, src := range formatCases {
		if roundTrip(t, fmt.Sprintf("case%d.conf", i), []byte(src)) == nil {
			_, err := Parse("case.conf", []byte(src))
			t.Errorf("case %d does not parse:\n%v\n%s", i, err, src)
		}
	}
}

// TestFormatFull: a configuration that sets every field, as "show
// running-config" prints it.
func TestFormatFull(t *testing.T) {
	data, err := os.ReadFile("testdata/format-full.conf")
	if err != nil {
		t.Fatal(err)
	}
	out := roundTrip(t, "format-full.conf", data)
	if out == nil {
		_, err := Parse("format-full.conf", data)
		t.Fatalf("testdata/format-full.conf does not parse:\n%v", err)
	}
	golden.Check(t, "testdata/format-full.golden", out)
}

// TestFormatServiceCallHome: Call Home's state shows whatever the default.
func TestFormatServiceCallHome(t *testing.T) {
	cfg := config.Default()
	for _, on := range []bool{true, false} {
		cfg.ServiceCallHome = on
		want := "no service call-home\n"
		if on {
			want = "service call-home\n"
		}
		if got := string(Format(cfg)); !strings.HasPrefix(got, want) {
			t.Errorf("ServiceCallHome %v: output starts %q, want %q", on, got, want)
		}
	}
}

// TestFormatRandom: configurations made of random valid lines, in random
// order, come back the same.
func TestFormatRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2024))
	const cases = 400
	parsed := 0
	for i := range cases {
		src := randomConfig(r)
		if roundTrip(t, fmt.Sprintf("random%d.conf", i), []byte(src)) != nil {
			parsed++
		}
	}
	// Some orders are errors ("no mail-server" before the server); most
	// must not be, or the test checks little.
	if parsed < cases/2 {
		t.Errorf("only %d of %d random configurations parse; the line table has invalid lines", parsed, cases)
	}
}

// subset returns a random selection of lines in random order.
func subset(r *rand.Rand, lines []string) []string {
	var out []string
	for _, l := range lines {
		if r.IntN(3) == 0 {
			out = append(out, l)
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func indent(prefix string, lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

var (
	randTop = []string{
		"hostname r1", "hostname edge-2.example", "no hostname", "service call-home", "no service call-home",
		"call-home reporting anonymous", "call-home reporting contact-email-addr rep@example.com",
		"call-home reporting anonymous http-proxy proxy.example.com port 8080",
		"event manager environment q_a 1", "event manager environment q_b \"a b\"", "event manager environment q_c text with  blanks",
		"no event manager environment q_a",
	}
	randCallHome = []string{
		"contact-email-addr noc@example.com", "no contact-email-addr", "phone-number \"+1 408 555\"", "phone-number +1-408",
		"street-address \"1 Main St, Town\"", "customer-id ExampleCorp", "no customer-id", "site-id s1", "contract-id c1",
		"mail-server 192.0.2.1 priority 1", "mail-server smtp.example.com priority 1", "mail-server 2001:db8::2 priority 100",
		"sender from a@example.com", "sender reply-to b@example.com", "no sender from a@example.com",
		"rate-limit 5", "rate-limit 20", "no rate-limit", "http-proxy 192.0.2.9 port 3128", "no http-proxy",
		"source-interface Gi0/0", "source-ip-address 192.0.2.7", "vrf Mgmt-intf", "no vrf",
		"aaa-authorization", "no aaa-authorization", "aaa-authorization username chuser", "no aaa-authorization username",
		"syslog-throttling", "no syslog-throttling", "data-privacy level high", "data-privacy level normal", "no data-privacy level",
		"data-privacy hostname", "no data-privacy hostname", "no alert-group all", "alert-group all", "no alert-group crash",
		"alert-group crash", "no alert-group syslog", "copy profile CiscoTAC-1 c2", "no alert-group-config snapshot",
	}
	randSnapshot = []string{"add-command \"show version\"", "add-command \"show  clock\"", "no add-command \"show version\"", "add-command show"}
	randProfile  = []string{
		"active", "no active", "anonymous-reporting-only", "no anonymous-reporting-only",
		"destination transport-method http", "destination transport-method email", "no destination transport-method email",
		"no destination transport-method http", "destination address email a@example.com", "destination address email B@example.com",
		"no destination address email a@example.com", "no destination address email callhome@cisco.com",
		"destination address http https://x.example.com/ch", "no destination address http https://x.example.com/ch",
		"no destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService",
		"destination message-size-limit 1000", "no destination message-size-limit", "destination preferred-msg-format xml",
		"subscribe-to-alert-group crash", "subscribe-to-alert-group environment severity major", "subscribe-to-alert-group environment",
		"subscribe-to-alert-group syslog pattern \"a b\"", "subscribe-to-alert-group syslog severity critical pattern X",
		"subscribe-to-alert-group syslog", "subscribe-to-alert-group configuration periodic daily 14:00",
		"subscribe-to-alert-group configuration", "subscribe-to-alert-group inventory periodic weekly monday 10:00",
		"subscribe-to-alert-group snapshot periodic interval 15", "subscribe-to-alert-group all", "no subscribe-to-alert-group all",
		"no subscribe-to-alert-group configuration", "no subscribe-to-alert-group syslog",
		"no subscribe-to-alert-group syslog pattern \".*CALL_LOOP.*\"", "no subscribe-to-alert-group inventory",
	}
	randUserProfile = []string{"destination preferred-msg-format long-text", "no subscribe-to-alert-group crash", "no destination preferred-msg-format"}
	randDS          = []string{
		"profile CiscoTAC-1", "no profile", "profile p1", "environment ds_a 1", "environment ds_b \"x y\"", "no environment ds_a",
		"repository https://r.example.com/repo", "no repository", "repository-ca /ca.pem", "no repository-ca", "trust-key /k1.asc",
		"trust-key \"/k 2.asc\"", "no trust-key /k1.asc", "executor sim /sim", "executor local", "no executor",
		"executor ssh h port 2222 user u key /k password \"p w\" known-hosts /kh", "executor ssh 192.0.2.3",
		"command-map \"show version\" \"uname -a\"", "command-map \"show  clock\" date", "no command-map \"show version\"",
	}
	randHost = []string{
		"syslog listen udp 127.0.0.1:5514", "syslog listen tcp [::1]:5514", "syslog listen unix /run/s.sock", "syslog file /var/log/a",
		"syslog file \"/var/log/b c\"", "control-socket /run/c.sock", "metrics listen 127.0.0.1:9464", "watch file /etc/w",
		"match literal-free-patterns 0", "match literal-free-patterns 64", "match literal-free-patterns 100000",
		"match time-budget 10", "match time-budget 55", "syslog queue-size 1", "syslog queue-size 32768",
		"syslog queue-size 65536", "syslog receive-buffer 4096", "syslog receive-buffer 8388608", "syslog receive-buffer 33554432",
	}
	randEvents = []string{
		"syslog pattern \"%LINK-3-UPDOWN: .* down\" occurs 2 period 30", "oir", "none", "syslog pattern X maxrun 30.5",
		"syslog pattern \"a\\\"b\"", "timer watchdog time 60", "track 10 state down", "cli pattern \"^show\" sync no skip no",
	}
	randActions = []string{
		"cli command \"show ip int brief\"", "syslog msg \"a \\\"q\\\" b\"", "set x \"a\\\\b\"", "puts \"\"", "comment hello  world",
		"if $x eq 1", "else", "end", "puts \"$_event_pub_time\"", "wait 5",
	}
)

// randomConfig builds a configuration from the tables above.
func randomConfig(r *rand.Rand) string {
	var blocks []string
	for _, l := range subset(r, randTop) {
		blocks = append(blocks, l+"\n")
	}
	if r.IntN(4) != 0 {
		var b strings.Builder
		b.WriteString("call-home\n")
		top := subset(r, randCallHome)
		parts := []string{indent(" ", top)}
		if r.IntN(3) == 0 {
			parts = append(parts, " alert-group-config snapshot\n"+indent("  ", subset(r, randSnapshot)))
		}
		// Lines that need an earlier one come after the blocks.
		var after []string
		if slices.Contains(top, "mail-server 192.0.2.1 priority 1") && r.IntN(2) == 0 {
			after = append(after, "no mail-server 192.0.2.1")
		}
		for _, name := range []string{"CiscoTAC-1", "p1", "\"p 2\"", "P3"} {
			if r.IntN(2) == 0 {
				continue
			}
			switch {
			case name == "p1" && r.IntN(2) == 0:
				after = append(after, "copy profile p1 c1")
			case name == "p1" && r.IntN(4) == 0:
				after = append(after, "no profile p1")
			case name == "\"p 2\"" && r.IntN(2) == 0:
				after = append(after, "rename profile \"p 2\" r2")
			}
			lines := randProfile
			if name != "CiscoTAC-1" {
				lines = append(lines[:len(lines):len(lines)], randUserProfile...)
			}
			parts = append(parts, " profile "+name+"\n"+indent("  ", subset(r, lines)))
		}
		if r.IntN(2) == 0 {
			parts = append(parts, " diagnostic-signature\n"+indent("  ", subset(r, randDS)))
		}
		r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		b.WriteString(strings.Join(parts, ""))
		b.WriteString(indent(" ", after))
		blocks = append(blocks, b.String())
	}
	for _, n := range []int{1, 2} {
		if r.IntN(2) == 0 {
			continue
		}
		sub := subset(r, []string{"frequency 30", "timeout 1000", "frequency 120"})
		blocks = append(blocks, fmt.Sprintf("ip sla %d\n tcp-connect 192.0.2.%d 80\n", n, n)+indent(" ", sub))
		if r.IntN(2) == 0 {
			blocks = append(blocks, fmt.Sprintf("ip sla schedule %d %s\n", n, strings.Join(subset(r, []string{"life forever", "life 60", "start-time now", "ageout 5", "recurring"}), " ")))
		}
	}
	for _, head := range []string{"track 1 interface Gi1 line-protocol", "track 2 ip sla 1", "track 3 ip sla 2 reachability", "track 4 ip sla 1 state"} {
		if r.IntN(2) == 0 {
			continue
		}
		delay := subset(r, []string{"delay up 5", "delay down 7 up 1", "no delay"})
		blocks = append(blocks, head+"\n"+indent(" ", delay[:min(1, len(delay))]))
	}
	for _, name := range []string{"A", "\"B c\""} {
		if r.IntN(2) == 0 {
			blocks = append(blocks, randomApplet(r, name))
		}
	}
	if r.IntN(2) == 0 {
		blocks = append(blocks, "dsengine\n"+indent(" ", subset(r, randHost)))
	}
	r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	return strings.Join(blocks, "")
}

func randomApplet(r *rand.Rand, name string) string {
	var b strings.Builder
	b.WriteString("event manager applet " + name + "\n")
	switch r.IntN(3) {
	case 0:
		b.WriteString(" description link  went \"down\"\n")
	case 1:
		b.WriteString(" description \" quoted \"\n")
	}
	tags := []string{"e1", "2", "x-y", "ev"}
	r.Shuffle(len(tags), func(i, j int) { tags[i], tags[j] = tags[j], tags[i] })
	n := 1 + r.IntN(3)
	tags = tags[:n]
	untagged := n == 1 && r.IntN(2) == 0
	for _, tag := range tags {
		ev := randEvents[r.IntN(len(randEvents))]
		if untagged {
			b.WriteString(" event " + ev + "\n")
		} else {
			b.WriteString(" event tag " + tag + " " + ev + "\n")
		}
	}
	if n > 1 || r.IntN(2) == 0 {
		b.WriteString(" trigger" + strings.Join(subset(r, []string{" occurs 2", " period 30", " delay 0.5", " period-start \"0 * * * *\""}), "") + "\n")
		if n > 1 || !untagged && r.IntN(2) == 0 {
			ops := []string{"and", "or", "andnot"}
			terms := []string{"event " + tags[0]}
			for _, tag := range tags[1:] {
				terms = append(terms, ops[r.IntN(3)], "event "+tag)
			}
			if r.IntN(3) == 0 {
				terms = append(terms, ops[r.IntN(3)], "track 10")
			}
			b.WriteString("  correlate " + strings.Join(terms, " ") + "\n")
		}
		if !untagged && r.IntN(2) == 0 {
			fmt.Fprintf(&b, "  attribute tag %s occurs %d\n", tags[0], 1+r.IntN(3))
		}
	}
	labels := []string{"1.0", "10", "2", "\"a b\"", "9.9"}
	for _, l := range subset(r, labels) {
		b.WriteString(" action " + l + " " + randActions[r.IntN(len(randActions))] + "\n")
	}
	return b.String()
}

// FuzzFormat: whatever configuration parses comes back the same.
func FuzzFormat(f *testing.F) {
	for _, src := range formatCases {
		f.Add([]byte(src))
	}
	if data, err := os.ReadFile("testdata/format-full.conf"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, "fuzz.conf", data)
	})
}

// TestFormatFullCoversModel: testdata/format-full.conf sets every field of
// the configuration model (but those listed), so a field Format does not
// print fails the round trip above. A new field must be added there.
func TestFormatFullCoversModel(t *testing.T) {
	data, err := os.ReadFile("testdata/format-full.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("format-full.conf", data)
	if err != nil {
		t.Fatal(err)
	}
	// Fields one file cannot set together, or that are not configuration.
	unset := map[string]bool{
		"Config.Warnings": true, "Reporting.Anonymous": true, "Executor.Dir": true,
		"CallHome.SyslogThrottling": true, // on by default: the file turns it off
	}
	set := map[string]bool{}
	all := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k))
			}
		case reflect.Struct:
			if v.Type().PkgPath() != reflect.TypeOf(config.Config{}).PkgPath() {
				return // the event model is ds/parse/eem's
			}
			for i := 0; i < v.NumField(); i++ {
				name := v.Type().Name() + "." + v.Type().Field(i).Name
				all[name] = true
				if !v.Field(i).IsZero() {
					set[name] = true
				}
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(cfg).Elem())
	var missing []string
	for name := range all {
		if !set[name] && !unset[name] {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("testdata/format-full.conf leaves these fields unset; add lines that set them: %s", strings.Join(missing, ", "))
	}
}
