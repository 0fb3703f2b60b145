package actions

import (
	"slices"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/parse"
)

// Lint's warnings include the variables only some fires set, with the
// events that do not set them.
func TestWarningsVariables(t *testing.T) {
	const file = `<DiagnosticSignature id="6040" revision="1">
 <Name>W</Name>
 <Events>
  <Event id="chg" type="config"/>
  <Event id="tick" type="periodic" interval="1h"/>
  <Correlate>chg or tick</Correlate>
 </Events>
 <Actions>
  <Action type="message">config changed: ${ds_syslog_msg}</Action>
 </Actions>
</DiagnosticSignature>
`
	sig, err := parse.ParseSignature("6040.xml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"6040.xml:9:3: warning: variable ds_syslog_msg may be unset when this runs " +
		"(chg sets it only when a syslog message reported the change, not for a watched file; tick does not set it): " +
		"the action then fails; use it where every fire sets it, or in a script that checks it"}
	if got := Warnings(sig); !slices.Equal(got, want) {
		t.Errorf("Warnings:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
