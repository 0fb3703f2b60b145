package parse

import (
	"fmt"
	"testing"
)

// benchTemplate is a realistic DS: prerequisites, three kinds of
// variables, two correlated events and five actions.
const benchTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="%[1]d" revision="1.%[2]d">
  <Name>LinkFlap%[1]d</Name>
  <Description>Collects interface state when link %[2]d flaps</Description>
  <Prerequisite>
    <Platform>linux</Platform>
    <MinEngineVersion>0.1</MinEngineVersion>
  </Prerequisite>
  <Variables>
    <Variable name="ds_env1" source="environment"/>
    <Variable name="ds_intf" source="prompt" prompt="Interface to watch" default="Gi0/0/%[2]d"/>
    <Variable name="ds_uptime" source="regex" command="show version" pattern="uptime is (.*) %[2]d"/>
  </Variables>
  <Events>
    <Event id="e1" type="syslog" pattern="%%LINK-3-UPDOWN: Interface ${ds_intf}, changed state to (down|up) [0-9]+%[2]d"
           occurs="%[3]d" period="60s" severity="error"/>
    <Event id="e2" type="eem">event syslog pattern "OSPF-5-ADJCHG: .*%[2]d" occurs 2 period 30</Event>
    <Event id="e3" type="periodic" cron="*/%[3]d * * * *"/>
    <Correlate window="120s">(e1 and e2) or count(e3) >= %[3]d</Correlate>
  </Events>
  <Actions>
    <Action type="command" timeout="30s">show interfaces ${ds_intf}</Action>
    <Action type="call-home"/>
    <Action type="emailto" to="noc@example.com" subject="${ds_hostname}: DS ${ds_signature_id}">See ${ds_syslog_msg}</Action>
    <Action type="script" lang="lua"><![CDATA[
local h = cli_open()
local out = cli_exec(h, "show version")
if #out > %[2]d then action_syslog{priority="info", msg="ok"} end
]]></Action>
    <Action type="message" to="syslog" severity="notice">DS ${ds_signature_id} ran</Action>
  </Actions>
</DiagnosticSignature>
`

func benchFiles(n int) [][]byte {
	files := make([][]byte, n)
	for i := range files {
		files[i] = []byte(fmt.Sprintf(benchTemplate, 6000+i, i%97, 1+i%9))
	}
	return files
}

// BenchmarkParse1000 parses and validates 1,000 DS files per iteration and
// reports the time per 1,000 files.
func BenchmarkParse1000(b *testing.B) {
	files := benchFiles(1000)
	if _, err := ParseSignature("b.xml", files[0]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, data := range files {
			if _, err := ParseSignature("b.xml", data); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/1000files")
}
