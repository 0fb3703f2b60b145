package daemon

import (
	"runtime"
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
		// A queue of queue-size lines a shard, a shard a core.
		if n := d.QueueShards(); n != runtime.GOMAXPROCS(0) {
			t.Errorf("%d shards on %d cores", n, runtime.GOMAXPROCS(0))
		}
		if _, capacity := d.QueueDepth(); capacity != c.want*d.QueueShards() {
			t.Errorf("%q: queues of %d lines in all, want %d in each of %d", c.conf, capacity, c.want, d.QueueShards())
		}
	}
}
