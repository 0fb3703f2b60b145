package iosconfig

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// Format writes cfg as "show running-config" prints it on IOS XE: the
// commands in IOS order, sub-commands indented one blank per mode, "!"
// between the sections, settings at their default left out. The
// "Building configuration..." header and the final "end" are the
// command's. Parse reads the output back into the same configuration
// (line numbers aside). Call Home's on/off state always shows, as
// "service call-home" or "no service call-home", as IOS XE 16 and later
// print it.
func Format(cfg *config.Config) []byte {
	f := &formatter{}
	ch := &cfg.CallHome
	if r := ch.Reporting; r != nil {
		// It implies service call-home, CiscoTAC-1 settings, the contact
		// and the proxy, so it comes before the lines that may undo them.
		line := "call-home reporting "
		if r.Anonymous {
			line += "anonymous"
		} else {
			line += "contact-email-addr " + formatWord(r.ContactEmail)
		}
		if r.HTTPProxy != nil {
			line += " http-proxy " + proxy(r.HTTPProxy)
		}
		f.line(0, line)
	}
	if cfg.ServiceCallHome {
		f.line(0, "service call-home")
	} else {
		f.line(0, "no service call-home")
	}
	if cfg.Hostname != "" {
		f.line(0, "hostname "+cfg.Hostname)
	}
	formatClock(f, cfg.Clock)
	f.section()
	f.callHome(cfg)
	f.section()
	for _, t := range cfg.Tracks {
		f.track(t)
	}
	f.section()
	for _, s := range cfg.IPSLAs {
		f.ipSLA(s)
	}
	f.section()
	for _, v := range cfg.EventManager.Environment {
		f.line(0, restLine("event manager environment "+formatWord(v.Name), v.Value, 4))
	}
	for _, a := range cfg.EventManager.Applets {
		f.applet(a)
	}
	f.section()
	f.snmpServer(&cfg.Host.SNMP)
	f.section()
	f.host(&cfg.Host)
	f.section()
	return f.buf.Bytes()
}

// formatter collects the output lines.
type formatter struct {
	buf bytes.Buffer
	// wrote says whether the current section has a line yet, so "!" goes
	// only between sections that print something.
	wrote bool
}

func (f *formatter) line(depth int, text string) {
	f.buf.WriteString(strings.Repeat(" ", depth))
	f.buf.WriteString(text)
	f.buf.WriteByte('\n')
	f.wrote = true
}

// section ends a section with "!" if it printed anything.
func (f *formatter) section() {
	if f.wrote {
		f.buf.WriteString("!\n")
		f.wrote = false
	}
}

// block prints head and its sub-commands, or nothing when there are none
// and the block may be left out.
func (f *formatter) block(depth int, head string, lines []string, always bool) {
	if len(lines) == 0 && !always {
		return
	}
	f.line(depth, head)
	for _, l := range lines {
		f.line(depth+1, l)
	}
}

