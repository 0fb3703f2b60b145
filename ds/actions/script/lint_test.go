package script_test

import (
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/parse"
)

// dsWithScript is a DS whose script action's CDATA starts on line 8,
// column 43 (Lua's line 1 is the rest of line 8).
func dsWithScript(lua string) []byte {
	return []byte(`<DiagnosticSignature id="6033" revision="1.0">
  <Name>Lint</Name>
  <Events>
    <Event type="syslog" pattern="%BGP-5-ADJCHANGE: neighbor (\S+) Down"/>
  </Events>
  <Actions>
    <Action type="command">show clock</Action>
<Action type="script" lang="lua"><![CDATA[` + lua + `]]></Action>
  </Actions>
</DiagnosticSignature>
`)
}

func lintScript(t *testing.T, lua string) []string {
	t.Helper()
	sig, err := parse.ParseSignature("6033.xml", dsWithScript(lua))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range actions.Lint(sig) {
		out = append(out, e.Error())
	}
	return out
}

// TestLintScript: lint reports, at the DS file's line and column, a
// syntax error, a ${ds_x} written in the script (naming the global to
// use), and a literal call_home_send table with a key the function does
// not take; smtp_subst's template and tables built at run time pass.
func TestLintScript(t *testing.T) {
	for _, c := range []struct {
		lua  string
		want []string
	}{
		{`print("ok")`, nil},
		{"\nlocal x = = 1", []string{"6033.xml:9:"}},
		{"\nprint(\"neighbor ${ds_syslog_1} down\")",
			[]string{`6033.xml:9:17: script: ${ds_syslog_1} is not substituted in a script (syslog text put into code could inject Lua): use the global ds_syslog_1, e.g. "... " .. ds_syslog_1`}},
		{`local n = ${ds_syslog_1}`, []string{`6033.xml:8:53: script: ${ds_syslog_1} is not substituted in a script`}},
		{"\n\nlocal s = [[\nsee ${ds_hostname}]]", []string{`6033.xml:11:5: script: ${ds_hostname} is not substituted`}},
		{`smtp_subst("Subject: ${ds_hostname}") -- in a comment ${ds_hostname} is fine`, nil},
		{"\ncall_home_send{message = \"m\",\n  subject = \"flap\", outputs = true}",
			[]string{`6033.xml:10: script: call_home_send: unknown key "subject": the mail subject is Call Home's own`}},
		{`call_home_send({colour = "red", severity = "err", outputs = "yes", "x"})`, []string{
			`6033.xml:8: script: call_home_send: unknown key "colour"; the keys are message, msg, description, severity, outputs`,
			`6033.xml:8: script: call_home_send: unknown severity "err"; the Call Home levels are debugging`,
			`6033.xml:8: script: call_home_send: outputs must be true or false`,
			`6033.xml:8: script: call_home_send: entry 4 has no name; write name = value`,
		}},
		{`local t = {subject = "x"} call_home_send(t)`, nil}, // checked when it is sent
	} {
		got := lintScript(t, c.lua)
		if len(got) != len(c.want) {
			t.Errorf("%s\n=> %q\nwant %q", c.lua, got, c.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], c.want[i]) {
				t.Errorf("%s\n=> %s\nwant %s…", c.lua, got[i], c.want[i])
			}
		}
	}
}
