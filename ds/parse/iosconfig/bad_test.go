package iosconfig

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// TestBad checks the exact errors of broken configurations.
func TestBad(t *testing.T) {
	long := strings.Repeat("p", 32)
	cases := []struct {
		name string
		src  string
		want string // every error, joined by "\n"
	}{
		// limits, one past each bound
		{"rate-limit 0", "call-home\n rate-limit 0\n", "t.conf:2: rate-limit 0 out of range 1-60"},
		{"rate-limit 61", "call-home\n rate-limit 61\n", "t.conf:2: rate-limit 61 out of range 1-60"},
		{"rate-limit not a number", "call-home\n rate-limit many\n", `t.conf:2: rate-limit "many" is not a number; expected 1-60`},
		{"message size 49", "call-home\n profile p\n  destination message-size-limit 49\n",
			"t.conf:3: destination message-size-limit 49 out of range 50-3145728"},
		{"message size 3145729", "call-home\n profile p\n  destination message-size-limit 3145729\n",
			"t.conf:3: destination message-size-limit 3145729 out of range 50-3145728"},
		{"mail-server priority 0", "call-home\n mail-server 192.0.2.1 priority 0\n", "t.conf:2: mail-server priority 0 out of range 1-100"},
		{"mail-server priority 101", "call-home\n mail-server 192.0.2.1 priority 101\n", "t.conf:2: mail-server priority 101 out of range 1-100"},
		{"sixth mail-server", "call-home\n mail-server a priority 1\n mail-server b priority 2\n mail-server c priority 3\n mail-server d priority 4\n mail-server e priority 5\n mail-server f priority 6\n",
			"t.conf:7: a sixth mail-server; at most 5 are allowed"},
		{"mail-server without priority", "call-home\n mail-server a\n", "t.conf:2: usage: mail-server ADDRESS priority 1-100"},
		{"profile name of 32 characters", "call-home\n profile " + long + "\n  active\n",
			`t.conf:2: profile name "` + long + `" is longer than 31 characters`},
		{"profile named all", "call-home\n profile all\n", `t.conf:2: profile name "all" is reserved`},
		{"profile named ALL", "call-home\n profile \"ALL\"\n", `t.conf:2: profile name "ALL" is reserved`},
		{"copy onto an existing profile", "call-home\n profile a\n profile b\n copy profile a B\n", `t.conf:4: copy profile: profile "b" already exists`},
		{"copy of a missing profile", "call-home\n copy profile nope x\n", `t.conf:2: copy profile: profile "nope" does not exist; configured profiles: CiscoTAC-1`},
		{"rename CiscoTAC-1", "call-home\n rename profile CiscoTAC-1 tac\n", "t.conf:2: the predefined profile CiscoTAC-1 cannot be renamed"},
		{"remove CiscoTAC-1", "call-home\n no profile CiscoTAC-1\n", `t.conf:2: the predefined profile CiscoTAC-1 cannot be removed; use "no active" under it`},
		{"rename to all", "call-home\n profile a\n rename profile a all\n", `t.conf:3: profile name "all" is reserved`},

		// unknown commands and nesting
		{"typo in a profile", "call-home\n profile \"user1\"\n  destinaton transport-method http\n",
			`t.conf:3: unknown command "destinaton" in profile "user1"; expected active, destination, subscribe-to-alert-group, anonymous-reporting-only`},
		{"typo in call-home", "call-home\n rate-limt 5\n",
			`t.conf:2: unknown command "rate-limt" in call-home; expected contact-email-addr, phone-number, street-address, customer-id, site-id, contract-id, mail-server, sender, rate-limit, http-proxy, source-interface, source-ip-address, vrf, aaa-authorization, syslog-throttling, data-privacy, alert-group, alert-group-config, profile, copy, rename, diagnostic-signature`},
		{"typo in diagnostic-signature", "call-home\n diagnostic-signature\n  enviroment ds_a b\n",
			`t.conf:3: unknown command "enviroment" in diagnostic-signature; expected profile, environment, repository, repository-ca, trust-key, executor, command-map`},
		{"typo in an applet", "event manager applet A\n event none\n acton 1 puts x\n",
			`t.conf:3: unknown command "acton" in applet "A"; expected description, event, trigger, action`},
		{"typo in dsengine", "dsengine\n syslog-listen udp 127.0.0.1:514\n",
			`t.conf:2: unknown command "syslog-listen" in dsengine; expected syslog, control-socket, metrics, source, watch, match, snmp`},
		{"typo in ip sla", "ip sla 1\n tcp-connect h 1\n frequncy 5\n",
			`t.conf:3: unknown command "frequncy" in ip sla 1; expected tcp-connect, frequency, timeout`},
		{"profile at top level", "profile user1\n active\n", `t.conf:1: unknown command "profile" at top level; it belongs under call-home`},
		{"active under call-home", "call-home\n active\n", `t.conf:2: unknown command "active" in call-home; it belongs under call-home / profile NAME`},
		{"environment under call-home", "call-home\n environment ds_a b\n", `t.conf:2: unknown command "environment" in call-home; it belongs under call-home / diagnostic-signature`},
		{"correlate outside trigger", "event manager applet A\n event none\n correlate event e1 and event e2\n",
			`t.conf:3: unknown command "correlate" in applet "A"; it belongs under an applet's trigger`},
		{"event line at top level", "event syslog pattern \"x\"\n", `t.conf:1: unknown command "event syslog" at top level; an event line belongs under event manager applet NAME`},
		{"call-home command at top level", "hostname r1\n rate-limit 5\n", `t.conf:2: unknown command "rate-limit" at top level; it belongs under call-home`},
		{"command after exit", "call-home\n profile p\n  exit\n  active\n",
			`t.conf:4: unknown command "active" in call-home; it belongs under call-home / profile NAME`},
		{"profile command after end", "call-home\n profile p\nend\nactive\n", `t.conf:4: unknown command "active" at top level; it belongs under call-home / profile NAME`},
		{"do", "call-home\n do show running-config\n", `t.conf:2: "do" runs an exec command; it has no place in a configuration (remove the line)`},
		{"configure replace", "configure replace flash:x\n", `t.conf:1: only "configure terminal" may start a configuration; other configure commands run in exec mode`},
		{"typo, then a line of the same mode", "call-home\n rate-limt 5\n contact-emial a@b.c\n",
			"t.conf:2: unknown command \"rate-limt\" in call-home; expected " + strings.Join(modeWords("call-home"), ", ") + "\n" +
				"t.conf:3: unknown command \"contact-emial\" in call-home; expected " + strings.Join(modeWords("call-home"), ", ")},
		{"the lines of a refused mode are skipped", "call-home\n profile all\n  active\n  destination transport-method http\n rate-limit 0\n",
			"t.conf:2: profile name \"all\" is reserved\nt.conf:5: rate-limit 0 out of range 1-60"},
		{"flush-left lines of a refused applet are skipped", "event manager applet\nevent none\naction 1 puts x\nhostname r1!\n",
			"t.conf:1: usage: event manager applet NAME [authorization bypass] [class CLASS] [trap]\nt.conf:4: hostname \"r1!\" is not valid; use at most 63 letters, digits, \"-\", \"_\" and \".\""},
		{"a refused event line", "event manager applet A\nevent sislog pattern x\n", "t.conf:2: bad event line, column 7: unknown event detector \"sislog\"; expected syslog, timer, oir, config, none, track, cli, counter, snmp, routing, interface, neighbor-discovery"},
		{"track changes kind", "track 5 ip sla 3\ntrack 5 interface Gi1 line-protocol\n",
			"t.conf:2: track 5 is already configured as a different kind of track on line 1; remove it first with no track 5"},
		{"no applet lines", "event manager applet A\n event none\n no frobnicate\n", `t.conf:3: unknown command "no frobnicate" in applet "A"; expected description, event, trigger, action`},
		{"ip sla exit without operation", "ip sla 5\n frequency 10\n exit\n", "t.conf:1: ip sla 5 has no operation; expected tcp-connect HOST PORT under it"},
		{"bare no", "call-home\n no\n", `t.conf:2: incomplete command "no"`},

		// truncated and unreadable input
		{"unterminated quote at EOF", "call-home\n profile \"user1\n  active", "t.conf:2: unterminated quoted string"},
		{"unterminated quote in a value", "call-home\n street-address \"1 Main St\n", "t.conf:2: unterminated quoted string"},
		{"invalid UTF-8", "hostname r\xff1\n", "t.conf:1: line is not valid UTF-8"},
		{"control character", "hostname r\x001\n", "t.conf:1: line contains a control character"},

		// values
		{"bad contact e-mail", "call-home\n contact-email-addr noc.example.com\n", `t.conf:2: contact-email-addr "noc.example.com" is not an e-mail address`},
		{"bad phone number", "call-home\n phone-number 555-1234\n", `t.conf:2: phone-number "555-1234" must start with "+" and hold only digits, dashes and blanks`},
		{"customer-id too long", "call-home\n customer-id " + strings.Repeat("c", 65) + "\n", "t.conf:2: customer-id is longer than 64 characters"},
		{"http-proxy port 0", "call-home\n http-proxy proxy port 0\n", "t.conf:2: http-proxy port 0 out of range 1-65535"},
		{"unknown alert group", "call-home\n no alert-group crashes\n", `t.conf:2: unknown alert group "crashes"; expected all, configuration, crash, environment, inventory, snapshot, syslog`},
		{"bad data-privacy level", "call-home\n data-privacy level max\n", `t.conf:2: data-privacy level "max" is not normal or high`},
		{"bad transport", "call-home\n profile p\n  destination transport-method fax\n", `t.conf:3: destination transport-method "fax" is not email or http`},
		{"bad destination URL", "call-home\n profile p\n  destination address http ftp://collector.example.com/\n",
			`t.conf:3: destination address http "ftp://collector.example.com/" must start with http:// or https://`},
		{"bad destination e-mail", "call-home\n profile p\n  destination address email nobody\n", `t.conf:3: destination address email "nobody" is not an e-mail address`},
		{"bad message format", "call-home\n profile p\n  destination preferred-msg-format html\n",
			`t.conf:3: destination preferred-msg-format "html" is not xml, long-text or short-text`},
		{"CiscoTAC-1 is xml only", "call-home\n profile CiscoTAC-1\n  destination preferred-msg-format long-text\n",
			"t.conf:3: the predefined profile CiscoTAC-1 allows only preferred-msg-format xml"},

		// periodic schedules and subscriptions
		{"daily 25:00", "call-home\n profile p\n  subscribe-to-alert-group inventory periodic daily 25:00\n",
			`t.conf:3: periodic daily time "25:00" is not hh:mm with hh 00-23 and mm 00-59`},
		{"daily 12:60", "call-home\n profile p\n  subscribe-to-alert-group inventory periodic daily 12:60\n",
			`t.conf:3: periodic daily time "12:60" is not hh:mm with hh 00-23 and mm 00-59`},
		{"weekly Funday", "call-home\n profile p\n  subscribe-to-alert-group configuration periodic weekly Funday 10:00\n",
			`t.conf:3: periodic weekly day "Funday" is not one of monday, tuesday, wednesday, thursday, friday, saturday, sunday`},
		{"monthly 32", "call-home\n profile p\n  subscribe-to-alert-group inventory periodic monthly 32 10:00\n",
			`t.conf:3: periodic monthly date "32" out of range 1-31`},
		{"hourly outside snapshot", "call-home\n profile p\n  subscribe-to-alert-group inventory periodic hourly 5\n",
			"t.conf:3: periodic hourly is for the snapshot alert group only; periodic needs daily hh:mm, weekly DAY hh:mm or monthly 1-31 hh:mm"},
		{"interval 61", "call-home\n profile p\n  subscribe-to-alert-group snapshot periodic interval 61\n",
			`t.conf:3: periodic interval "61" out of range 1-60 minutes`},
		{"truncated periodic", "call-home\n profile p\n  subscribe-to-alert-group inventory periodic weekly monday\n",
			"t.conf:3: incomplete periodic weekly; periodic needs daily hh:mm, weekly DAY hh:mm or monthly 1-31 hh:mm"},
		{"snapshot without periodic", "call-home\n profile p\n  subscribe-to-alert-group snapshot\n",
			"t.conf:3: subscribe-to-alert-group snapshot needs periodic {daily hh:mm | weekly DAY hh:mm | monthly 1-31 hh:mm | hourly 0-59 | interval 1-60}"},
		{"severity on configuration", "call-home\n profile p\n  subscribe-to-alert-group configuration severity major\n",
			`t.conf:3: subscribe-to-alert-group configuration does not take "severity"; it takes periodic SCHEDULE`},
		{"bad severity", "call-home\n profile p\n  subscribe-to-alert-group syslog severity error\n",
			`t.conf:3: severity "error" is not one of debugging, normal, notification, warning, minor, major, critical, fatal, disaster, catastrophic`},
		{"sixth syslog pattern", "call-home\n profile p\n" + strings.Repeat("", 0) +
			"  subscribe-to-alert-group syslog pattern \"a\"\n  subscribe-to-alert-group syslog pattern \"b\"\n  subscribe-to-alert-group syslog pattern \"c\"\n" +
			"  subscribe-to-alert-group syslog pattern \"d\"\n  subscribe-to-alert-group syslog pattern \"e\"\n  subscribe-to-alert-group syslog pattern \"f\"\n",
			`t.conf:8: a sixth syslog pattern in profile "p"; at most 5 are allowed`},

		// diagnostic-signature block
		{"DS profile that does not exist", "call-home\n diagnostic-signature\n  profile user1\n",
			`t.conf:3: diagnostic-signature profile "user1" does not exist; configured profiles: CiscoTAC-1`},
		{"environment without ds_", "call-home\n diagnostic-signature\n  environment env1 abc\n", `t.conf:3: environment name "env1" must start with ds_`},
		{"environment with a system name", "call-home\n diagnostic-signature\n  environment ds_hostname r1\n",
			`t.conf:3: environment name "ds_hostname" is set by the engine; choose another name`},
		{"environment without value", "call-home\n diagnostic-signature\n  environment ds_a\n",
			"t.conf:3: usage: environment ds_NAME VALUE (in double quotes if it has blanks)"},
		{"repository not a URL", "call-home\n diagnostic-signature\n  repository ds.example.com/repo\n",
			`t.conf:3: repository "ds.example.com/repo" must start with http:// or https://`},
		{"unknown executor", "call-home\n diagnostic-signature\n  executor telnet 192.0.2.1\n", `t.conf:3: unknown executor "telnet"; expected local, sim or ssh`},
		{"executor sim without dir", "call-home\n diagnostic-signature\n  executor sim\n", "t.conf:3: usage: executor sim DIR"},
		{"executor ssh without host", "call-home\n diagnostic-signature\n  executor ssh\n",
			"t.conf:3: usage: executor ssh HOST [port N] [user NAME] [key PATH] [password TEXT] [known-hosts PATH]"},
		{"executor ssh port 0", "call-home\n diagnostic-signature\n  executor ssh h port 0\n", "t.conf:3: executor ssh port 0 out of range 1-65535"},
		{"executor ssh unknown option", "call-home\n diagnostic-signature\n  executor ssh h identity /k\n",
			`t.conf:3: executor ssh: unknown option "identity"; expected port, user, key, password, known-hosts`},
		{"executor ssh option without value", "call-home\n diagnostic-signature\n  executor ssh h user\n", `t.conf:3: executor ssh: "user" needs a value`},
		{"executor ssh option twice", "call-home\n diagnostic-signature\n  executor ssh h user a user b\n", `t.conf:3: executor ssh: "user" is given twice`},
		{"executor local with arguments", "call-home\n diagnostic-signature\n  executor local /bin/sh\n", "t.conf:3: executor local takes no arguments"},
		{"command-map with one command", "call-home\n diagnostic-signature\n  command-map \"show version\"\n",
			`t.conf:3: usage: command-map "IOS COMMAND" "LINUX COMMAND"`},

		// tracks and IP SLA
		{"track 1001", "track 1001 interface Gi1 line-protocol\n", "t.conf:1: track 1001 out of range 1-1000"},
		{"track without line-protocol", "track 5 interface Gi1\n",
			"t.conf:1: usage: track N interface NAME line-protocol, or track N ip sla M [reachability | state]"},
		{"track ip sla bad mode", "track 5 ip sla 3 latency\n", `t.conf:1: track ip sla mode "latency" is not reachability or state`},
		{"track delay too long", "track 5 ip sla 3\n delay up 181\n", "t.conf:2: delay up 181 out of range 0-180"},
		{"ip sla without operation", "ip sla 5\n frequency 10\n", "t.conf:1: ip sla 5 has no operation; expected tcp-connect HOST PORT under it"},
		{"ip sla icmp-echo", "ip sla 5\n icmp-echo 192.0.2.1\n", `t.conf:2: ip sla operation "icmp-echo" is not supported; expected tcp-connect HOST PORT`},
		{"tcp-connect port 0", "ip sla 5\n tcp-connect 192.0.2.1 0\n", "t.conf:2: tcp-connect port 0 out of range 1-65535"},
		{"ip sla timeout over frequency", "ip sla 5\n tcp-connect h 80\n frequency 10\n timeout 10001\n",
			"t.conf:4: ip sla 5 timeout 10001 ms is longer than its frequency of 10 s"},
		{"ip sla 0", "ip sla 0\n tcp-connect h 80\n", "t.conf:1: ip sla 0 out of range 1-2147483647"},
		{"ip sla schedule of a missing operation", "ip sla schedule 9 life forever start-time now\n", "t.conf:1: ip sla schedule 9: there is no ip sla 9"},
		{"ip sla schedule bad start", "ip sla 5\n tcp-connect h 80\nip sla schedule 5 start-time soon\n",
			`t.conf:3: ip sla schedule start-time "soon" is not now, pending, after hh:mm:ss or hh:mm[:ss]`},

		// dsengine block
		{"syslog listen without port", "dsengine\n syslog listen udp 127.0.0.1\n", `t.conf:2: syslog listen udp address "127.0.0.1" is not HOST:PORT`},
		{"syslog listen port 70000", "dsengine\n syslog listen tcp :70000\n", `t.conf:2: syslog listen tcp address ":70000" needs a port 1-65535`},
		{"syslog listen sctp", "dsengine\n syslog listen sctp 127.0.0.1:514\n", `t.conf:2: syslog listen network "sctp" is not udp, tcp or unix`},
		{"syslog queue-size 0", "dsengine\n syslog queue-size 0\n", `t.conf:2: syslog queue-size "0" is not a number of lines 1-4194304`},
		{"syslog receive-buffer small", "dsengine\n syslog receive-buffer 100\n", `t.conf:2: syslog receive-buffer "100" is not a number of bytes 4096-1073741824`},
		{"syslog queue-size missing", "dsengine\n syslog queue-size\n", "t.conf:2: usage: syslog listen {udp | tcp} HOST:PORT, syslog listen unix PATH, syslog file PATH, syslog queue-size LINES, or syslog receive-buffer BYTES"},
		{"metrics listen bad", "dsengine\n metrics listen 9464\n", `t.conf:2: metrics listen address "9464" is not HOST:PORT`},
		{"match without limit", "dsengine\n match literal-free-patterns\n", "t.conf:2: usage: match literal-free-patterns N (0-100000), or match time-budget PERCENT (1-100)"},
		{"match literal-free-patterns too many", "dsengine\n match literal-free-patterns 100001\n",
			`t.conf:2: match literal-free-patterns "100001" is not a number 0-100000`},
		{"match time-budget 0", "dsengine\n match time-budget 0\n", `t.conf:2: match time-budget "0" is not a percentage 1-100`},

		// applets
		{"several events, no trigger", "event manager applet A\n event tag a none\n event tag b oir\n",
			`t.conf:1: applet "A" has several events but no trigger; add trigger with correlate event TAG {and | or | andnot} event TAG under it`},
		{"several events, one untagged", "event manager applet A\n event tag a none\n event oir\n",
			`t.conf:3: applet "A" has several events; tag each one: event tag NAME ...`},
		{"trigger without correlate", "event manager applet A\n event tag a none\n event tag b oir\n trigger\n",
			`t.conf:4: trigger of applet "A" has no correlate; expected correlate event TAG {and | or | andnot} event TAG ...`},
		{"correlate names an unknown tag", "event manager applet A\n event tag a none\n event tag b oir\n trigger\n  correlate event a and event c\n",
			`t.conf:5: correlate names event tag "c", which no event line has`},
		{"correlate with a bad operator", "event manager applet A\n event tag a none\n event tag b oir\n trigger\n  correlate event a xor event b\n",
			`t.conf:5: correlate: expected and, or or andnot, not "xor"`},
		{"truncated correlate", "event manager applet A\n event tag a none\n event tag b oir\n trigger\n  correlate event a and\n",
			"t.conf:5: usage: correlate {event TAG | track N} [{and | or | andnot} {event TAG | track N}] ..."},
		{"attribute of an unknown tag", "event manager applet A\n event tag a none\n trigger\n  attribute tag z occurs 2\n",
			`t.conf:4: attribute names event tag "z", which no event line has`},
		{"trigger occurs 0", "event manager applet A\n event none\n trigger occurs 0\n", "t.conf:3: trigger occurs 0 out of range 1-4294967295"},
		{"unknown action verb", "event manager applet A\n event none\n action 1.0 shout x\n",
			`t.conf:3: unknown action "shout" in applet "A"; expected add, append, break, cli, cns-event, comment, context, continue, counter, decrement, divide, else, elseif, end, exit, file, force-switchover, foreach, gets, handle-error, if, increment, info, mail, multiply, policy, policy-maxrun, publish-event, puts, regexp, reload, set, snmp-object-value, snmp-trap, string, subtract, syslog, track, wait, while`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("t.conf", []byte(c.src))
			if err == nil {
				t.Fatalf("no error; want %s", c.want)
			}
			if cfg != nil {
				t.Errorf("a Config came back with the error")
			}
			if got := err.Error(); got != c.want {
				t.Errorf("\n got: %s\nwant: %s", got, c.want)
			}
		})
	}
	if len(cases) < 25 {
		t.Errorf("only %d broken configurations", len(cases))
	}
}

// TestBadEventLine checks that the EEM parser's error is reported at its
// column in the configuration line.
func TestBadEventLine(t *testing.T) {
	for _, line := range []string{
		`event sislog pattern "x"`,
		`event syslog pattern "a(" occurs 2`,
		`event syslog occurs 0 pattern "x"`,
		`event timer cron cron-entry "61 * * * *"`,
	} {
		_, perr := types.ParseEEM(line)
		se, ok := perr.(*eem.SyntaxError)
		if !ok {
			t.Errorf("types.ParseEEM(%q) = %v; want a *SyntaxError", line, perr)
			continue
		}
		want := fmt.Sprintf("t.conf:2: bad event line, column %d: %s", se.Offset+3, se.Msg)
		_, err := Parse("t.conf", []byte("event manager applet A\n  "+line+"\n  action 1 puts x\n"))
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got: %v\nwant: %s", line, err, want)
		}
	}
}