func (f *formatter) callHome(cfg *config.Config) {
	ch := &cfg.CallHome
	def := config.Default().CallHome
	// What "call-home reporting" already set is the starting point.
	baseContact, baseProxy := "", (*config.HTTPProxy)(nil)
	if r := ch.Reporting; r != nil {
		baseContact, baseProxy = r.ContactEmail, r.HTTPProxy
	}
	var body []string
	add := func(l string) { body = append(body, l) }
	switch {
	case ch.ContactEmail == baseContact:
	case ch.ContactEmail == "":
		add("no contact-email-addr")
	default:
		add("contact-email-addr " + formatWord(ch.ContactEmail))
	}
	for _, fl := range []struct{ kw, v string }{
		{"phone-number", ch.PhoneNumber}, {"street-address", ch.StreetAddress}, {"customer-id", ch.CustomerID},
		{"site-id", ch.SiteID}, {"contract-id", ch.ContractID},
	} {
		if fl.v != "" {
			add(fl.kw + " " + formatWord(fl.v))
		}
	}
	for _, m := range ch.MailServers {
		add(fmt.Sprintf("mail-server %s priority %d", formatWord(m.Address), m.Priority))
	}
	if ch.SenderFrom != "" {
		add("sender from " + formatWord(ch.SenderFrom))
	}
	if ch.SenderReplyTo != "" {
		add("sender reply-to " + formatWord(ch.SenderReplyTo))
	}
	if ch.RateLimit != def.RateLimit {
		add("rate-limit " + strconv.Itoa(ch.RateLimit))
	}
	switch {
	case sameProxy(ch.HTTPProxy, baseProxy):
	case ch.HTTPProxy == nil:
		add("no http-proxy")
	default:
		add("http-proxy " + proxy(ch.HTTPProxy))
	}
	for _, fl := range []struct{ kw, v string }{
		{"source-interface", ch.SourceInterface}, {"source-ip-address", ch.SourceIPAddress}, {"vrf", ch.VRF},
	} {
		if fl.v != "" {
			add(fl.kw + " " + formatWord(fl.v))
		}
	}
	if ch.AAAAuthorization {
		add("aaa-authorization")
	}
	if ch.AAAUsername != def.AAAUsername {
		add("aaa-authorization username " + formatWord(ch.AAAUsername))
	}
	if !ch.SyslogThrottling {
		add("no syslog-throttling")
	}
	if ch.DataPrivacy.Level != def.DataPrivacy.Level {
		add("data-privacy level " + string(ch.DataPrivacy.Level))
	}
	if ch.DataPrivacy.Hostname {
		add("data-privacy hostname")
	}
	for _, g := range config.AlertGroups() {
		if !ch.AlertGroups[g] {
			add("no alert-group " + string(g))
		}
	}
	var out []string
	for _, l := range body {
		out = append(out, " "+l)
	}
	if len(ch.SnapshotCommands) > 0 {
		out = append(out, " alert-group-config snapshot")
		for _, c := range ch.SnapshotCommands {
			out = append(out, "  add-command "+quoted(c.Command))
		}
	}
	for _, p := range ch.Profiles {
		lines := profileLines(p, ch.Reporting)
		if len(lines) == 0 && p.Predefined {
			continue // CiscoTAC-1 shows only where it differs from its default
		}
		out = append(out, " profile "+quoted(p.Name))
		for _, l := range lines {
			out = append(out, "  "+l)
		}
	}
	// Last in the block: a mode-based reader would take later profile
	// lines for its own "profile" command.
	if ds := dsLines(&cfg.DiagnosticSignature); len(ds) > 0 {
		out = append(out, " diagnostic-signature")
		for _, l := range ds {
			out = append(out, "  "+l)
		}
	}
	if len(out) == 0 {
		return
	}
	f.line(0, "call-home")
	for _, l := range out {
		f.line(0, l)
	}
}

func proxy(p *config.HTTPProxy) string {
	return fmt.Sprintf("%s port %d", quoted(p.Host), p.Port)
}

func sameProxy(a, b *config.HTTPProxy) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Host == b.Host && a.Port == b.Port
}

// profileLines returns the sub-commands that turn a new profile (or the
// predefined one, as call-home reporting left it) into p.
func profileLines(p *config.Profile, r *config.Reporting) []string {
	base := config.NewProfile(p.Name, 0)
	if p.Predefined {
		base = config.CiscoTAC1()
		if r != nil {
			base.Active, base.TransportHTTP, base.TransportEmail = true, true, false
			base.AnonymousReportingOnly = r.Anonymous
		}
	}
	var out []string
	if p.Active != base.Active {
		out = append(out, no(!p.Active)+"active")
	}
	if p.AnonymousReportingOnly != base.AnonymousReportingOnly {
		out = append(out, no(!p.AnonymousReportingOnly)+"anonymous-reporting-only")
	}
	out = append(out, transportLines(p, base)...)
	out = append(out, addressLines("email", base.EmailAddresses, p.EmailAddresses)...)
	out = append(out, addressLines("http", base.HTTPAddresses, p.HTTPAddresses)...)
	if p.MessageSizeLimit != base.MessageSizeLimit {
		out = append(out, "destination message-size-limit "+strconv.Itoa(p.MessageSizeLimit))
	}
	if p.PreferredMsgFormat != base.PreferredMsgFormat {
		out = append(out, "destination preferred-msg-format "+string(p.PreferredMsgFormat))
	}
	return append(out, subscriptionLines(p, base.Subscriptions)...)
}

func no(neg bool) string {
	if neg {
		return "no "
	}
	return ""
}

