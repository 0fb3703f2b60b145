package alertgroup

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
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

// syslogSends delivers lines to the hub the Sender subscribed to and
// returns "Type DEST" of what was enqueued.
func syslogSends(t *testing.T, h *harness, lines ...string) []string {
	t.Helper()
	h.out.reset()
	for _, l := range lines {
		h.hub.Deliver(parseLine(t, l, h.clock.Now()))
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
		// Not a syslog message for anyone, but user1's configuration
		// change event, through the hub's config detector.
		{configMsg, []string{"Config https://collector.example.com/callhome"}},
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
	// SHUT is also a syslog message for mail (critical and up); the
	// groups' detectors fire in no set order.
	got := syslogSends(t, h, envShut)
	slices.Sort(got)
	if !slices.Equal(got, []string{"Environment https://collector.example.com/callhome", "SysLog ops@example.com"}) {
		t.Fatalf("SHUT sent %q", got)
	}
	var env []byte
	for _, m := range h.out.all() {
		if m.Type == "Environment" {
			env = m.Body
		}
	}
	x := parseAML(t, env)
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
	h := newHarness(t, strings.Replace(testConfig, "service call-home\n", "no service call-home\n", 1))
	if got := syslogSends(t, h, linkDown); len(got) != 0 {
		t.Errorf("sent with Call Home disabled: %q", got)
	}
	h = newHarness(t, testConfig+" no alert-group syslog\n")
	if got := syslogSends(t, h, linkDown); len(got) != 0 {
		t.Errorf("sent with the group disabled: %q", got)
	}
	h = newHarness(t, testConfig)
	h.s.Close()
	if got := syslogSends(t, h, linkDown, envShut, oirRemove); len(got) != 0 {
		t.Errorf("sent after Close: %q", got)
	}
	if got := h.registered(); len(got) != 0 {
		t.Errorf("still registered after Close: %q", got)
	}
	if err := h.s.Subscribe(h.hub); err == nil {
		t.Error("Subscribe after Close succeeded")
	}
}

// TestQueueFull: a full queue drops and counts instead of blocking the
// goroutine that delivers.
func TestQueueFull(t *testing.T) {
	block := make(chan struct{})
	h := newHarness(t, testConfig, func(o *Options) { o.Queue = 1; o.Throttle = Throttle{Limit: 1000} })
	h.out.log = &eventLog{}
	h.s.exec = blockingExec{block: block, next: h.exec}
	for range 5 {
		h.hub.Deliver(parseLine(t, linkDown, h.clock.Now()))
		h.clock.Advance(time.Second) // another line, received later
	}
	close(block)
	h.s.Flush()
	dropped := int(h.s.Dropped())
	if dropped < 3 || dropped > 4 {
		t.Errorf("%d dropped of 5 with a queue of 1 and a busy worker", dropped)
	}
	if got := len(h.out.all()); got != 5-dropped {
		t.Errorf("%d sent, %d dropped of 5", got, dropped)
	}
}

// TestSubscribe: the groups' detectors are registered on the hub beside
// the DS ones, and a new configuration replaces them.
func TestSubscribe(t *testing.T) {
	h := newHarness(t, testConfig)
	want := []string{
		"alertgroup:syslog syslog pattern-1",        // user1's LINK-3-UPDOWN
		"alertgroup:syslog syslog pattern-2",        // mail's, empty: every line
		"alertgroup:environment syslog environment", // user1
		"alertgroup:inventory oir oir",              // mail (user1's is periodic)
		"alertgroup:configuration config change",    // user1
	}
	if got := h.registered(); !slices.Equal(got, want) {
		t.Errorf("registered\n%q, want\n%q", got, want)
	}

	// A reload: user1 now watches another pattern, nobody the others.
	next := strings.Replace(testConfig, `syslog severity minor pattern "LINK-3-UPDOWN"`, `syslog pattern "SYS-2-MALLOCFAIL"`, 1)
	next = strings.NewReplacer("  subscribe-to-alert-group configuration\n", "",
		"  subscribe-to-alert-group environment severity major\n", "",
		"  subscribe-to-alert-group inventory\n", "",
		"  subscribe-to-alert-group syslog severity critical\n", "").Replace(next)
	cfg, err := iosconfig.Parse("t.conf", []byte(next))
	if err != nil {
		t.Fatal(err)
	}
	h.cfg = cfg
	if err := h.s.Subscribe(h.hub); err != nil {
		t.Fatal(err)
	}
	if got := h.registered(); !slices.Equal(got, []string{"alertgroup:syslog syslog pattern-1"}) {
		t.Errorf("after the reload, registered %q", got)
	}
	if got := syslogSends(t, h, linkDown, configMsg, oirRemove); len(got) != 0 {
		t.Errorf("old subscriptions still send: %q", got)
	}
	if got := syslogSends(t, h, sysCrit); !slices.Equal(got, []string{"SysLog https://collector.example.com/callhome"}) {
		t.Errorf("the new pattern sent %q", got)
	}

	// Without Call Home nothing is registered.
	h.cfg = config.Default()
	if err := h.s.Subscribe(h.hub); err != nil {
		t.Fatal(err)
	}
	if got := h.registered(); len(got) != 0 {
		t.Errorf("without service call-home, registered %q", got)
	}
}

// TestInjectedOIR: an OIR event injected into the hub (`dsengine event
// oir`) reaches the inventory group as a %OIR message does.
func TestInjectedOIR(t *testing.T) {
	h := newHarness(t, testConfig)
	for _, tc := range []struct {
		action, name, desc string
	}{
		{"remove", "HARDWARE_REMOVAL", "Card removed from slot 3"},
		{"insert", "HARDWARE_INSERTION", "Card inserted in slot 3"},
	} {
		h.out.reset()
		if err := h.hub.InjectOIR(3, tc.action); err != nil {
			t.Fatal(err)
		}
		h.s.Flush()
		if got := summary(h.out.all()); !slices.Equal(got, []string{"Inventory ops@example.com"}) {
			t.Fatalf("%s: sent %q", tc.action, got)
		}
		body := string(h.out.all()[0].Body)
		for _, want := range []string{"Message name: " + tc.name + "\n", "Message subtype: delta\n",
			"Message description: " + tc.desc + "\n", "Command output name: show diag all eeprom detail\n"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: message lacks %q:\n%s", tc.action, want, body)
			}
		}
	}
}

