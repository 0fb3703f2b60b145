package actions

import (
	"strings"
	"sync"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/events"
)

// capCounts counts the caps hit, as the daemon's metrics do.
type capCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *capCounts) hit(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}

func (c *capCounts) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// syslogSink is the local syslog of the tests: what the messenger wrote.
type syslogSink struct {
	lines, bytes, longest int
	echoed                int
}

// TestScriptLogVolumeIsCapped: a script's log lines are cut at 4 KiB
// each, a run logs at most 256 lines and 256 KiB (then action_syslog
// fails with a script error naming the cap), and an error() of 16 MiB is
// cut to the output cap; every cut and refusal is counted.
func TestScriptLogVolumeIsCapped(t *testing.T) {
	var sink syslogSink
	caps := &capCounts{}
	m := message.New(message.Options{
		Syslog: func(sev ds.Severity, line string) error {
			sink.lines++
			sink.bytes += len(line)
			sink.longest = max(sink.longest, len(line))
			return nil
		},
		Echo:  func(ds.Severity, string, events.Origin) { sink.echoed++ },
		OnCap: caps.hit,
	})
	l := &Live{Messenger: m}
	eng, records := liveEngineCaps(t, l, caps.hit)
	for _, s := range []*ds.Signature{
		scriptDS(t, "7010", `for i = 1, 1000 do action_syslog{msg = string.rep("y", 100)} end`),
		scriptDS(t, "7011", `local s = string.rep("z", 16 * 1024 * 1024) for i = 1, 20 do action_syslog{msg = s} end`),
		scriptDS(t, "7012", `error(string.rep("e", 16 * 1024 * 1024))`),
		scriptDS(t, "7013", `action_syslog{msg = string.rep("w", 100000)} action_syslog{msg = string.rep("w", 100000)}
action_syslog{msg = string.rep("w", 100000)}`),
	} {
		eng.Add(t.Context(), s, nil)
	}

	r := fire(t, eng, records, "7010")
	if !r.Failed || !strings.Contains(r.Detail, "SYSLOG_ERR: action_syslog") || !strings.Contains(r.Detail, "256 lines") {
		t.Errorf("1,000 lines: %v %.300s; want a script error naming the 256-line cap", r.Failed, r.Detail)
	}
	if sink.lines != 256 {
		t.Errorf("1,000 lines: %d logged, want 256", sink.lines)
	}

	sink = syslogSink{}
	r = fire(t, eng, records, "7011")
	if !r.Failed || !strings.Contains(r.Detail, "SYSLOG_ERR: action_syslog") || !strings.Contains(r.Detail, "262144") {
		t.Errorf("20 × 16 MiB: %v %.300s; want a script error naming the 256 KiB cap", r.Failed, r.Detail)
	}
	if sink.bytes > 0 {
		t.Errorf("20 × 16 MiB: %d bytes logged, want none", sink.bytes)
	}

	r = fire(t, eng, records, "7012")
	if !r.Failed || len(r.Detail) > 65<<10 || !strings.Contains(r.Detail, "bytes cut)") {
		t.Errorf("error() of 16 MiB: the action's error is %d bytes (%.100s…); want it cut to 64 KiB", len(r.Detail), r.Detail)
	}

	// Within the run's 256 KiB, each line is cut at 4 KiB; the third
	// 100 kB line is past the run's volume.
	sink = syslogSink{}
	r = fire(t, eng, records, "7013")
	if !r.Failed || sink.lines != 2 || sink.longest > message.MaxLine || sink.echoed != 2 {
		t.Errorf("3 × 100 kB: failed %v, %d lines, the longest %d bytes, %d echoed; want 2 lines of at most %d bytes",
			r.Failed, sink.lines, sink.longest, sink.echoed, message.MaxLine)
	}
	for name, want := range map[string]int{message.CapLine: 2, "script-syslog": 3, "script-error": 1} {
		if got := caps.get(name); got != want {
			t.Errorf("cap %s hit %d times, want %d", name, got, want)
		}
	}
}