// transportLines finds the shortest run of transport-method lines that
// takes base's transports to p's, as the parser applies them (CiscoTAC-1
// has one transport; a user profile falls back to email).
func transportLines(p, base *config.Profile) []string {
	type step struct {
		email, neg bool
	}
	apply := func(e, h bool, s step) (bool, bool) {
		switch {
		case p.Predefined && !s.neg:
			e, h = s.email, !s.email
		case p.Predefined:
			e, h = !s.email, s.email
		case s.email:
			e = !s.neg
		default:
			h = !s.neg
		}
		if !e && !h {
			e = true
		}
		return e, h
	}
	http, email := step{email: false}, step{email: true}
	noHTTP, noEmail := step{email: false, neg: true}, step{email: true, neg: true}
	for _, seq := range [][]step{{}, {http}, {email}, {http, noEmail}, {email, noHTTP}, {noEmail}, {noHTTP}} {
		e, h := base.TransportEmail, base.TransportHTTP
		for _, s := range seq {
			e, h = apply(e, h, s)
		}
		if e != p.TransportEmail || h != p.TransportHTTP {
			continue
		}
		var out []string
		for _, s := range seq {
			kind := "http"
			if s.email {
				kind = "email"
			}
			out = append(out, no(s.neg)+"destination transport-method "+kind)
		}
		return out
	}
	return nil
}

// addressLines adds the addresses of want that base lacks; when base is
// not where want starts, it removes base's first.
func addressLines(kind string, base, want []string) []string {
	var out []string
	if len(base) > len(want) || !slices.Equal(base, want[:len(base)]) {
		for _, a := range base {
			out = append(out, "no destination address "+kind+" "+formatWord(a))
		}
		base = nil
	}
	for _, a := range want[len(base):] {
		out = append(out, "destination address "+kind+" "+formatWord(a))
	}
	return out
}

// subscriptionLines takes base's subscriptions to p's. A new subscription
// goes to the end of the list and one to a group already there replaces it
// in place, so it keeps the base subscriptions that start p's list in
// order, removes the others and adds the rest in p's order.
func subscriptionLines(p *config.Profile, base []config.Subscription) []string {
	key := func(s config.Subscription) string {
		if s.Group == config.GroupSyslog {
			return string(s.Group) + "\x00" + s.Pattern
		}
		return string(s.Group)
	}
	var out []string
	kept := make([]bool, len(base))
	k, j := 0, 0 // p.Subscriptions[:k] are base's kept ones; base[j:] is still to look at
	for k < len(p.Subscriptions) {
		at := slices.IndexFunc(base[j:], func(s config.Subscription) bool { return key(s) == key(p.Subscriptions[k]) })
		if at < 0 {
			break
		}
		kept[j+at] = true
		j += at + 1
		k++
	}
	for i, s := range base {
		if !kept[i] {
			out = append(out, unsubscribe(s))
		}
	}
	i := 0
	for bi, s := range base {
		if !kept[bi] {
			continue
		}
		if !sameSubscription(p.Subscriptions[i], s) {
			out = append(out, subscribe(p.Subscriptions[i]))
		}
		i++
	}
	for _, s := range p.Subscriptions[k:] {
		out = append(out, subscribe(s))
	}
	return out
}

func sameSubscription(a, b config.Subscription) bool {
	if (a.Periodic == nil) != (b.Periodic == nil) || a.Periodic != nil && *a.Periodic != *b.Periodic {
		return false
	}
	return a.Group == b.Group && a.Severity == b.Severity && a.Pattern == b.Pattern
}

func subscribe(s config.Subscription) string {
	l := "subscribe-to-alert-group " + string(s.Group)
	if s.Group.HasSeverity() && s.Severity != config.SeverityDebugging {
		l += " severity " + s.Severity.String()
	}
	if s.Periodic != nil {
		l += " periodic " + s.Periodic.String()
	}
	if s.Pattern != "" {
		l += " pattern " + quoted(s.Pattern)
	}
	return l
}

func unsubscribe(s config.Subscription) string {
	if s.Group == config.GroupSyslog {
		return "no subscribe-to-alert-group syslog pattern " + quoted(s.Pattern)
	}
	return "no subscribe-to-alert-group " + string(s.Group)
}