// TestConfigChangeQueued: a configuration change the hub reports is sent
// by the worker: the goroutine that reported it does not wait for the
// commands.
func TestConfigChangeQueued(t *testing.T) {
	block := make(chan struct{})
	h := newHarness(t, testConfig)
	h.s.exec = blockingExec{block: block, next: h.exec}
	reported := make(chan struct{})
	go func() {
		h.hub.ConfigChanged("/etc/dsengine/dsengine.conf")
		close(reported)
	}()
	select {
	case <-reported:
	case <-time.After(10 * time.Second):
		t.Fatal("reporting a configuration change waits for its message")
	}
	if n := len(h.out.all()); n != 0 {
		t.Errorf("%d messages enqueued before the commands ran", n)
	}
	close(block)
	h.s.Flush()
	msgs := h.out.all()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	x := parseAML(t, msgs[0].Body)
	if x.CallHome.Event.Type != "configuration" || x.CallHome.Event.SubType != "delta" {
		t.Errorf("event %+v", x.CallHome.Event)
	}
}

// TestSyslogOverlappingPatterns: a line that several patterns match goes
// once to each profile, in one message whose commands run once, and
// counts once against the throttle.
func TestSyslogOverlappingPatterns(t *testing.T) {
	conf := `service call-home
call-home
 profile "p"
  destination transport-method http
  destination address http https://p.example.com/ch
  subscribe-to-alert-group syslog pattern "LINK-3"
  subscribe-to-alert-group syslog pattern "UPDOWN"
 profile "q"
  destination transport-method http
  destination address http https://q.example.com/ch
  subscribe-to-alert-group syslog pattern "GigabitEthernet1/0/12"
`
	block := make(chan struct{})
	h := newHarness(t, conf, func(o *Options) { o.Throttle = Throttle{Limit: 1} })
	h.s.exec = blockingExec{block: block, next: h.exec}
	// The worker is busy with another line (p's) while linkDown's three
	// fires decide.
	other := "<187>342: edge-1: *Nov 23 09:21:00.000 UTC: %LINK-3-UPDOWN: Interface Gi9, changed state to down"
	h.hub.Deliver(parseLine(t, other, h.clock.Now()))
	h.hub.Deliver(parseLine(t, linkDown, h.clock.Now()))
	close(block)
	h.s.Flush()
	got := summary(h.out.all())
	slices.Sort(got)
	if want := []string{"SysLog https://p.example.com/ch", "SysLog https://p.example.com/ch", "SysLog https://q.example.com/ch"}; !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
	if ran := h.exec.commands(); len(ran) != 2*len(syslogCommands) {
		t.Errorf("ran %q: the commands of two lines, once each, are %d", ran, 2*len(syslogCommands))
	}
	// The throttle (1 a window) counted linkDown once: the repeat is held
	// back for both profiles.
	h.clock.Advance(time.Minute)
	if got := syslogSends(t, h, linkDown); len(got) != 0 {
		t.Errorf("repeat sent %q", got)
	}
}

// TestEnvironmentPattern: the environment detector's pattern takes the
// guide's mnemonics of an environment facility only.
func TestEnvironmentPattern(t *testing.T) {
	re := regexp.MustCompile(environmentPattern)
	for body, want := range map[string]bool{
		"%ENVM-4-ENVWARN: Temperature sensor 1 measured 85C":          true,
		"%ENVIRONMENT-2-ENVCRIT: Power supply 1 voltage critical":     true,
		"%C6KENV-SP-0-SHUT: Environmental Monitor initiated shutdown": true,
		"%envm-6-PSOK: Power supply 2 now appears to work":            true,
		"%PLATFORM_ENV-1-RPSFAIL":                                     true,
		"%ENVM-4-ENVWARNING: not one of the table's":                  false,
		"%LINK-3-ENVWARN: not an environment facility":                false,
		"%SYS-5-CONFIG_I: Configured from console (ENVM-4-ENVWARN)":   false,
	} {
		if got := re.MatchString(body); got != want {
			t.Errorf("%q: match %v, want %v", body, got, want)
		}
	}
}
