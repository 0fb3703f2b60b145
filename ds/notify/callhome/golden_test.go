package callhome

import (
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/golden"
)

// TestGolden renders a DS message with two commands, a syslog alert-group
// message and a test message in each format; `go test -update` rewrites
// the files.
func TestGolden(t *testing.T) {
	msgs := []struct {
		name string
		m    *Message
		to   string
	}{
		{"ds", dsMessage(t), "https://collector.example.com/callhome"},
		{"syslog", syslogMessage(t), "https://collector.example.com/callhome"},
		{"test", testMessage(t), config.CiscoTACURL},
	}
	formats := []struct {
		ext string
		f   config.MessageFormat
	}{
		{"xml", config.FormatXML},
		{"long.txt", config.FormatLongText},
		{"short.txt", config.FormatShortText},
	}
	for _, m := range msgs {
		for _, f := range formats {
			t.Run(m.name+"."+f.ext, func(t *testing.T) {
				got, err := Render(m.m, f.f, Options{To: m.to})
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, "testdata/"+m.name+"."+f.ext+".golden", got)
				if f.f == config.FormatXML {
					if _, err := parseXML(got); err != nil {
						t.Errorf("does not parse back: %v", err)
					}
				}
			})
		}
	}
}

// TestGoldenTruncated renders the DS message with a long first output
// within a small message-size-limit.
func TestGoldenTruncated(t *testing.T) {
	m := dsMessage(t)
	m.Attachments[0].Output = strings.Repeat(m.Attachments[0].Output, 10)
	for _, f := range []struct {
		ext   string
		f     config.MessageFormat
		limit int
	}{{"xml", config.FormatXML, 4500}, {"long.txt", config.FormatLongText, 2500}} {
		got, err := Render(m, f.f, Options{To: "https://collector.example.com/callhome", SizeLimit: f.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > f.limit {
			t.Errorf("%s: %d bytes, limit %d", f.ext, len(got), f.limit)
		}
		golden.Check(t, "testdata/ds-truncated."+f.ext+".golden", got)
	}
}