// dsLines returns the sub-commands of "diagnostic-signature".
func dsLines(d *config.DiagnosticSignature) []string {
	var out []string
	// An explicit profile line matters even for the default profile: the
	// periodic download follows only a configured one.
	if d.ProfileLine != 0 || d.Profile != config.CiscoTACProfile {
		out = append(out, "profile "+formatWord(d.Profile))
	}
	for _, v := range d.Environment {
		out = append(out, "environment "+formatWord(v.Name)+" "+formatWord(v.Value))
	}
	if d.Repository != "" {
		out = append(out, "repository "+formatWord(d.Repository))
	}
	if d.RepositoryCA != "" {
		out = append(out, "repository-ca "+formatWord(d.RepositoryCA))
	}
	for _, k := range d.TrustKeys {
		out = append(out, "trust-key "+formatWord(k.Path))
	}
	if ex := d.Executor; ex.Kind != config.ExecutorLocal && ex.Kind != "" {
		l := "executor " + string(ex.Kind)
		switch ex.Kind {
		case config.ExecutorSim:
			l += " " + formatWord(ex.Dir)
		case config.ExecutorSSH:
			l += " " + formatWord(ex.Host)
			if ex.Port != config.DefaultSSHPort {
				l += " port " + strconv.Itoa(ex.Port)
			}
			for _, o := range []struct{ kw, v string }{{"user", ex.User}, {"key", ex.Key}, {"password", ex.Password}, {"known-hosts", ex.KnownHosts}} {
				if o.v != "" {
					l += " " + o.kw + " " + formatWord(o.v)
				}
			}
		}
		out = append(out, l)
	}
	for _, m := range d.CommandMap {
		out = append(out, "command-map "+quoted(m.IOS)+" "+quoted(m.Linux))
	}
	return out
}

func (f *formatter) track(t config.Track) {
	head := fmt.Sprintf("track %d ", t.Number)
	switch t.Kind {
	case config.TrackInterface:
		head += "interface " + formatWord(t.Interface) + " line-protocol"
	case config.TrackIPSLA:
		head += fmt.Sprintf("ip sla %d", t.SLA)
		if t.SLAMode != "" && t.SLAMode != "state" {
			head += " " + t.SLAMode
		}
	}
	var sub []string
	if t.DelayUp != 0 || t.DelayDown != 0 {
		d := "delay"
		if t.DelayUp != 0 {
			d += " up " + seconds(t.DelayUp)
		}
		if t.DelayDown != 0 {
			d += " down " + seconds(t.DelayDown)
		}
		sub = append(sub, d)
	}
	f.block(0, head, sub, true)
}

func (f *formatter) ipSLA(s config.IPSLA) {
	var sub []string
	if s.Operation != "" {
		sub = append(sub, fmt.Sprintf("%s %s %d", s.Operation, formatWord(s.Host), s.Port))
	}
	if s.Frequency != config.DefaultSLAFrequency*time.Second {
		sub = append(sub, fmt.Sprintf("frequency %d", int64(s.Frequency/time.Second)))
	}
	// A timeout that was set stays set: it no longer follows the frequency.
	if s.TimeoutLine != 0 || s.Timeout != min(config.DefaultSLATimeout*time.Millisecond, s.Frequency) {
		sub = append(sub, fmt.Sprintf("timeout %d", s.Timeout.Milliseconds()))
	}
	f.block(0, fmt.Sprintf("ip sla %d", s.Number), sub, true)
	if sc := s.Schedule; sc != nil {
		l := fmt.Sprintf("ip sla schedule %d life ", s.Number)
		if sc.Life == 0 {
			l += "forever"
		} else {
			l += strconv.FormatInt(int64(sc.Life/time.Second), 10)
		}
		if sc.StartTime != "" {
			l += " start-time " + sc.StartTime
		}
		if sc.Ageout != 0 {
			l += " ageout " + strconv.FormatInt(int64(sc.Ageout/time.Second), 10)
		}
		if sc.Recurring {
			l += " recurring"
		}
		f.line(0, l)
	}
}

