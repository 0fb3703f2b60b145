package replay

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/parse"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

var ref = time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC)

func sigs(t testing.TB, xmls ...string) []*ds.Signature {
	var out []*ds.Signature
	for _, x := range xmls {
		s, err := parse.ParseSignature("t.xml", []byte(x))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

const linkDown = `<DiagnosticSignature id="7601" revision="1.0"><Name>Down</Name>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/></Events>
  <Actions><Action type="command">show interfaces ${ds_syslog_1}</Action><Action type="call-home"/></Actions>
</DiagnosticSignature>`

const hourly = `<DiagnosticSignature id="7602" revision="1.0"><Name>Hourly</Name>
  <Events><Event type="periodic" cron="0 * * * *"/></Events>
  <Actions><Action type="message">tick ${ds_timestamp}</Action></Actions>
</DiagnosticSignature>`

func TestReplayRunsOnLogTime(t *testing.T) {
	log := strings.Join([]string{
		"Nov 23 2026 10:00:00.000: %SYS-5-RESTART: System restarted",
		"Nov 23 2026 10:30:00.000: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
		"Nov 23 2026 12:10:00.000: %LINK-3-UPDOWN: Interface Gi1/0/2, changed state to up",
	}, "\n")
	var recs []engine.Record
	sum, err := Run(context.Background(), sigs(t, linkDown, hourly), strings.NewReader(log),
		Options{Hostname: "edge-1", Reference: ref, Report: func(r engine.Record) { recs = append(recs, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Triggers["7601"] != 1 || sum.Triggers["7602"] != 2 || sum.Lines != 3 {
		t.Fatalf("summary %+v", sum)
	}
	var ticks []string
	for _, r := range recs {
		if r.DS == "7602" && r.Kind == "action" {
			ticks = append(ticks, r.Time.Format("15:04")+" "+r.Detail)
		}
	}
	want := "11:00 would log %DS-5-MSG: tick 2026-11-23 11:00:00|12:00 would log %DS-5-MSG: tick 2026-11-23 12:00:00"
	if got := strings.Join(ticks, "|"); got != want {
		t.Errorf("periodic runs on the log's clock:\n%s\nwant\n%s", got, want)
	}
}

// BenchmarkReplay replays a day of generated syslog (86,400 lines, one a
// second) against a syslog DS and an hourly one.
func BenchmarkReplay(b *testing.B) {
	lines := syslogdata.Lines(86400, 1, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if err := syslogdata.WriteLines(&buf, lines); err != nil {
		b.Fatal(err)
	}
	s := sigs(b, linkDown, hourly)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), s, bytes.NewReader(buf.Bytes()), Options{Hostname: "edge-1", Reference: ref}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(lines)*b.N)/b.Elapsed().Seconds(), "lines/s")
}

const twiceInAMinute = `<DiagnosticSignature id="7603" revision="1.0"><Name>Twice</Name>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down" occurs="2" period="60s"/></Events>
  <Actions><Action type="message">twice</Action></Actions>
</DiagnosticSignature>`

// A log without years that jumps more than 3 days ahead: the clock must
// follow it, so two downs 103 s apart are not "2 in 60 s".
func TestReplayClockFollowsAJumpOfDays(t *testing.T) {
	log := strings.Join([]string{
		"Nov 15 10:00:00.000: %SYS-5-RESTART: System restarted",
		"Nov 19 10:00:00.000: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
		"Nov 19 10:01:43.000: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
	}, "\n")
	sum, err := Run(context.Background(), sigs(t, twiceInAMinute), strings.NewReader(log), Options{Hostname: "edge-1", Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Triggers["7603"] != 0 {
		t.Errorf("triggered %d times on downs 103 s apart", sum.Triggers["7603"])
	}
	if want := time.Date(2026, 11, 19, 10, 1, 43, 0, time.UTC); !sum.End.Equal(want) {
		t.Errorf("replay ended at %v, want %v", sum.End, want)
	}
}
