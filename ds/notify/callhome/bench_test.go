package callhome

import (
	"strings"
	"testing"
)

// BenchmarkBuildXML renders a DS message with 5 attachments of 8 KiB of
// show output each; it reports µs per message.
func BenchmarkBuildXML(b *testing.B) {
	line := "GigabitEthernet1/0/1   192.0.2.1       YES NVRAM  up                    up      \n"
	out := strings.Repeat(line, 8192/len(line)+1)[:8192]
	m := dsMessage(b)
	m.Attachments = nil
	for i := range 5 {
		m.Attachments = append(m.Attachments, Attachment{Command: "show command " + string(rune('a'+i)), Output: out})
	}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		got, err := XML(m, Options{To: "https://collector.example.com/callhome"})
		if err != nil {
			b.Fatal(err)
		}
		size = len(got)
	}
	b.SetBytes(int64(size))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N), "µs/message")
}