func (f *formatter) applet(a *config.Applet) {
	head := "event manager applet " + formatWord(a.Name)
	if a.AuthorizationBypass {
		head += " authorization bypass"
	}
	if a.Class != "" {
		head += " class " + formatWord(a.Class)
	}
	if a.Trap {
		head += " trap"
	}
	f.line(0, head)
	if a.Description != "" {
		f.line(1, restLine("description", a.Description, 1))
	}
	tags := make(map[string]string, len(a.Events)) // event ID → tag
	for _, e := range a.Events {
		f.line(1, e.EEMLine)
		tags[e.ID] = eventTag(e)
	}
	if t := a.TriggerBlock; t != nil {
		f.line(1, triggerHead(t.Occurs, t.Period, t.PeriodStart, t.Delay))
		if t.Correlate != nil {
			l := "correlate"
			for _, w := range t.Correlate {
				l += " " + formatWord(w)
			}
			f.line(2, l)
		}
		for _, at := range t.Attributes {
			f.line(2, fmt.Sprintf("attribute tag %s occurs %d", formatWord(at.Tag), at.Occurs))
		}
	} else if t := a.Trigger; t != nil {
		// A configuration built in code has only the expression: its
		// correlate is rebuilt from it.
		f.line(1, triggerHead(t.Occurs, t.Period, t.PeriodStart, t.Delay))
		// A lone untagged event needs no correlate: its trigger is "e1".
		if len(a.Events) != 1 || tags[a.Events[0].ID] != "" {
			for _, l := range correlateLines(t.Expr, tags) {
				f.line(2, l)
			}
		}
	}
	for _, act := range a.Actions {
		l := "action " + formatWord(act.Label) + " " + act.Verb
		for _, arg := range act.Args {
			l += " " + formatWord(arg)
		}
		f.line(1, l)
	}
}

// triggerHead writes an applet's "trigger" line, the options at their
// default left out.
func triggerHead(occurs int, period time.Duration, periodStart string, delay time.Duration) string {
	head := "trigger"
	if occurs != 1 {
		head += " occurs " + strconv.Itoa(occurs)
	}
	if period != 0 {
		head += " period " + seconds(period)
	}
	if periodStart != "" {
		head += " period-start " + quoted(periodStart)
	}
	if delay != 0 {
		head += " delay " + seconds(delay)
	}
	return head
}

