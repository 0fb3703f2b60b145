package callhome

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/notify/outbox"
	"github.com/dsengine/dsengine/ds/notify/transport"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// The samples of the DS guide (configure-call-home-and-diagnostic-
// signatures.txt, "Display Call Home Configuration Information"), whose
// columns the guide's rendering lost: every line of a sample must appear,
// in order and with blanks collapsed, in what the renderer writes for the
// configuration behind the samples (testdata/guide.conf). The renderer may
// write more lines than the guide (IOS XE's Profile mode, Reporting Data,
// Diagnostic signature, the dashes under table headers, the DS row).
const (
	guideSummary = `Current call home settings:
  call home feature : enable
  call home message's from address: router@example.com
  call home message's reply-to address: support@example.com
vrf for call-home messages: Not yet set up
contact person's email address: technical@example.com
contact person's phone number: +1-408-555-1234
street address: 1234 Picaboo Street, Any city, Any state, 12345
customer ID: ExampleCorp
contract ID: X123456789
site ID: SantaClara
source ip address: Not yet set up
source interface: GigabitEthernet0/0
Mail-server[1]: Address: 192.0.2.1 Priority: 1
Mail-server[2]: Address: 209.165.202.254 Priority: 2
http proxy: 192.0.2.2:80
aaa-authorization: disable
aaa-authorization username: callhome (default)
data-privacy: normal
syslog throttling: enable
Rate-limit: 20 message(s) per minute
Snapshot command[0]: show version
Snapshot command[1]: show clock
Available alert groups:
Keyword	State	Description
configuration	Enable	configuration info
crash	Enable	crash and traceback info
environment	Enable	environmental info
inventory	Enable	inventory info
snapshot	Enable	snapshot info
syslog	Enable	syslog info
Profiles:
Profile Name: campus-noc
Profile Name: CiscoTAC-1
`
	guideProfiles = `Profile Name: campus-noc
 Profile status: ACTIVE
 Preferred Message Format: xml
 Message Size Limit: 3145728 Bytes
 Transport Method: email
 Email address(es): noc@example.com
 HTTP address(es): Not yet set up

Alert-group	Severity
configuration	normal
crash	normal
environment	debug
inventory	normal

Syslog-Pattern	Severity
.*CALL_LOOP.*	debug

Profile Name: CiscoTAC-1
 Profile status: INACTIVE
 Profile mode: Full Reporting
 Preferred Message Format: xml
 Message Size Limit: 3145728 Bytes
 Transport Method: email
 Email address(es): callhome@cisco.com
 HTTP address(es): https://tools.cisco.com/its/service/oddce/services/DDCEService

Periodic configuration info message is scheduled every 14 day of the month at 11:12

Periodic inventory info message is scheduled every 14 day of the month at 10:57

Alert-group	Severity
crash	normal
environment	minor

Syslog-Pattern	Severity
.*CALL_LOOP.*	debug
`
	guideMailServers = `Please wait. Checking for mail server status ...
Mail-server[1]: Address: 192.0.2.1 Priority: 1 [Not Available]
 Mail-server[2]: Address: 209.165.202.254 Priority: 2 [Available]
`
	guideStatistics = `Message Types	Total	Email	HTTP
Total Success	3	3	0
Config	3	3	0
Crash	0	0	0
Environment	0	0	0
Inventory	0	0	0
Snapshot	0	0	0
SysLog	0	0	0
Test	0	0	0
Request	0	0	0
Send-CLI	0	0	0
Total In-Queue	0	0	0
Config	0	0	0
Crash	0	0	0
Environment	0	0	0
Inventory	0	0	0
Snapshot	0	0	0
SysLog	0	0	0
Test	0	0	0
Request	0	0	0
Send-CLI	0	0	0
Total Failed	0	0	0
Config	0	0	0
Crash	0	0	0
Environment	0	0	0
Inventory	0	0	0
Snapshot	0	0	0
SysLog	0	0	0
Test	0	0	0
Request	0	0	0
Send-CLI	0	0	0
Total Ratelimit
-dropped	0	0	0
Config	0	0	0
Crash	0	0	0
Environment	0	0	0
Inventory	0	0	0
Snapshot	0	0	0
SysLog	0	0	0
Test	0	0	0
Request	0	0	0
Send-CLI	0	0	0
Last call-home message sent time: 2011-09-26 23:26:50 GMT-08:00
`
)

// normalize returns the non-blank lines of s with runs of blanks collapsed
// to one space, leaving out lines of dashes.
func normalize(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" || strings.Trim(l, "- ") == "" {
			continue
		}
		out = append(out, l)
	}
	return out
}

// checkSample reports each line of the guide's sample that is missing from
// got, or out of order.
func checkSample(t *testing.T, sample, got string) {
	t.Helper()
	have := normalize(got)
	i := 0
	for _, want := range normalize(sample) {
		j := i
		for j < len(have) && have[j] != want {
			j++
		}
		if j == len(have) {
			t.Errorf("the guide's line %q is missing (or out of order) after %q", want, have[max(i-1, 0)])
			continue
		}
		i = j + 1
	}
	if t.Failed() {
		t.Logf("output:\n%s", got)
	}
}

func TestGuideSamples(t *testing.T) {
	data, err := os.ReadFile("testdata/guide.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := iosconfig.Parse("testdata/guide.conf", data)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	Summary(&b, cfg)
	checkSample(t, guideSummary, b.String())

	b.Reset()
	Detail(&b, cfg)
	detail := strings.Replace(guideSummary, "Profile Name: campus-noc\nProfile Name: CiscoTAC-1\n", guideProfiles, 1)
	checkSample(t, detail, b.String())

	b.Reset()
	Profiles(&b, cfg)
	checkSample(t, guideProfiles, b.String())

	b.Reset()
	AlertGroups(&b, cfg)
	checkSample(t, guideSummary[strings.Index(guideSummary, "Available"):strings.Index(guideSummary, "Profiles:")], b.String())

	b.Reset()
	at := time.Date(2011, 9, 26, 23, 26, 40, 0, time.UTC)
	MailServerStatus(&b, []transport.ServerStatus{
		{Address: "192.0.2.1", Priority: 1, Checked: at},
		{Address: "209.165.202.254", Priority: 2, Available: true, Checked: at},
	})
	checkSample(t, guideMailServers, b.String())

	b.Reset()
	Statistics(&b, outbox.Statistics{
		Success:  outbox.Table{outbox.TypeConfig: {Email: 3}},
		LastSent: time.Date(2011, 9, 26, 23, 26, 50, 0, time.FixedZone("", -8*3600)),
	})
	checkSample(t, guideStatistics, b.String())
}
