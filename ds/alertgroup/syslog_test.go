package alertgroup

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/golden"
)

// parseLine parses a syslog line as the daemon does.
func parseLine(t *testing.T, line string, at time.Time) *events.Message {
	t.Helper()
	var m events.Message
	syslogmsg.Parse([]byte(line), at, &m)
	return &m
}

const (
	linkDown  = "<187>343: edge-1: *Nov 23 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to down"
	linkUp    = "<189>344: edge-1: *Nov 23 09:22:05.678 UTC: %LINK-5-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up"
	sysCrit   = "<186>345: edge-1: *Nov 23 09:23:00.000 UTC: %SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed"
	configMsg = "<189>346: edge-1: *Nov 23 09:24:00.000 UTC: %SYS-5-CONFIG_I: Configured from console by vty0"
	envWarn   = "<188>347: edge-1: *Nov 23 09:25:00.000 UTC: %ENVM-4-ENVWARN: Temperature sensor 1 measured 85C"
	envShut   = "<184>348: edge-1: *Nov 23 09:25:30.000 UTC: %ENVM-0-SHUT: Environmental Monitor initiated shutdown"
	oirRemove = "<190>349: edge-1: *Nov 23 09:26:00.000 UTC: %OIR-6-REMCARD: Card removed from slot 3, interfaces disabled"
)

// syslogSends feeds lines and returns "Type DEST" of what was enqueued.
func syslogSends(t *testing.T, h *harness, lines ...string) []string {
	t.Helper()
	h.out.reset()
	for _, l := range lines {
		h.s.Syslog(parseLine(t, l, h.clock.Now()))
	}
	h.s.Flush()
	return summary(h.out.all())
}

// TestSyslogSubscriptions: pattern and severity threshold per profile.
func TestSyslogSubscriptions(t *testing.T) {
	h := newHarness(t, testConfig)
	tests := []struct {
		line string
		want []string
	}{
		// user1: pattern LINK-3-UPDOWN, minor (syslog error) and up.
		{linkDown, []string{"SysLog https://collector.example.com/callhome"}},
		// LINK-5 is notice (notification): below minor; pattern misses too.
		{linkUp, nil},
		// mail: critical and up (syslog alert, emergency): MALLOCFAIL is
		// critical (2) = Call Home major: below critical.
		{sysCrit, nil},
		{configMsg, nil},
	}
	for _, tc := range tests {
		if got := syslogSends(t, h, tc.line); !slices.Equal(got, tc.want) {
			t.Errorf("%s\n sent %q, want %q", tc.line, got, tc.want)
		}
	}
	// Raise mail's threshold's reach: severity major admits MALLOCFAIL.
	h.cfg.Profile("mail").Subscriptions[0].Severity = 5
	if got := syslogSends(t, h, sysCrit); !slices.Equal(got, []string{"SysLog ops@example.com"}) {
		t.Errorf("major: sent %q", got)
	}
}

// TestSyslogMessage checks the syslog message's content.
func TestSyslogMessage(t *testing.T) {
	h := newHarness(t, testConfig)
	syslogSends(t, h, linkDown)
	msgs := h.out.all()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	x := parseAML(t, msgs[0].Body)
	if x.CallHome.Event.Type != "syslog" || x.CallHome.Event.SubType != "UPDOWN" {
		t.Errorf("event %+v", x.CallHome.Event)
	}
	if x.Header.Severity != 4 {
		t.Errorf("severity %d, want 4 (minor, syslog error)", x.Header.Severity)
	}
	wantDesc := "343: edge-1: *Nov 23 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to down"
	if x.CallHome.Description != wantDesc {
		t.Errorf("description %q", x.CallHome.Description)
	}
	if x.CallHome.EventTime != "2026-11-23 09:22:01 GMT+00:00" {
		t.Errorf("event time %q", x.CallHome.EventTime)
	}
	if !slices.Equal(x.names(), syslogCommands) {
		t.Errorf("commands %q", x.names())
	}
	if msgs[0].Subject != "System Notification From edge-1 - syslog:UPDOWN - 2026-11-23 00:00:00 GMT+00:00" {
		t.Errorf("subject %q", msgs[0].Subject)
	}
	golden.Check(t, "testdata/syslog.xml.golden", msgs[0].Body)
}

// TestSyslogPatterns: up to five patterns a profile, regular expressions
// or text; the predefined .*CALL_LOOP.*.
func TestSyslogPatterns(t *testing.T) {
	conf := `service call-home
call-home
 profile "p"
  destination transport-method http
  destination address http https://p.example.com/ch
  subscribe-to-alert-group syslog pattern ".*CALL_LOOP.*"
  subscribe-to-alert-group syslog pattern "Gi1/0/[0-9]+, changed state to down"
  subscribe-to-alert-group syslog pattern "slot 3 ("
`
	h := newHarness(t, conf)
	for _, tc := range []struct {
		line string
		n    int
	}{
		{"<187>1: %VOICE-3-CALL_LOOP: loop detected", 1},
		{"<187>1: %LINK-3-UPDOWN: Interface Gi1/0/7, changed state to down", 1},
		{"<187>1: %LINK-3-UPDOWN: Interface Gi1/0/7, changed state to up", 0},
		{"<187>1: %X-3-Y: slot 3 (spare) failed", 1}, // not a valid RE: matched as text
		{"<187>1: %X-3-Y: slot 3 failed", 0},
	} {
		if got := syslogSends(t, h, tc.line); len(got) != tc.n {
			t.Errorf("%s: %d sent, want %d", tc.line, len(got), tc.n)
		}
	}
}