// correlateLines turns a trigger expression the parser built back into
// its correlate and attribute lines. The parser writes each term as an
// event ID, track_N or "count(ID) >= N" and only adds parentheses, so the
// terms and operators in order are the correlate line.
func correlateLines(expr string, tags map[string]string) []string {
	var parts, attrs []string
	seen := map[string]bool{}
	wantTerm := true
	for i := 0; i < len(expr); {
		c := expr[i]
		if c == ' ' || c == '(' || c == ')' {
			i++
			continue
		}
		j := i
		for j < len(expr) && isIdentByte(expr[j]) {
			j++
		}
		w := expr[i:j]
		if w == "" {
			return nil // not an expression the parser writes
		}
		i = j
		switch {
		case !wantTerm && (w == "and" || w == "or"):
			if rest := strings.TrimLeft(expr[i:], " "); w == "and" && strings.HasPrefix(rest, "not") && (len(rest) == 3 || !isIdentByte(rest[3])) {
				w, i = "andnot", len(expr)-len(rest)+3
			}
			parts = append(parts, w)
			wantTerm = true
			continue
		case !wantTerm:
			return nil
		case w == "count" && i < len(expr) && expr[i] == '(':
			end := strings.Index(expr[i:], ")")
			if end < 0 {
				return nil
			}
			id := expr[i+1 : i+end]
			i += end + 1
			rest := strings.TrimLeft(expr[i:], " ")
			rest, ok := strings.CutPrefix(rest, ">=")
			if !ok {
				return nil
			}
			rest = strings.TrimLeft(rest, " ")
			n := 0
			for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
				n++
			}
			if n == 0 {
				return nil
			}
			i = len(expr) - len(rest) + n
			tag := tags[id]
			parts = append(parts, "event "+formatWord(tag))
			if !seen[tag] {
				seen[tag] = true
				attrs = append(attrs, "attribute tag "+formatWord(tag)+" occurs "+rest[:n])
			}
		case strings.HasPrefix(w, "track_"):
			parts = append(parts, "track "+strings.TrimPrefix(w, "track_"))
		default:
			tag, ok := tags[w]
			if !ok {
				return nil
			}
			parts = append(parts, "event "+formatWord(tag))
		}
		wantTerm = false
	}
	if len(parts) == 0 || wantTerm {
		return nil
	}
	return append([]string{"correlate " + strings.Join(parts, " ")}, attrs...)
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func (f *formatter) host(h *config.Host) {
	var sub []string
	for _, l := range h.SyslogListen {
		sub = append(sub, "syslog listen "+l.Network+" "+formatWord(l.Address))
	}
	for _, p := range h.SyslogFiles {
		sub = append(sub, "syslog file "+formatWord(p.Path))
	}
	if h.QueueSize() != config.DefaultSyslogQueueSize {
		sub = append(sub, "syslog queue-size "+strconv.Itoa(h.QueueSize()))
	}
	if h.ReceiveBuffer() != config.DefaultSyslogReceiveBuffer {
		sub = append(sub, "syslog receive-buffer "+strconv.Itoa(h.ReceiveBuffer()))
	}
	if h.ControlSocket != "" {
		sub = append(sub, "control-socket "+formatWord(h.ControlSocket))
	}
	if h.MetricsListen != "" {
		sub = append(sub, "metrics listen "+formatWord(h.MetricsListen))
	}
	if h.MetricsPprof {
		sub = append(sub, "metrics pprof")
	}
	for _, p := range h.WatchFiles {
		sub = append(sub, "watch file "+formatWord(p.Path))
	}
	if h.LiteralFreeLimit() != config.DefaultLiteralFreePatterns {
		sub = append(sub, "match literal-free-patterns "+strconv.Itoa(h.LiteralFreeLimit()))
	}
	if h.MatchBudgetPercent() != config.DefaultMatchBudget {
		sub = append(sub, "match time-budget "+strconv.Itoa(h.MatchBudgetPercent()))
	}
	// The addresses as the parser keeps them, the default port added.
	if a := h.SNMP.Agent; a != nil {
		sub = append(sub, "snmp agent "+formatWord(a.Address)+snmpWho(*a))
	}
	for _, t := range h.SNMP.TrapHosts {
		sub = append(sub, "snmp trap-host "+formatWord(t.Address)+snmpWho(t))
	}
	for _, s := range h.Sources {
		line := "source " + s.Name
		for _, a := range s.Args {
			line += " " + formatWord(a)
		}
		sub = append(sub, line)
	}
	f.block(0, "dsengine", sub, false)
}

// seconds writes a time as IOS takes it: whole seconds, or with up to
// three decimals ("0.5").
func seconds(d time.Duration) string {
	s := strconv.FormatInt(int64(d/time.Second), 10)
	if ms := (d % time.Second).Milliseconds(); ms != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", ms), "0")
	}
	return s
}

// formatWord writes s as one word of a line: bare when it reads back as itself,
// else in double quotes.
func formatWord(s string) string {
	if s != "" && s[0] != '"' && !strings.ContainsAny(s, " \t\r\n\f\v") {
		return s
	}
	return quoted(s)
}

// quoted writes s in double quotes, as IOS shows names and patterns, with
// the escapes the reader decodes (ds/parse/eem.Fields): \" for a quote,
// \n and \t for a newline and a tab, and \\ for a backslash where it
// would otherwise start one of them. Any other backslash stays as
// written, so a pattern such as "\d+" prints as it was typed.
func quoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\\':
			if i+1 == len(s) || strings.IndexByte("\"\\nt\n\t", s[i+1]) >= 0 {
				b.WriteString(`\\`)
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// restLine writes head and a value the parser reads as the rest of the
// line from word i on (description, environment values): as it is when
// that reads back, else quoted.
func restLine(head, v string, i int) string {
	// A newline or another control character cannot stand in a line.
	if l := head + " " + v; v != "" && !strings.ContainsFunc(v, isControl) && !strings.ContainsAny(v, "\n\r") && restOf(l, i) == v {
		return l
	}
	return head + " " + quoted(v)
}

// restOf is what the parser takes as the rest of line from word i: the
// word itself when it is the last, else the raw text.
func restOf(line string, i int) string {
	line = strings.TrimRight(line, " \t\r")
	fs, err := eem.Fields(line)
	switch {
	case err != nil || i >= len(fs):
		return ""
	case i == len(fs)-1:
		return fs[i].Text
	}
	return line[fs[i].Offset:]
}
