package parse

import (
	"strings"
	"testing"
)

// doc builds a DS file with known line numbers:
//
//	1 <DiagnosticSignature id="6030" revision="1.0">
//	2  <Name>T</Name>
//	3  <Variables>VARS</Variables>     (VARS starts at column 13)
//	4  <Events>EVENTS</Events>         (EVENTS starts at column 10)
//	5  <Actions>ACTIONS</Actions>      (ACTIONS starts at column 11)
//	6 </DiagnosticSignature>
func doc(vars, events, actions string) string {
	if events == "" {
		events = `<Event type="immediate"/>`
	}
	if actions == "" {
		actions = `<Action type="call-home"/>`
	}
	return `<DiagnosticSignature id="6030" revision="1.0">` + "\n" +
		` <Name>T</Name>` + "\n" +
		` <Variables>` + vars + `</Variables>` + "\n" +
		` <Events>` + events + `</Events>` + "\n" +
		` <Actions>` + actions + `</Actions>` + "\n" +
		`</DiagnosticSignature>` + "\n"
}

// ev builds a file with only the events line changed.
func ev(events string) string { return doc("", events, "") }

// act builds a file with only the actions line changed.
func act(actions string) string { return doc("", "", actions) }

var badCases = []struct {
	name string
	data string
	want []string
}{
	{"unknown event type", ev(`<Event type="sislog" pattern="x"/>`), []string{
		`t.xml:4:17: unknown event type "sislog"; expected syslog, periodic, oir, config, immediate, call-home, eem, track`,
	}},
	{"unknown action type", act(`<Action type="shell">ls</Action>`), []string{
		`t.xml:5:19: unknown action type "shell"; expected command, call-home, emailto, script, message`,
	}},
	{"bad duration", ev(`<Event type="syslog" pattern="x" period="5x"/>`), []string{
		`t.xml:4:43: period "5x" is not a Go duration such as 90s, 5m or 1h`,
	}},
	{"zero period", ev(`<Event type="syslog" pattern="x" period="0s"/>`), []string{
		`t.xml:4:43: period "0s" must be greater than 0`,
	}},
	{"invalid RE2", ev(`<Event type="syslog" pattern="LINK-(3"/>`), []string{
		"t.xml:4:31: pattern is not a valid RE2 regular expression: missing closing ): `LINK-(3`",
	}},
	{"lookahead is not RE2", ev(`<Event type="syslog" pattern="a(?=b)"/>`), []string{
		"t.xml:4:31: pattern is not a valid RE2 regular expression: invalid or unsupported Perl syntax: `(?=`",
	}},
	{"occurs 0", ev(`<Event type="syslog" pattern="x" occurs="0"/>`), []string{
		`t.xml:4:43: occurs "0" is not a whole number from 1 to 4294967295`,
	}},
	{"bad severity", ev(`<Event type="syslog" pattern="x" severity="loud"/>`), []string{
		`t.xml:4:43: severity "loud" is not emergencies, alerts, critical, errors, warnings, notifications, informational, debugging, all or 0-7`,
	}},
	{"duplicate event id", ev(`<Event id="a" type="immediate"/><Event id="a" type="oir"/><Correlate>a</Correlate>`), []string{
		`t.xml:4:49: duplicate event id "a" (first used on line 4)`,
	}},
	{"missing id with several events", ev(`<Event id="a" type="immediate"/><Event type="oir"/><Correlate>a</Correlate>`), []string{
		`t.xml:4:42: missing required attribute "id" on <Event>; every event needs one when there are several`,
	}},
	{"id not an identifier", ev(`<Event id="1a" type="immediate"/>`), []string{
		`t.xml:4:17: event id "1a" is not an identifier: a letter or _, then letters, digits or _`,
	}},
	{"id reserved", ev(`<Event id="and" type="immediate"/>`), []string{
		`t.xml:4:17: event id "and" is a reserved word of the Correlate expression language`,
	}},
	{"several events without Correlate", ev(`<Event id="a" type="immediate"/><Event id="b" type="oir"/>`), []string{
		`t.xml:4:2: 2 events but no <Correlate>; add one such as <Correlate>a and b</Correlate>`,
	}},
	{"Correlate names unknown event", ev(`<Event id="e1" type="immediate"/><Event id="e2" type="oir"/><Correlate>e1 and e9</Correlate>`), []string{
		`t.xml:4:88: Correlate names unknown event "e9"`,
	}},
	{"Correlate not boolean", ev(`<Event id="e1" type="immediate"/><Event id="e2" type="oir"/><Correlate>count(e1) + 1</Correlate>`), []string{
		`t.xml:4:81: Correlate: expected bool, but got int`,
	}},
	{"Correlate syntax", ev(`<Event id="e1" type="immediate"/><Event id="e2" type="oir"/><Correlate>e1 and and e2</Correlate>`), []string{
		`t.xml:4:88: Correlate: unexpected token Operator("and")`,
	}},
	{"Correlate unknown function", ev(`<Event id="e1" type="immediate"/><Event id="e2" type="oir"/><Correlate>len(e1) > 0 or e2</Correlate>`), []string{
		`t.xml:4:81: Correlate calls unknown function "len"; expected count(id) or seq(id, id, ...)`,
	}},
	{"Correlate count of expression", ev(`<Event id="e1" type="immediate"/><Event id="e2" type="oir"/><Correlate>count(e1 or e2) >= 2</Correlate>`), []string{
		`t.xml:4:81: Correlate: count takes one event id, as in count(e1)`,
	}},
	{"Correlate bad attributes", ev(`<Event id="e1" type="immediate"/><Correlate window="-1s" occurs="x" group-by="site" period-start="* *">e1</Correlate>`), []string{
		`t.xml:4:54: window "-1s" must not be negative`,
		`t.xml:4:67: occurs "x" is not a whole number from 1 to 4294967295`,
		`t.xml:4:78: group-by "site": give host or ds_ variables the events set, separated by spaces, such as ds_syslog_1 or "host ds_syslog_nbr"`,
		`t.xml:4:94: period-start "* *": expected 5 to 6 fields, found 2: [* *]`,
	}},
	{"two Correlates", ev(`<Event type="immediate"/><Correlate>e1</Correlate><Correlate>e1</Correlate>`), []string{
		`t.xml:4:60: duplicate <Correlate>; <Events> has one (the first is on line 4)`,
	}},
	{"empty Correlate", ev(`<Event type="immediate"/><Correlate> </Correlate>`), []string{
		`t.xml:4:35: empty <Correlate>; write an expression over event ids, such as e1 and e2`,
	}},
	{"undeclared variable in attribute", ev(`<Event type="syslog" pattern="Interface ${ds_foo} down"/>`), []string{
		`t.xml:4:31: variable ds_foo is used but not declared; add <Variable name="ds_foo" .../>`,
	}},
	{"undeclared variable in text", act(`<Action type="command">show ${ds_foo}</Action>`), []string{
		`t.xml:5:39: variable ds_foo is used but not declared; add <Variable name="ds_foo" .../>`,
	}},
	{"unterminated ${", act(`<Action type="command">show ${ds_intf</Action>`), []string{
		`t.xml:5:39: ${ without a closing }; variables are written ${ds_name}`,
	}},
	{"variable reference without ds_", act(`<Action type="command">show ${intf}</Action>`), []string{
		`t.xml:5:39: ${intf} is not a ds_ variable; variable names start with ds_`,
	}},
	{"variable name without ds_", doc(`<Variable name="intf" source="environment"/>`, "", ""), []string{
		`t.xml:3:23: variable name "intf" must start with ds_`,
	}},
	{"variable name upper case", doc(`<Variable name="ds_Intf" source="environment"/>`, "", ""), []string{
		`t.xml:3:23: variable name "ds_Intf" must be ds_ followed by lower-case letters, digits and _`,
	}},
	{"declaring a system variable", doc(`<Variable name="ds_hostname" source="environment"/>`, "", ""), []string{
		`t.xml:3:23: variable ds_hostname is built in (a system variable); do not declare it`,
	}},
	{"declaring a syslog capture", doc(`<Variable name="ds_syslog_2" source="environment"/>`, "", ""), []string{
		`t.xml:3:23: variable ds_syslog_2 is built in (a syslog variable); do not declare it`,
	}},
	{"duplicate variable", doc(`<Variable name="ds_a" source="environment"/><Variable name="ds_a" source="environment"/>`, "", ""), []string{
		`t.xml:3:67: variable ds_a is declared twice (first on line 3)`,
	}},
	{"bad variable source", doc(`<Variable name="ds_a" source="file"/>`, "", ""), []string{
		`t.xml:3:35: unknown variable source "file"; expected environment, prompt, regex`,
	}},
	{"system source", doc(`<Variable name="ds_a" source="system"/>`, "", ""), []string{
		`t.xml:3:35: source "system" is built in; a DS declares environment, prompt or regex variables`,
	}},
	{"prompt without prompt", doc(`<Variable name="ds_a" source="prompt" default="x"/>`, "", ""), []string{
		`t.xml:3:13: missing required attribute "prompt" on <Variable source="prompt">`,
	}},
	{"environment with prompt", doc(`<Variable name="ds_a" source="environment" prompt="x"/>`, "", ""), []string{
		`t.xml:3:56: unknown attribute "prompt" on <Variable source="environment">; expected name, source`,
	}},
	{"regex without capture group", doc(`<Variable name="ds_up" source="regex" command="show version" pattern="uptime is .*"/>`, "", ""), []string{
		`t.xml:3:74: pattern "uptime is .*" has no capture group; the variable takes the first group, as in "uptime is (.*)"`,
	}},
	{"regex without command", doc(`<Variable name="ds_up" source="regex" pattern="uptime is (.*)"/>`, "", ""), []string{
		`t.xml:3:13: missing required attribute "command" on <Variable source="regex">`,
	}},
	{"file over 1 MiB", strings.Repeat(" ", MaxFileSize+1), []string{
		`t.xml: DS file is 1048577 bytes; the limit is 1048576`,
	}},
	{"DOCTYPE", "<?xml version=\"1.0\"?>\n<!DOCTYPE DiagnosticSignature>\n" + ev(""), []string{
		`t.xml:2:1: <!DOCTYPE> is not allowed in a DS file; entities are never expanded`,
	}},
	{"ENTITY", "<!DOCTYPE d [\n  <!ENTITY lol \"lol\">\n]>\n" + ev(""), []string{
		`t.xml:1:1: <!DOCTYPE> declaring entities is not allowed in a DS file; entities are never expanded`,
	}},
	{"standalone ENTITY", "<!ENTITY x \"y\">\n" + ev(""), []string{
		`t.xml:1:1: <!ENTITY> is not allowed in a DS file; entities are never expanded`,
	}},
	{"DOCTYPE and its entity", "<!DOCTYPE d [<!ENTITY x \"y\">]>\n" + strings.Replace(ev(""), "<Name>T", "<Name>&x;", 1), []string{
		`t.xml:1:1: <!DOCTYPE> declaring entities is not allowed in a DS file; entities are never expanded`,
		`t.xml:3:11: XML is not well-formed: invalid character entity &x;`,
	}},
	{"entity shifts columns", act(`<Action type="command">show &amp;&#x263A;&lt; ${ds_foo}</Action>`), []string{
		`t.xml:5:57: variable ds_foo is used but not declared; add <Variable name="ds_foo" .../>`,
	}},
	{"CDATA and CR LF", act("<Action type=\"command\"><![CDATA[show\r\n${ds_foo}]]></Action>"), []string{
		`t.xml:6:1: variable ds_foo is used but not declared; add <Variable name="ds_foo" .../>`,
	}},
	{"nesting 65 deep", `<DiagnosticSignature id="1" revision="1">` + strings.Repeat("<a>", 63) + "\n  <b>" + strings.Repeat("</a>", 63) + "</DiagnosticSignature>", []string{
		`t.xml:2:3: elements are nested deeper than 64 levels`,
	}},
	{"bad revision", strings.Replace(ev(""), `revision="1.0"`, `revision="1.x"`, 1), []string{
		`t.xml:1:32: invalid revision "1.x": "x" is not a number`,
	}},
	{"missing id", strings.Replace(ev(""), `id="6030" `, ``, 1), []string{
		`t.xml:1:1: missing required attribute "id" on <DiagnosticSignature>`,
	}},
	{"bad id", strings.Replace(ev(""), `id="6030"`, `id="60x"`, 1), []string{
		`t.xml:1:22: id "60x" is not 1 to 10 decimal digits`,
	}},
	{"id too long", strings.Replace(ev(""), `id="6030"`, `id="12345678901"`, 1), []string{
		`t.xml:1:22: id "12345678901" is not 1 to 10 decimal digits`,
	}},
	{"tcl script", act(`<Action type="script" lang="tcl">puts hi</Action>`), []string{
		`t.xml:5:33: lang "tcl": the engine runs Lua scripts in place of Tcl; rewrite the script in Lua (the EEM Tcl API names are available) and set lang="lua"`,
	}},
	{"script without lang", act(`<Action type="script">print(1)</Action>`), []string{
		`t.xml:5:11: missing required attribute "lang" on <Action type="script">`,
	}},
	{"empty script", act(`<Action type="script" lang="lua"><![CDATA[  ]]></Action>`), []string{
		`t.xml:5:11: <Action type="script"> needs the Lua script as its text (a CDATA section keeps < and & as they are)`,
	}},
	{"bad cron", ev(`<Event type="periodic" cron="0 25 * * *"/>`), []string{
		`t.xml:4:33: cron "0 25 * * *": end of range (25) above maximum (23): 25`,
	}},
	{"cron and interval", ev(`<Event type="periodic" cron="@daily" interval="1h"/>`), []string{
		`t.xml:4:47: <Event type="periodic"> takes cron or interval, not both`,
	}},
	{"no schedule", ev(`<Event type="periodic"/>`), []string{
		`t.xml:4:10: <Event type="periodic"> needs cron="<minute hour day month weekday>" or interval="<duration>"`,
	}},
	{"interval under 1s", ev(`<Event type="periodic" interval="500ms"/>`), []string{
		`t.xml:4:33: interval "500ms" is shorter than 1s`,
	}},
	{"bad slot", ev(`<Event type="oir" slot="-1" action="pull"/>`), []string{
		`t.xml:4:28: slot "-1" is not a slot number (0 or more) or any`,
		`t.xml:4:38: action "pull" is not insert, remove or any`,
	}},
	{"bad email", act(`<Action type="emailto" to="noc@example.com, not-an-address">body</Action>`), []string{
		`t.xml:5:34: address "not-an-address" is not valid: missing '@' or angle-addr`,
	}},
	{"email without to", act(`<Action type="emailto" subject="s"/>`), []string{
		`t.xml:5:11: missing required attribute "to" on <Action type="emailto">`,
	}},
	{"group-by a variable the event does not set", ev(`<Event type="syslog" pattern="%X-1-Y: (\S+)" group-by="ds_syslog_nbr"/>`), []string{
		`t.xml:4:55: group-by names ds_syslog_nbr, which this event does not set; it sets host, ds_syslog_host, its capture groups ds_syslog_1… and its named captures (?P<name>…) as ds_syslog_name`,
	}},
	{"max-keys without group-by", ev(`<Event type="syslog" pattern="%X-1-Y" max-keys="10"/>`), []string{
		`t.xml:4:48: max-keys without group-by has no keys to bound; add group-by or remove max-keys`,
	}},
	{"max-keys above the limit", ev(`<Event type="syslog" pattern="%X-1-Y: (\S+)" group-by="ds_syslog_1" max-keys="100001"/>`), []string{
		`t.xml:4:78: max-keys "100001" is above the limit of 100000 keys`,
	}},
	{"unknown attribute", ev(`<Event type="syslog" pattern="x" ocurs="2"/>`), []string{
		`t.xml:4:43: unknown attribute "ocurs" on <Event type="syslog">; expected id, type, pattern, occurs, period, severity, group-by, max-keys`,
	}},
	{"unknown element", strings.Replace(ev(""), ` <Name>T</Name>`, ` <Name>T</Name><Author>me</Author>`, 1), []string{
		`t.xml:2:16: unknown element <Author> in <DiagnosticSignature>; expected Name, Description, Prerequisite, Variables, Events, Actions`,
	}},
	{"unknown element in Events", ev(`<Event type="immediate"/><Trigger/>`), []string{
		`t.xml:4:35: unknown element <Trigger> in <Events>; expected Event, Correlate`,
	}},
	{"namespaced attribute", ev(`<Event type="immediate" x:id="1"/>`), []string{
		`t.xml:4:34: unknown attribute "x:id" on <Event type="immediate">; expected id, type`,
	}},
	{"eem line error", ev(`<Event id="e1" type="eem">event syslog ocurs 2 pattern "x"</Event>`), []string{
		`t.xml:4:49: EEM event line: unknown option "ocurs" for event syslog; expected occurs, period, priority, pattern, ratelimit, maxrun`,
	}},
	{"eem line on its own line", ev("<Event type=\"eem\">\n   event timer cron cron-entry \"* * *\"\n </Event>"), []string{
		`t.xml:5:32: EEM event line: cron-entry "* * *": expected exactly 5 fields, found 3: [* * *]`,
	}},
	{"eem tag mismatch", ev(`<Event id="e1" type="eem">event tag e2 oir</Event>`), []string{
		`t.xml:4:46: EEM event tag "e2" does not match id="e1"`,
	}},
	{"empty eem", ev(`<Event type="eem"/>`), []string{
		`t.xml:4:10: <Event type="eem"> needs an EEM event line as its text, such as event syslog pattern "LINK-3-UPDOWN"`,
	}},
	{"eem with attribute", ev(`<Event type="eem" pattern="x">event none</Event>`), []string{
		`t.xml:4:28: unknown attribute "pattern" on <Event type="eem">; expected id, type`,
	}},
	{"call-home bad group", ev(`<Event type="call-home" alert-group="weather"/>`), []string{
		`t.xml:4:34: alert-group "weather" is not configuration, crash, environment, inventory, snapshot or syslog`,
	}},
	{"call-home diagnostic group", ev(`<Event type="call-home" alert-group="diagnostic"/>`), []string{
		`t.xml:4:34: alert-group "diagnostic" never sends on Linux: it carries the results of a line card's ` +
			`online diagnostics (GOLD), which a Linux host does not run, so the DS's commands would never go out; ` +
			`use configuration, crash, environment, inventory, snapshot or syslog`,
	}},
	{"track out of range", ev(`<Event type="track" object="0" state="flapping"/>`), []string{
		`t.xml:4:30: object "0" is not a track object number from 1 to 1000`,
		`t.xml:4:41: state "flapping" is not up, down or any`,
	}},
	{"text in immediate", ev(`<Event type="immediate">now</Event>`), []string{
		`t.xml:4:34: unexpected text "now" in <Event type="immediate">`,
	}},
	{"command without text", act(`<Action type="command"/>`), []string{
		`t.xml:5:11: <Action type="command"> needs the command as its text, such as show version`,
	}},
	{"command bad timeout", act(`<Action type="command" timeout="10">show clock</Action>`), []string{
		`t.xml:5:34: timeout "10" is not a Go duration such as 90s, 5m or 1h`,
	}},
	{"call-home with text", act(`<Action type="call-home">send it</Action>`), []string{
		`t.xml:5:36: unexpected text "send it" in <Action type="call-home">`,
	}},
	{"message bad to and severity", act(`<Action type="message" to="console" severity="all">hi</Action>`), []string{
		`t.xml:5:34: to "console" is not syslog or terminals`,
		`t.xml:5:47: severity "all" is not emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7`,
	}},
	{"no actions", act(` `), []string{
		`t.xml:5:2: <Actions> has no <Action>`,
	}},
	{"no events", ev(` `), []string{
		`t.xml:4:2: <Events> has no <Event>`,
	}},
	{"missing Name Events Actions", `<DiagnosticSignature id="1" revision="1"></DiagnosticSignature>`, []string{
		`t.xml:1:1: missing <Name> in <DiagnosticSignature>`,
		`t.xml:1:1: missing <Events> in <DiagnosticSignature>`,
		`t.xml:1:1: missing <Actions> in <DiagnosticSignature>`,
	}},
	{"name too long", strings.Replace(ev(""), `<Name>T</Name>`, `<Name>`+strings.Repeat("n", 65)+`</Name>`, 1), []string{
		`t.xml:2:2: <Name> is 65 characters; the limit is 64`,
	}},
	{"duplicate Name", strings.Replace(ev(""), `<Name>T</Name>`, `<Name>T</Name><Name>U</Name>`, 1), []string{
		`t.xml:2:16: duplicate <Name>; a DS file has one (the first is on line 2)`,
	}},
	{"wrong root", "<?xml version=\"1.0\"?>\n<Signature id=\"1\"/>", []string{
		`t.xml:2:1: root element is <Signature>; a DS file starts with <DiagnosticSignature id="..." revision="...">`,
	}},
	{"not well-formed", "<DiagnosticSignature id=\"1\" revision=\"1\">\n <Name>T</Nome>\n</DiagnosticSignature>", []string{
		`t.xml:2:9: XML is not well-formed: element <Name> closed by </Nome>`,
	}},
	{"unquoted attribute", "<DiagnosticSignature id=1>\n</DiagnosticSignature>", []string{
		`t.xml:1:26: XML is not well-formed: unquoted or missing attribute value in element`,
	}},
	{"unknown entity", "<DiagnosticSignature id=\"1\" revision=\"1\">\n <Name>&nbsp;</Name>\n</DiagnosticSignature>", []string{
		`t.xml:2:14: XML is not well-formed: invalid character entity &nbsp;`,
	}},
	{"unclosed", "<DiagnosticSignature id=\"1\" revision=\"1\">\n <Name>T</Name>\n", []string{
		`t.xml:3:1: unexpected end of file: <DiagnosticSignature> is not closed`,
	}},
	{"empty file", "", []string{
		`t.xml:1:1: no root element; a DS file holds one <DiagnosticSignature>`,
	}},
	{"two roots", ev("") + "<DiagnosticSignature/>", []string{
		`t.xml:7:1: second root element <DiagnosticSignature>; a DS file holds one <DiagnosticSignature>`,
	}},
	{"duplicate attribute", strings.Replace(ev(""), `id="6030"`, `id="6030" id="6031"`, 1), []string{
		`t.xml:1:32: duplicate attribute "id" on <DiagnosticSignature>`,
	}},
	{"latin1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" + ev(""), []string{
		`t.xml:1:44: the file declares encoding "ISO-8859-1"; a DS file is UTF-8`,
	}},
	{"bad MinEngineVersion", strings.Replace(ev(""), `<Name>T</Name>`, `<Name>T</Name><Prerequisite><Platform> </Platform><MinEngineVersion>v2</MinEngineVersion></Prerequisite>`, 1), []string{
		`t.xml:2:30: empty <Platform>; name a platform such as linux`,
		`t.xml:2:52: <MinEngineVersion>: invalid revision "v2": "v2" is not a number`,
	}},
	{"several problems", doc(`<Variable name="ds_x" source="regex" command="show x" pattern="(x"/>`,
		`<Event id="e1" type="syslog" pattern="${ds_y}" occurs="-3"/><Event id="e2" type="oir" slot="x"/><Correlate>e1 and e3</Correlate>`,
		`<Action type="script" lang="tcl">x</Action><Action type="emailto" to="a@"/><Action type="bogus"/>`), []string{
		"t.xml:3:67: pattern is not a valid RE2 regular expression: missing closing ): `(x`",
		`t.xml:4:39: variable ds_y is used but not declared; add <Variable name="ds_y" .../>`,
		`t.xml:4:57: occurs "-3" is not a whole number from 1 to 4294967295`,
		`t.xml:4:96: slot "x" is not a slot number (0 or more) or any`,
		`t.xml:4:124: Correlate names unknown event "e3"`,
		`t.xml:5:33: lang "tcl": the engine runs Lua scripts in place of Tcl; rewrite the script in Lua (the EEM Tcl API names are available) and set lang="lua"`,
		`t.xml:5:77: address "a@" is not valid: missing '@' or angle-addr`,
		`t.xml:5:94: unknown action type "bogus"; expected command, call-home, emailto, script, message`,
	}},
}

func TestParseSignatureBad(t *testing.T) {
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			sig, err := ParseSignature("t.xml", []byte(c.data))
			if err == nil {
				t.Fatalf("no error; parsed %+v", sig)
			}
			if sig != nil {
				t.Errorf("a signature came back with the errors")
			}
			list, ok := err.(ErrorList)
			if !ok {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("errors:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}
