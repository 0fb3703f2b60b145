package daemon

import (
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

// TestQueueSize: the input queue holds `syslog queue-size` lines, or the
// default.
func TestQueueSize(t *testing.T) {
	for _, c := range []struct {
		conf string
		want int
	}{
		{"hostname edge-1\n", config.DefaultSyslogQueueSize},
		{"hostname edge-1\ndsengine\n syslog queue-size 5000\n", 5000},
	} {
		d, _ := startVTYDaemon(t, c.conf)
		if _, capacity := d.QueueDepth(); capacity != c.want {
			t.Errorf("%q: queue of %d lines, want %d", c.conf, capacity, c.want)
		}
	}
}
