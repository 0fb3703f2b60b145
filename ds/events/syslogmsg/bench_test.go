package syslogmsg

import (
	"testing"

	"github.com/dsengine/dsengine/ds/events"
)

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"unsynced-flag", "counter-host-seq-uptime", "collector-prefix", "rfc5424-relay", "rfc3164-logger", "ios-xr", "no-tag-ntp"} {
		var line []byte
		for _, c := range parseCases {
			if c.name == name {
				line = []byte(c.line)
			}
		}
		b.Run(name, func(b *testing.B) {
			var m events.Message
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				Parse(line, recv, &m)
			}
		})
	}
}
