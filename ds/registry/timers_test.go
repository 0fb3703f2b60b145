package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

const ticking = `<DiagnosticSignature id="6060" revision="1.0"><Name>Tick</Name>
  <Events>
    <Event id="tick" type="periodic" interval="60s"/>
    <Event id="down" type="syslog" pattern="%LINK-3-UPDOWN"/>
    <Correlate>tick or down</Correlate>
  </Events>
  <Actions><Action type="message">ran</Action></Actions>
</DiagnosticSignature>`

// A DS wanted with NoTimers registers its other events but not its
// periodic one; wanted again with its timers, it registers them.
func TestNoTimers(t *testing.T) {
	f := newFixture(t)
	s := sig(t, ticking)
	f.reg.Sync([]Want{{Sig: s, NoTimers: true}})
	f.clk.Advance(3 * time.Minute)
	if len(f.fx.calls) != 0 {
		t.Fatalf("without its timers the DS ran %q", f.fx.calls)
	}
	f.syslog(t, 3*time.Minute+time.Second, "%LINK-3-UPDOWN: Interface Gi1/0/4, changed state to down")
	if len(f.fx.calls) != 1 {
		t.Fatalf("without its timers, a syslog line: %q, want one run", f.fx.calls)
	}
	f.fx.calls = nil
	f.reg.Sync([]Want{{Sig: s}})
	f.clk.Advance(60 * time.Second)
	if len(f.fx.calls) != 1 {
		t.Fatalf("with its timers, a minute: %q, want one run", f.fx.calls)
	}
	f.fx.calls = nil
	f.reg.Sync([]Want{{Sig: s, NoTimers: true}})
	f.clk.Advance(3 * time.Minute)
	if len(f.fx.calls) != 0 {
		t.Fatalf("timers off again, the DS ran %q", f.fx.calls)
	}
}

func TestIsTimer(t *testing.T) {
	for _, c := range []struct {
		ev   ds.Event
		want bool
	}{
		{ds.Event{Type: ds.EventPeriodic}, true},
		{ds.Event{Type: ds.EventEEM, EEMLine: "event timer watchdog time 30"}, true},
		{ds.Event{Type: ds.EventEEM, EEMLine: `event syslog pattern "UPDOWN"`}, false},
		{ds.Event{Type: ds.EventImmediate}, false},
		{ds.Event{Type: ds.EventSyslog}, false},
	} {
		if got := IsTimer(c.ev); got != c.want {
			t.Errorf("IsTimer(%s %s) = %v, want %v", c.ev.Type, strings.TrimSpace(c.ev.EEMLine), got, c.want)
		}
	}
}
