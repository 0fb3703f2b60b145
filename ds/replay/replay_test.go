package replay

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

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

// A log without years that passes New Year goes on into the next year;
// one that goes back is counted, and the clock stays where it was.
func TestReplayYearsAndBackwardLines(t *testing.T) {
	log := strings.Join([]string{
		"Dec 31 23:59:00.000: %SYS-5-RESTART: System restarted",
		"Jan  1 00:00:30.000: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
		"Dec 31 23:59:50.000: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
		"Jan  1 00:05:00.000: %SYS-5-CONFIG_I: Configured from console",
	}, "\n")
	reference := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	sum, err := Run(context.Background(), sigs(t, twiceInAMinute), strings.NewReader(log), Options{Hostname: "edge-1", Reference: reference})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC); !sum.Start.Equal(want) {
		t.Errorf("start %v, want %v", sum.Start, want)
	}
	if want := time.Date(2027, 1, 1, 0, 5, 0, 0, time.UTC); !sum.End.Equal(want) {
		t.Errorf("end %v, want %v", sum.End, want)
	}
	if sum.Backwards != 1 || len(sum.FirstBackwards) != 1 || sum.FirstBackwards[0].N != 3 || sum.FirstBackwards[0].Back != 40*time.Second {
		t.Errorf("backward lines: %d %+v", sum.Backwards, sum.FirstBackwards)
	}
	// The backward line is replayed at the clock's time: 2 downs in 60 s.
	if sum.Triggers["7603"] != 1 || sum.Runs["7603"] != 1 {
		t.Errorf("triggers %v, runs %v", sum.Triggers, sum.Runs)
	}
}

// Lines without a readable timestamp are counted and the first kept, with
// their line numbers; they run at the time of the line before.
func TestReplayCountsUndatedLines(t *testing.T) {
	log := strings.Join([]string{
		"not a syslog line",
		"Nov 23 2026 10:00:00.000: %SYS-5-RESTART: System restarted",
		"",
		"%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
		"00:01:02: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
		"more",
		"Nov 23 2026 10:30:00.000: %SYS-5-CONFIG_I: Configured from console",
	}, "\n")
	var recs []engine.Record
	sum, err := Run(context.Background(), sigs(t, twiceInAMinute), strings.NewReader(log),
		Options{Hostname: "edge-1", Reference: ref, Report: func(r engine.Record) { recs = append(recs, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Undated != 4 || sum.Lines != 6 {
		t.Fatalf("undated %d of %d lines", sum.Undated, sum.Lines)
	}
	var got []string
	for _, l := range sum.FirstUndated {
		got = append(got, fmt.Sprintf("%d:%s", l.N, l.Text))
	}
	want := "1:not a syslog line|4:%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down|5:00:01:02: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"
	if strings.Join(got, "|") != want {
		t.Errorf("first undated lines:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if len(recs) == 0 || recs[0].Kind != "trigger" || !recs[0].Time.Equal(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("the undated downs run at the time of the line before: %+v", recs)
	}
}

// Stamps without a zone are read in the device's zone, cron runs in it.
func TestReplayLocation(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris") // time/tzdata: on any machine
	if err != nil {
		t.Fatal(err)
	}
	daily := `<DiagnosticSignature id="7604" revision="1.0"><Name>Daily</Name>
  <Events><Event type="periodic" cron="0 12 * * *"/></Events>
  <Actions><Action type="message">noon</Action></Actions>
</DiagnosticSignature>`
	log := strings.Join([]string{
		"Nov 23 2026 10:00:00.000: %SYS-5-RESTART: System restarted",
		"Nov 23 2026 11:30:00.000 UTC: %SYS-5-CONFIG_I: Configured from console",
	}, "\n")
	var fired []time.Time
	sum, err := Run(context.Background(), sigs(t, daily), strings.NewReader(log), Options{Hostname: "edge-1", Reference: ref,
		Location: paris, Report: func(r engine.Record) {
			if r.Kind == "trigger" {
				fired = append(fired, r.Time)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC); !sum.Start.Equal(want) {
		t.Errorf("10:00 in Paris read as %v", sum.Start.UTC())
	}
	// 11:30 UTC is 12:30 in Paris: the noon cron of Paris ran at 11:00 UTC.
	if len(fired) != 1 || !fired[0].Equal(time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("cron fired at %v", fired)
	}
}

// BenchmarkReplay1000DS is bench/dstest's loop in one process: 200,000
// generated lines (seed 1) against 1,000 generated one-pattern DS (seed 2,
// 0.5 % without a literal), each firing a message action; about a fifth
// of the lines fire a DS.
func BenchmarkReplay1000DS(b *testing.B) {
	lines := syslogdata.Lines(200_000, 1, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if err := syslogdata.WriteLines(&buf, lines); err != nil {
		b.Fatal(err)
	}
	var xmls []string
	for _, p := range syslogdata.Patterns(1000, 2, 0.005) {
		xmls = append(xmls, fmt.Sprintf(`<DiagnosticSignature id="%d" revision="1.0"><Name>Gen</Name>
  <Events><Event type="syslog" pattern="%s"/></Events>
  <Actions><Action type="message">matched</Action></Actions>
</DiagnosticSignature>`, 100000+p.ID, html.EscapeString(p.Regexp)))
	}
	s := sigs(b, xmls...)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), s, bytes.NewReader(buf.Bytes()), Options{Hostname: "edge-1", Reference: ref}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(lines)*b.N)/b.Elapsed().Seconds(), "lines/s")
}
