package main

import (
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/internal/english"
)

// dsTemplate is one skeleton `ds new` writes: a lint-clean DS whose XML
// comments say what each part does and what to change.
type dsTemplate struct {
	name    string // --template value
	title   string // the DS's <Name> unless --name
	summary string // for --help and the message after writing
	testTip string // how to replay-test it, after "dsengine ds test ID.xml"
	text    string // the file; {{ID}} and {{NAME}} are filled in
}

// dsTemplates are the skeletons, in the order --help lists them.
var dsTemplates = []dsTemplate{
	{"syslog", "LinkDown", "a syslog message, counted over a period",
		"--syslog LOG --device DIR --expect 1", templateSyslog},
	{"correlate", "BgpAndLink", "two events within a time window",
		"--syslog LOG --device DIR --expect 1", templateCorrelate},
	{"script", "CpuHogScript", "a syslog message handled by a Lua script",
		"--syslog LOG --device DIR --expect 1", templateScript},
	{"periodic", "DailyBaseline", "a schedule, cron or interval",
		"--syslog LOG --device DIR (the replay runs the schedule across the log's time span)", templatePeriodic},
	{"oir", "CardRemoved", "a card or module removed",
		"--syslog LOG --device DIR --expect 1 (a %OIR-6-REMCARD line in LOG is a removal)", templateOIR},
}

func templateNames() []string {
	names := make([]string, len(dsTemplates))
	for i, t := range dsTemplates {
		names[i] = t.name
	}
	return names
}

func dsNewFlags(fs *flag.FlagSet) {
	var list []string
	for _, t := range dsTemplates {
		list = append(list, t.name+" ("+t.summary+")")
	}
	fs.String("template", "syslog", "the skeleton: "+strings.Join(list, ", "))
	fs.String("name", "", "the DS's `NAME` (at most 64 characters; default the template's)")
	fs.Bool("force", false, "overwrite ID.xml if it exists")
}

