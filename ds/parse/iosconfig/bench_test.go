package iosconfig

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

// bigConfig is a configuration with n applets of three lines each.
func bigConfig(b *testing.B, n int) (*config.Config, []byte) {
	b.Helper()
	var s strings.Builder
	s.WriteString("hostname edge-1\ncall-home\n contact-email-addr noc@example.com\n")
	for i := range n {
		fmt.Fprintf(&s, "event manager applet A%d\n event syslog pattern \"LINK-%d-UPDOWN\"\n action 1.0 syslog msg \"link %d\"\n", i, i, i)
	}
	data := []byte(s.String())
	cfg, err := Parse("big.conf", data)
	if err != nil {
		b.Fatal(err)
	}
	return cfg, data
}

// BenchmarkParse1000Applets: reading a configuration of 1,000 applets.
func BenchmarkParse1000Applets(b *testing.B) {
	_, data := bigConfig(b, 1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("big.conf", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyLine1000Applets: one vty line (an action added to an
// applet) applied to a running configuration of 1,000 applets, as
// `configure terminal` applies each line.
func BenchmarkApplyLine1000Applets(b *testing.B) {
	cfg, _ := bigConfig(b, 1000)
	path := Path{"event manager applet A500"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Apply(cfg, path, `action 2.0 puts "hello"`); err != nil {
			b.Fatal(err)
		}
	}
}