// TestSyslogThrottling: repeats of the same message beyond the limit in
// the window are suppressed; "no syslog-throttling" sends them all.
func TestSyslogThrottling(t *testing.T) {
	h := newHarness(t, testConfig, func(o *Options) { o.Throttle = Throttle{Window: 10 * time.Minute, Limit: 2} })
	var sent []int
	for i := range 6 {
		sent = append(sent, len(syslogSends(t, h, linkDown)))
		if i == 3 {
			h.clock.Advance(10 * time.Minute) // a new window
		}
		h.clock.Advance(time.Minute)
	}
	if want := []int{1, 1, 0, 0, 1, 1}; !slices.Equal(sent, want) {
		t.Errorf("sent per repeat %v, want %v", sent, want)
	}
	// Another message is not a repeat.
	other := strings.Replace(linkDown, "1/0/12", "1/0/13", 1)
	if got := syslogSends(t, h, other); len(got) != 1 {
		t.Errorf("a different message was throttled")
	}

	h.cfg.CallHome.SyslogThrottling = false
	for range 5 {
		if got := syslogSends(t, h, linkDown); len(got) != 1 {
			t.Fatalf("no syslog-throttling: %d sent", len(got))
		}
	}
}

// TestSyslogDefaultThrottle: 30 in two hours.
func TestSyslogDefaultThrottle(t *testing.T) {
	h := newHarness(t, testConfig)
	n := 0
	for range 40 {
		n += len(syslogSends(t, h, linkDown))
		h.clock.Advance(time.Minute)
	}
	if n != DefaultThrottleLimit {
		t.Errorf("%d sent in 40 minutes, want %d", n, DefaultThrottleLimit)
	}
	h.clock.Advance(DefaultThrottleWindow)
	if got := syslogSends(t, h, linkDown); len(got) != 1 {
		t.Error("not sent after the window")
	}
}

// TestSyslogEnvironmentAndOIR: environment events and OIR card messages
// trigger their groups.
func TestSyslogEnvironmentAndOIR(t *testing.T) {
	h := newHarness(t, testConfig)
	// user1: environment severity major; ENVWARN (syslog warning =
	// Call Home warning) is below; SHUT (emergency = fatal) is above.
	if got := syslogSends(t, h, envWarn); len(got) != 0 {
		t.Errorf("ENVWARN sent %q", got)
	}
	// SHUT is also a syslog message for mail (critical and up).
	got := syslogSends(t, h, envShut)
	if !slices.Equal(got, []string{"SysLog ops@example.com", "Environment https://collector.example.com/callhome"}) {
		t.Fatalf("SHUT sent %q", got)
	}
	x := parseAML(t, h.out.all()[1].Body)
	if x.CallHome.Event.SubType != "SHUT" || x.Header.Severity != 7 || !slices.Equal(x.names(), environmentCommands) {
		t.Errorf("environment message %+v severity %d %q", x.CallHome.Event, x.Header.Severity, x.names())
	}
	// mail subscribes to inventory without periodic: the delta message.
	got = syslogSends(t, h, oirRemove)
	if !slices.Equal(got, []string{"Inventory ops@example.com"}) {
		t.Fatalf("OIR sent %q", got)
	}
	body := string(h.out.all()[0].Body)
	for _, want := range []string{"Message name: HARDWARE_REMOVAL\n", "Message subtype: delta\n",
		"Command output name: show diag all eeprom detail\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("OIR message lacks %q", want)
		}
	}
}

// TestSyslogDisabled: nothing without service call-home, with the group
// disabled, or after Close.
func TestSyslogDisabled(t *testing.T) {
	h := newHarness(t, strings.Replace(testConfig, "service call-home\n", "", 1))
	if got := syslogSends(t, h, linkDown); len(got) != 0 {
		t.Errorf("sent with Call Home disabled: %q", got)
	}
	h = newHarness(t, testConfig+" no alert-group syslog\n")
	if got := syslogSends(t, h, linkDown); len(got) != 0 {
		t.Errorf("sent with the group disabled: %q", got)
	}
	h = newHarness(t, testConfig)
	h.s.Close()
	if n := h.s.Syslog(parseLine(t, linkDown, t0)); n != 0 {
		t.Errorf("queued %d after Close", n)
	}
}

// TestSyslogQueueFull: a full queue drops instead of blocking.
func TestSyslogQueueFull(t *testing.T) {
	block := make(chan struct{})
	h := newHarness(t, testConfig, func(o *Options) { o.SyslogQueue = 1; o.Throttle = Throttle{Limit: 1000} })
	h.out.log = &eventLog{}
	h.s.exec = blockingExec{block: block, next: h.exec}
	queued := 0
	for range 5 {
		queued += h.s.Syslog(parseLine(t, linkDown, t0))
	}
	close(block)
	h.s.Flush()
	if queued < 1 || queued > 2 {
		t.Errorf("%d queued with a queue of 1 and a busy worker", queued)
	}
	if len(h.out.all()) != queued {
		t.Errorf("%d sent, %d queued", len(h.out.all()), queued)
	}
}