// runDSNew writes ID.xml in the current directory from a template and says
// what to do next.
func runDSNew(e *env, fset *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("name the DS id, such as 7001")
	}
	id := args[0]
	if len(id) == 0 || len(id) > 10 || strings.Trim(id, "0123456789") != "" {
		return usagef("id %q is not 1 to 10 decimal digits; the id is also the file name (7001 writes 7001.xml)", id)
	}
	want := fset.Lookup("template").Value.String()
	var tmpl *dsTemplate
	for i := range dsTemplates {
		if dsTemplates[i].name == want {
			tmpl = &dsTemplates[i]
		}
	}
	if tmpl == nil {
		return usagef("unknown template %q; use %s", want, english.OrList(templateNames()))
	}
	name := fset.Lookup("name").Value.String()
	if name == "" {
		name = tmpl.title
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > parse.MaxNameLength || strings.ContainsAny(name, "\r\n") {
		return usagef("--name %q must be one line of 1 to %d characters", name, parse.MaxNameLength)
	}
	var esc strings.Builder
	if err := xml.EscapeText(&esc, []byte(name)); err != nil {
		return err
	}
	text := strings.NewReplacer("{{ID}}", id, "{{NAME}}", esc.String()).Replace(tmpl.text)

	path := id + ".xml"
	mode := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if fset.Lookup("force").Value.(flag.Getter).Get().(bool) {
		mode = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, mode, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("refused: %s exists; choose another id, or add --force to overwrite it", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(e.stdout, "%s: DS %s %q from template %s, %s; the comments in it say what to change\n",
		path, id, name, tmpl.name, tmpl.summary)
	fmt.Fprintf(e.stdout, "next:\n"+
		"  dsengine ds lint %[1]s\n"+
		"  dsengine ds test %[1]s %[2]s\n"+
		"  dsengine ds sign --key SECRET.asc %[1]s\n"+
		"the format: docs/ds-format.md; for an editor, the schema docs/ds.xsd (xmllint --noout --schema docs/ds.xsd %[1]s)\n",
		path, tmpl.testTip)
	return nil
}

// The templates. XML comments may not hold two hyphens in a row, so they
// name flags without their dashes.

const templateHeader = `<?xml version="1.0" encoding="UTF-8"?>
<!--
  DS {{ID}}, written by dsengine ds new. The file name is the DS id: keep it {{ID}}.xml.
  The format, element by element: docs/ds-format.md. Check it with dsengine ds lint {{ID}}.xml.
-->
<!-- revision: raise it (1.1, 2.0) for every change you publish; devices download a DS again only when it changes. -->
<DiagnosticSignature id="{{ID}}" revision="1.0">
  <!-- Name: at most 64 characters, shown by show call-home diagnostic-signature. -->
  <Name>{{NAME}}</Name>
`

const templateSyslog = templateHeader + `  <Description>An interface that goes down twice in a minute: collect its counters and tell the operators.</Description>
  <!--
    Variables customise the DS on each device. Uncomment to ask for a value at install time
    (or give it with set ds_intf=VALUE), then use ${ds_intf} in a pattern or an action:
  <Variables>
    <Variable name="ds_intf" source="prompt" prompt="Interface to watch" default="GigabitEthernet1/0/1"/>
  </Variables>
  -->
  <Events>
    <!--
      pattern: an RE2 regular expression matched against the message from its % tag on.
      Start it with the tag (%FACILITY-SEVERITY-MNEMONIC): the engine finds patterns by it.
      Each ( ) group is a variable: ${ds_syslog_1}, ${ds_syslog_2}, and so on.
      occurs and period: fire on the 2nd match within 60 seconds; remove both to fire on every match.
      severity="warning" would admit only messages at warning or above.
    -->
    <Event id="linkdown" type="syslog"
           pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"
           occurs="2" period="60s"/>
  </Events>
  <Actions>
    <!-- Actions run in this order. A command's output goes out with the call-home and emailto actions after it. -->
    <Action type="command">show interfaces ${ds_syslog_1}</Action>
    <Action type="command">show logging</Action>
    <!-- message: a %DS-5-MSG syslog entry (to="terminals" for the logged-in users instead). -->
    <Action type="message">${ds_hostname}: ${ds_syslog_1} went down twice in a minute</Action>
    <!-- call-home: a message to the DS profile's destinations with every command output so far. -->
    <Action type="call-home"/>
  </Actions>
</DiagnosticSignature>
`

const templateCorrelate = templateHeader + `  <Description>A BGP notification and an interface going down within two minutes of each other.</Description>
  <Events>
    <!-- With several events, each needs an id (a letter, then letters, digits or _): the Correlate names them. -->
    <Event id="bgpnotify" type="syslog" pattern="%BGP-3-NOTIFICATION: (.*)"/>
    <Event id="linkdown" type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/>
    <!--
      Correlate: when the DS fires, a boolean expression over the event ids: and, or, not, ( ),
      count(id) >= N (written count(id) &gt;= N here) and seq(a, b) (a before b).
      window: the events must all fall within it. In a correlation, ${ds_syslog_1} and the other
      syslog variables are those of the event that completed it; docs/ds-format.md says what each
      correlation keeps and consumes.
    -->
    <Correlate window="2m">bgpnotify and linkdown</Correlate>
  </Events>
  <Actions>
    <Action type="command">show ip bgp summary</Action>
    <Action type="command">show ip interface brief</Action>
    <Action type="call-home"/>
  </Actions>
</DiagnosticSignature>
`

const templateScript = templateHeader + `  <Description>CPU over its threshold: a Lua script reads the busiest processes and logs the top one.</Description>
  <Events>
    <Event id="cpuhigh" type="syslog" pattern="%SYS-1-CPURISINGTHRESHOLD: (.*)"/>
  </Events>
  <Actions>
    <!--
      script: Lua 5.1 in a sandbox, with the EEM Tcl policy API under the same names:
      event_reqinfo(), cli_open(), cli_exec(h, cmd), cli_close(h), action_syslog{...},
      smtp_send_email(text), appl_setinfo(k, v), appl_reqinfo(k), call_home_send{...}.
      The DS's variables are Lua globals (ds_hostname, ds_syslog_1): never write ${ds_x}
      inside the script. Keep it in CDATA so that < and & stay as they are.
      timeout: the script's time limit (default 5s).
    -->
    <Action type="script" lang="lua" timeout="10s"><![CDATA[
local info = event_reqinfo()        -- the event that fired: info.msg is the syslog message
local cli = cli_open()
local out = cli_exec(cli, "show processes cpu sorted")
cli_close(cli)
local top = string.match(out, "\n%s*%d+%s+%d+%s+%d+%s+%d+%s+%S+%s+%S+%s+%S+%s+%d+%s+([^\n]+)") or "unknown"
action_syslog{priority = "warning", msg = ds_hostname .. ": CPU high, top process " .. top .. " (" .. info.msg .. ")"}
]]></Action>
    <!-- Actions after the script run when it ends normally. call-home sends the outputs of command actions; the script's own cli_exec outputs stay in the script. -->
    <Action type="call-home"/>
  </Actions>
</DiagnosticSignature>
`

const templatePeriodic = templateHeader + `  <Description>Every day at 06:00, a baseline of the version and memory use to compare against when something breaks.</Description>
  <Events>
    <!--
      cron: minute hour day-of-month month day-of-week (six fields with seconds first, or @daily, @hourly),
      in the device's time. Or interval="1h" (a Go duration of at least 1s) in place of cron.
    -->
    <Event id="daily" type="periodic" cron="0 6 * * *"/>
  </Events>
  <Actions>
    <Action type="command">show version</Action>
    <Action type="command">show processes memory sorted</Action>
    <Action type="call-home"/>
  </Actions>
</DiagnosticSignature>
`

const templateOIR = templateHeader + `  <Description>A card or module removed: collect the inventory and the interface summary.</Description>
  <Events>
    <!--
      slot: a slot number, or any. action: insert, remove or any.
      On Linux a %OIR-6-REMCARD or %OIR-6-INSCARD syslog line is the removal or insertion.
    -->
    <Event id="cardout" type="oir" slot="any" action="remove"/>
  </Events>
  <Actions>
    <Action type="command">show inventory</Action>
    <Action type="command">show ip interface brief</Action>
    <Action type="message" severity="warning">${ds_hostname}: a card was removed</Action>
    <Action type="call-home"/>
  </Actions>
</DiagnosticSignature>
`
