package parse

import (
	"slices"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds"
)

// A variable that none of the DS's events sets is refused where it is
// used, naming the events and what would set it, with the closest valid
// name when there is one.
func TestEventVariablesRefused(t *testing.T) {
	cases := []struct {
		name string
		data string
		want string // the one error; "" when the file parses
	}{
		{"periodic has no syslog message",
			doc("", `<Event type="periodic" interval="1h"/>`, `<Action type="message">${ds_syslog_msg}</Action>`),
			`t.xml:5:34: variable ds_syslog_msg is set by none of this DS's events (e1 (periodic: no ds_ variables)); ` +
				`a syslog event or a config event (when a syslog message reported the change, not for a watched file) sets it: ` +
				`use such an event, or a variable these events set`},
		{"oir and track in a correlation",
			doc("", `<Event id="a" type="oir"/><Event id="b" type="track" object="1"/><Correlate>a or b</Correlate>`,
				`<Action type="emailto" to="x@example.com" subject="${ds_syslog_host}"/>`),
			`t.xml:5:53: variable ds_syslog_host is set by none of this DS's events (a (oir: no ds_ variables); b (track: no ds_ variables)); ` +
				`a syslog event or a config event (when a syslog message reported the change, not for a watched file) sets it: ` +
				`use such an event, or a variable these events set`},
		{"a capture group the pattern does not have",
			doc("", `<Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+)"/>`, `<Action type="command">show ${ds_syslog_2}</Action>`),
			`t.xml:5:39: variable ds_syslog_2 is set by none of this DS's events (e1 (syslog, 1 capture group)); did you mean ds_syslog_1?; ` +
				`a capture group of an event's pattern sets it: add the group, such as (\S+), or use a variable the events set`},
		{"a misspelt syslog variable",
			doc("", `<Event type="syslog" pattern="%LINK-3-UPDOWN"/>`, `<Action type="message">${ds_syslog_mgs}</Action>`),
			`t.xml:5:34: variable ds_syslog_mgs is used but not declared; add <Variable name="ds_syslog_mgs" .../>; did you mean ds_syslog_msg?`},
		{"a misspelt declared variable",
			doc(`<Variable name="ds_intf" source="environment"/>`, "", `<Action type="command">show ${ds_itnf}</Action>`),
			`t.xml:5:39: variable ds_itnf is used but not declared; add <Variable name="ds_itnf" .../>; did you mean ds_intf?`},
		{"a per-event capture of an event with no groups",
			doc("", `<Event id="down" type="syslog" pattern="%BGP-5-ADJCHANGE"/><Event id="n" type="syslog" pattern="%BGP-3-NOTIFICATION (?P&lt;nbr>\S+)"/><Correlate>down and n</Correlate>`,
				`<Action type="command">show ip bgp neighbors ${ds_down_nbr}</Action>`),
			`t.xml:5:56: variable ds_down_nbr is set by none of this DS's events (down (syslog, 0 capture groups); n (syslog, 1 capture group)); did you mean ds_n_nbr?; ` +
				`a capture group of an event's pattern sets it: add the group, such as (\S+), or use a variable the events set`},
		{"a regex variable's command", doc(`<Variable name="ds_up" source="regex" command="show interface ${ds_syslog_1}" pattern="(up)"/>`,
			`<Event type="oir"/>`, ""),
			`t.xml:3:51: variable ds_syslog_1 is set by none of this DS's events (e1 (oir: no ds_ variables)); ` +
				`a capture group of an event's pattern sets it: add the group, such as (\S+), or use a variable the events set`},
		// What parses.
		{"named and per-event captures", doc("", `<Event id="down" type="syslog" pattern="%BGP-5-ADJCHANGE: neighbor (?P&lt;nbr>\S+) Down"/><Event id="t" type="periodic" interval="1h"/><Correlate>down or t</Correlate>`,
			`<Action type="message">${ds_syslog_1} ${ds_syslog_nbr} ${ds_down_1} ${ds_down_nbr} ${ds_down_msg} ${ds_down_host} ${ds_down_time} ${ds_t_time}</Action>`), ""},
		{"config sets the syslog variables sometimes", doc("", `<Event type="config"/>`, `<Action type="message">${ds_syslog_msg}</Action>`), ""},
		{"cli captures", doc("", `<Event type="eem">event cli pattern "^reload in ([0-9]+)"</Event>`, `<Action type="message">${ds_syslog_1}</Action>`), ""},
		// An event's own pattern is filled in at registration, before any fire.
		{"built-in names in a pattern", doc("", `<Event type="syslog" pattern="x ${ds_syslog_1}"/>`, ""), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSignature("t.xml", []byte(c.data))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Errorf("error:\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

// A variable only some fires set is a warning: a config event's syslog
// variables, a capture only one of the correlated events has.
func TestVarWarnings(t *testing.T) {
	cases := []struct {
		name string
		data string
		want []string
	}{
		{"config", doc("", `<Event type="config"/>`, `<Action type="message">${ds_syslog_msg} ${ds_syslog_msg}</Action>`), []string{
			`t.xml:5:11: warning: variable ds_syslog_msg may be unset when this runs (e1 sets it only when a syslog message reported the change, not for a watched file): ` +
				`the action then fails; use it where every fire sets it, or in a script that checks it`,
		}},
		{"one of two events", doc("", `<Event id="a" type="syslog" pattern="%X-1-Y: (\S+)"/><Event id="b" type="oir"/><Correlate>a or b</Correlate>`,
			`<Action type="emailto" to="x@example.com" subject="${ds_syslog_1}">${ds_a_1}</Action>`), []string{
			`t.xml:5:11: warning: variable ds_a_1 may be unset when this runs (b does not set it): ` +
				`the action then fails; use it where every fire sets it, or in a script that checks it`,
			`t.xml:5:11: warning: variable ds_syslog_1 may be unset when this runs (b does not set it): ` +
				`the action then fails; use it where every fire sets it, or in a script that checks it`,
		}},
		{"always set", doc(`<Variable name="ds_v" source="environment"/>`, `<Event type="syslog" pattern="(x)"/>`,
			`<Action type="message">${ds_syslog_msg} ${ds_syslog_1} ${ds_v} ${ds_hostname}</Action>`), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig, err := ParseSignature("t.xml", []byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if got := VarWarnings(sig); !slices.Equal(got, c.want) {
				t.Errorf("warnings:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
			}
		})
	}
}

func TestEventVarNames(t *testing.T) {
	names := func(vs []EventVar) []string {
		var out []string
		for _, v := range vs {
			if v.When != "" {
				out = append(out, v.Name+"?")
				continue
			}
			out = append(out, v.Name)
		}
		return out
	}
	cases := []struct {
		id       string
		typ      ds.EventType
		captures []string
		want     []string
	}{
		{"e1", ds.EventSyslog, []string{"", "nbr", "State"}, []string{"ds_syslog_msg", "ds_syslog_facility", "ds_syslog_severity",
			"ds_syslog_mnemonic", "ds_syslog_host", "ds_syslog_1", "ds_syslog_2", "ds_syslog_nbr", "ds_syslog_3",
			"ds_e1_1", "ds_e1_2", "ds_e1_nbr", "ds_e1_3", "ds_e1_msg", "ds_e1_facility", "ds_e1_severity", "ds_e1_mnemonic",
			"ds_e1_host", "ds_e1_time"}},
		{"c", ds.EventConfig, nil, []string{"ds_syslog_msg?", "ds_syslog_facility?", "ds_syslog_severity?",
			"ds_syslog_mnemonic?", "ds_syslog_host?", "ds_c_msg?", "ds_c_facility?", "ds_c_severity?", "ds_c_mnemonic?",
			"ds_c_host?", "ds_c_time"}},
		{"t", ds.EventPeriodic, []string{"x"}, []string{"ds_t_time"}},
		{"cmd", ds.EventCLI, []string{""}, []string{"ds_syslog_1", "ds_cmd_1", "ds_cmd_time"}},
		{"Upper", ds.EventOIR, nil, nil},
		{"", ds.EventSyslog, nil, []string{"ds_syslog_msg", "ds_syslog_facility", "ds_syslog_severity", "ds_syslog_mnemonic", "ds_syslog_host"}},
		{"x", "bogus", nil, nil},
	}
	for _, c := range cases {
		if got := names(EventVarNames(c.id, c.typ, c.captures)); !slices.Equal(got, c.want) {
			t.Errorf("EventVarNames(%q, %s, %q):\n got %q\nwant %q", c.id, c.typ, c.captures, got, c.want)
		}
	}
}
