package daemon

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/vty"
)

// BenchmarkVTYLine1000Applets: one `configure terminal` line (an action
// added to one applet) applied by a running daemon with 1,000 applets:
// the line parsed against the running configuration, then the
// configuration switched as a reload switches it.
func BenchmarkVTYLine1000Applets(b *testing.B) {
	var conf strings.Builder
	conf.WriteString("hostname edge-1\n")
	for i := range 1000 {
		fmt.Fprintf(&conf, "event manager applet A%d\n event syslog pattern \"LINK-%d-UPDOWN\"\n action 1.0 syslog msg \"link %d\"\n", i, i, i)
	}
	d, _ := startVTYDaemon(b, conf.String())
	h := vtyHost{d}
	path := vty.Path{"event manager applet A500"}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := h.Configure(ctx, path, fmt.Sprintf(`action 2.0 puts "hello %d"`, i)); err != nil {
			b.Fatal(err)
		}
	}
}
