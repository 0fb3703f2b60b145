package alertgroup

import (
	"regexp"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
)

// syslogJob is a syslog-triggered send waiting for the worker.
type syslogJob struct {
	cfg      *config.Config
	alert    Alert
	profiles []*config.Profile
}

// Syslog feeds one received syslog message to the alert groups and
// returns how many sends it queued (0 to 3):
//
//   - syslog: to the active profiles with a syslog subscription whose
//     pattern occurs in the message (a regular expression, RE2, as the
//     predefined ".*CALL_LOOP.*"; one that does not compile is matched as
//     text; an empty one matches all) and whose severity admits the
//     message's (config.FromSyslog of its syslog severity). Subtype the
//     mnemonic, description the line;
//   - environment: the events of the guide's table (SHUT, ENVCRIT, BLOWER,
//     ENVWARN, RPSFAIL, PSCHANGE, PSLEV, PSOK of an environment facility
//     such as ENVM or ENVIRONMENT), to the environment subscribers whose
//     severity admits it;
//   - inventory: %OIR REMCARD and INSCARD (HARDWARE_REMOVAL,
//     HARDWARE_INSERTION), a delta inventory message to the inventory
//     subscribers without "periodic".
//
// With syslog-throttling (the default) each group sends at most
// Throttle.Limit messages with the same text (the body from its %TAG) per
// Throttle.Window. Syslog decides at once and returns; the commands run and
// the messages are enqueued by the Sender's worker, in order (Flush waits
// for them). msg is used only during the call.
func (s *Sender) Syslog(msg *events.Message) int {
	cfg := s.cfg()
	if cfg == nil || !cfg.ServiceCallHome {
		return 0
	}
	sev := config.FromSyslog(int(msg.Severity))
	sysProfiles := s.syslogProfiles(cfg, msg.Body, sev)
	env := environmentEvent(msg)
	oirName, oir := oirEvent(msg)
	if len(sysProfiles) == 0 && !env && !oir {
		return 0 // the common case: no copy, no allocation beyond the match
	}
	m := msg.Clone()
	now := s.clock.Now()
	line := logLine(m.Raw)
	at := m.Time
	if at.IsZero() {
		at = now
	}
	var jobs []syslogJob
	add := func(a Alert, profiles []*config.Profile) {
		if len(profiles) == 0 || !groupEnabled(cfg, a.Group) {
			return
		}
		if cfg.CallHome.SyslogThrottling && !s.throttle.allow(string(a.Group)+"\x00"+m.Body, now) {
			s.log.Debug("call-home syslog throttling", "group", a.Group, "message", m.Body)
			return
		}
		jobs = append(jobs, syslogJob{cfg: cfg, alert: a, profiles: profiles})
	}

	a := NewAlert(config.GroupSyslog)
	a.SubType, a.Severity, a.Description, a.EventTime = m.Mnemonic, sev, line, at
	add(a, sysProfiles)

	if env {
		a := NewAlert(config.GroupEnvironment)
		a.Name, a.SubType, a.Severity, a.Description, a.EventTime = m.Mnemonic, m.Mnemonic, sev, line, at
		add(a, eventProfiles(cfg, config.GroupEnvironment, sev))
	}
	if oir {
		a := NewAlert(config.GroupInventory)
		a.Name, a.SubType, a.Description, a.EventTime = oirName, SubTypeDelta, line, at
		add(a, eventProfiles(cfg, config.GroupInventory, a.Severity))
	}

	queued := 0
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	for _, j := range jobs {
		if s.closed {
			break
		}
		s.pending.add(1)
		select {
		case s.jobs <- j:
			queued++
		default:
			s.pending.add(-1)
			s.log.Warn("call-home: syslog-triggered message dropped: too many waiting", "group", j.alert.Group, "message", m.Body)
		}
	}
	return queued
}

// work sends the queued syslog-triggered messages until Close.
func (s *Sender) work() {
	defer s.worker.Done()
	for j := range s.jobs {
		if s.ctx.Err() == nil {
			res := s.deliver(s.ctx, j.cfg, j.alert.spec(), j.profiles)
			if err := res.Error(); err != nil {
				s.log.Warn("call-home", "result", res.String())
			} else {
				s.log.Info("call-home", "result", res.String())
			}
		}
		s.pending.add(-1)
	}
}

// syslogProfiles returns the profiles a syslog message goes to.
func (s *Sender) syslogProfiles(cfg *config.Config, body string, sev config.AlertSeverity) []*config.Profile {
	var out []*config.Profile
	for _, p := range cfg.CallHome.Profiles {
		if !p.Active || p.AnonymousReportingOnly {
			continue
		}
		for _, sub := range p.Subscriptions {
			if sub.Group == config.GroupSyslog && sub.Periodic == nil && sub.Severity.Admits(sev) && s.patterns.match(sub.Pattern, body) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// logLine is the line as the logging buffer shows it: without the <PRI>
// of the envelope.
func logLine(raw string) string {
	if strings.HasPrefix(raw, "<") {
		if i := strings.IndexByte(raw, '>'); i > 1 && i <= 4 && strings.Trim(raw[1:i], "0123456789") == "" {
			raw = strings.TrimLeft(raw[i+1:], " ")
		}
	}
	return raw
}

// environmentEvent reports whether m is one of the environment events of
// the guide's table.
func environmentEvent(m *events.Message) bool {
	switch m.Mnemonic {
	case "SHUT", "ENVCRIT", "BLOWER", "ENVWARN", "RPSFAIL", "PSCHANGE", "PSLEV", "PSOK":
		return strings.Contains(strings.ToUpper(m.Facility), "ENV")
	}
	return false
}

// oirEvent returns the Call Home event name of an OIR card message.
func oirEvent(m *events.Message) (string, bool) {
	if !strings.Contains(strings.ToUpper(m.Facility), "OIR") {
		return "", false
	}
	switch m.Mnemonic {
	case "REMCARD":
		return "HARDWARE_REMOVAL", true
	case "INSCARD":
		return "HARDWARE_INSERTION", true
	}
	return "", false
}

// maxPatterns bounds the compiled syslog patterns kept; the configuration
// has at most five per profile.
const maxPatterns = 512

// patternCache compiles syslog subscription patterns once.
type patternCache struct {
	mu sync.Mutex
	re map[string]*regexp.Regexp
}

// match reports whether pattern occurs in body.
func (c *patternCache) match(pattern, body string) bool {
	if pattern == "" {
		return true
	}
	c.mu.Lock()
	re, ok := c.re[pattern]
	if !ok {
		var err error
		if re, err = regexp.Compile(pattern); err != nil {
			re = regexp.MustCompile(regexp.QuoteMeta(pattern))
		}
		if c.re == nil || len(c.re) >= maxPatterns {
			c.re = map[string]*regexp.Regexp{}
		}
		c.re[pattern] = re
	}
	c.mu.Unlock()
	return re.MatchString(body)
}
