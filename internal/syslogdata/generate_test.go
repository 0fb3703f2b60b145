package syslogdata

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

var start = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestDeterministic(t *testing.T) {
	a, b := Lines(500, 3, start), Lines(500, 3, start)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("line %d differs between runs with the same seed", i)
		}
	}
	pa, pb := Patterns(200, 3, 0.02), Patterns(200, 3, 0.02)
	for i := range pa {
		if pa[i] != pb[i] {
			t.Fatalf("pattern %d differs", i)
		}
	}
}

func TestPatternsCompileAndMix(t *testing.T) {
	ps := Patterns(1000, 2, 0.02)
	if len(ps) != 1000 {
		t.Fatalf("%d patterns", len(ps))
	}
	kinds := map[string]int{}
	for i, p := range ps {
		if p.ID != i {
			t.Fatalf("pattern %d has id %d", i, p.ID)
		}
		if _, err := regexp.Compile(p.Regexp); err != nil {
			t.Errorf("%q: %v", p.Regexp, err)
		}
		kinds[p.Kind]++
	}
	if kinds[KindNoLiteral] != 20 || kinds[KindTagText] < 400 || kinds[KindTagRegexp] < 100 {
		t.Errorf("mix %v", kinds)
	}
}

func TestWriters(t *testing.T) {
	var lb, pb bytes.Buffer
	lines := Lines(10, 1, start)
	if err := WriteLines(&lb, lines); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(lb.String(), "\n"); n != 10 {
		t.Errorf("%d lines written", n)
	}
	if err := WritePatterns(&pb, Patterns(5, 1, 0)); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(pb.String()), "\n") {
		if len(strings.SplitN(l, "\t", 3)) != 3 {
			t.Errorf("pattern line %q", l)
		}
	}
}

// Every shape of line reads as the shape it stands for: only the uptime
// stamps and the bare bodies (a tenth of the lines) have no date, and the
// RFC 5424 relays are read as such (a missing field once made a tenth of
// the log undated and hostless).
func TestLinesParse(t *testing.T) {
	lines := Lines(10000, 1, start)
	undated, rfc5424 := 0, 0
	for _, l := range lines {
		var m events.Message
		syslogmsg.Parse(l, start.Add(48*time.Hour), &m)
		if m.TimeFrom == events.TimeReceived {
			undated++
		}
		if m.Format == events.FormatRFC5424 {
			rfc5424++
			if m.Host == "" || m.TimeFrom != events.TimeEnvelope {
				t.Errorf("RFC 5424 line %q read as host %q, time from %v", l, m.Host, m.TimeFrom)
			}
		}
	}
	if undated < 800 || undated > 1200 {
		t.Errorf("%d of %d lines undated, want about a tenth", undated, len(lines))
	}
	if rfc5424 < 800 || rfc5424 > 1200 {
		t.Errorf("%d of %d lines read as RFC 5424, want about a tenth", rfc5424, len(lines))
	}
}
