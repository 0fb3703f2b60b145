package alertgroup

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
)

// The manual sends return one line for the CLI and an error that is nil
// when at least one message was enqueued; the line says, per profile, what
// was queued for which destinations or why not.

// DefaultTestText is the description of a test message sent without text.
const DefaultTestText = "Call Home test message"

// TypeSendCLI is the message type of "call-home send "COMMAND"": the
// statistics row Send-CLI.
const TypeSendCLI = "send-cli"

// Test is "call-home test ["TEXT"] profile NAME": a test message (type and
// subtype test, the outputs of show platform, show inventory and show
// version) to the named profile, whether or not it is active.
func (s *Sender) Test(ctx context.Context, text, profile string) (string, error) {
	cfg := s.cfg()
	p, err := namedProfile(cfg, profile)
	if err != nil {
		return "", fmt.Errorf("call-home test: %w", err)
	}
	if strings.TrimSpace(text) == "" {
		text = DefaultTestText
	}
	sp := spec{typ: callhome.TypeTest, subType: callhome.TypeTest, name: "TEST", severity: config.SeverityNormal,
		description: text, commands: fixed(testCommands)}
	return s.line("call-home test", s.deliver(ctx, cfg, sp, []*config.Profile{p}))
}

// SendAlertGroup is "call-home send alert-group GROUP [profile NAME]".
// Only crash, snapshot, configuration and inventory can be sent manually.
// With a profile, the message goes to it whatever its active state,
// subscriptions and severities; without, to every active profile that has
// a normal or periodic subscription to the group (the group must then be
// enabled). Configuration and inventory messages are full ones.
func (s *Sender) SendAlertGroup(ctx context.Context, group config.AlertGroup, profile string) (string, error) {
	const what = "call-home send alert-group"
	switch group {
	case config.GroupCrash, config.GroupSnapshot, config.GroupConfiguration, config.GroupInventory:
	default:
		return "", fmt.Errorf("%s %s: only the crash, snapshot, configuration and inventory alert groups can be sent manually", what, group)
	}
	cfg := s.cfg()
	a := NewAlert(group)
	a.Description += " (sent on request)"
	var profiles []*config.Profile
	if profile != "" {
		p, err := namedProfile(cfg, profile)
		if err != nil {
			return "", fmt.Errorf("%s %s: %w", what, group, err)
		}
		profiles = []*config.Profile{p}
	} else {
		if !groupEnabled(cfg, group) {
			return "", fmt.Errorf("%s %s: the alert group is disabled; enable it with `alert-group %s`, or name a profile", what, group, group)
		}
		for _, p := range cfg.CallHome.Profiles {
			if p.Active && p.Subscribed(group) && (!p.AnonymousReportingOnly || anonymousAllowed(string(group))) {
				profiles = append(profiles, p)
			}
		}
		if len(profiles) == 0 {
			return "", fmt.Errorf("%s %s: %w: no active profile subscribes to the %s alert group", what, group, ErrNoProfile, group)
		}
	}
	return s.line(what+" "+string(group), s.deliver(ctx, cfg, a.spec(), profiles))
}

// CLISend is "call-home send "COMMAND[; COMMAND…]" [email ADDR [msg-format
// long-text|xml] | http [URL] [destination-email-address ADDR]]
// [tac-service-request SR]".
type CLISend struct {
	// Commands are one IOS command or several separated by ";".
	Commands string
	// Email sends the outputs to this address, in Format.
	Email string
	// Format is the e-mail's format: long-text (the default) or xml.
	Format config.MessageFormat
	// HTTP sends the outputs in XML to URL, or, when URL is empty, to the
	// Smart Call Home URL of the CiscoTAC-1 profile.
	HTTP bool
	URL  string
	// ForwardTo is "destination-email-address": the address the backend
	// should forward an http message to.
	ForwardTo string
	// ServiceRequest is the TAC service request number, written in the
	// mail subject and the description.
	ServiceRequest string
}

// AttachEmail is where CLISend without email or http mails a long-text
// message (an xml one goes to config.CiscoTACEmail), as the guide says.
const AttachEmail = "attach@cisco.com"

var serviceRequestRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)

// SendCommand is "call-home send "COMMAND"": it runs the commands and sends
// their outputs (type send-cli) by e-mail or http. Without email or http it
// mails the long-text message to attach@cisco.com (xml to
// callhome@cisco.com), and a service request number is required; so it is
// for http to the Smart Call Home URL when no forwarding address is given.
func (s *Sender) SendCommand(ctx context.Context, req CLISend) (string, error) {
	const what = "call-home send"
	var cmds []string
	for c := range strings.SplitSeq(req.Commands, ";") {
		if c = config.NormalizeCommand(c); c != "" {
			cmds = append(cmds, c)
		}
	}
	if len(cmds) == 0 {
		return "", fmt.Errorf("%s: no command given; write it in quotes, e.g. \"show version\"", what)
	}
	if req.ServiceRequest != "" && !serviceRequestRE.MatchString(req.ServiceRequest) {
		return "", fmt.Errorf("%s: bad tac-service-request %q: letters, digits and dashes, at most 32", what, req.ServiceRequest)
	}
	if req.HTTP && req.Email != "" {
		return "", fmt.Errorf("%s: give email or http, not both", what)
	}
	if req.ForwardTo != "" && !req.HTTP {
		return "", fmt.Errorf("%s: destination-email-address goes with http", what)
	}
	for _, a := range []string{req.Email, req.ForwardTo} {
		if a != "" && !validEmail(a) {
			return "", fmt.Errorf("%s: %q is not an e-mail address", what, a)
		}
	}
	cfg := s.cfg()
	p := config.NewProfile("", 0)
	p.MessageSizeLimit = config.DefaultMessageSize
	switch {
	case req.HTTP:
		if req.Format != "" && req.Format != config.FormatXML {
			return "", fmt.Errorf("%s: http sends xml only", what)
		}
		url := req.URL
		if url == "" {
			url = tacURL(cfg)
			if req.ForwardTo == "" && req.ServiceRequest == "" {
				return "", fmt.Errorf("%s: http to the Smart Call Home backend needs destination-email-address or tac-service-request", what)
			}
		}
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			return "", fmt.Errorf("%s: %q is not an http:// or https:// URL", what, url)
		}
		p.TransportEmail, p.TransportHTTP, p.HTTPAddresses = false, true, []string{url}
		p.PreferredMsgFormat = config.FormatXML
	default:
		f := req.Format
		if f == "" {
			f = config.FormatLongText
		}
		if f != config.FormatLongText && f != config.FormatXML {
			return "", fmt.Errorf("%s: msg-format is long-text or xml, not %q", what, f)
		}
		addr := req.Email
		if addr == "" {
			if req.ServiceRequest == "" {
				return "", fmt.Errorf("%s: give email ADDR, http, or tac-service-request SR", what)
			}
			addr = AttachEmail
			if f == config.FormatXML {
				addr = config.CiscoTACEmail
			}
		}
		p.EmailAddresses, p.PreferredMsgFormat = []string{addr}, f
	}
	desc := fmt.Sprintf("Output of %q", strings.Join(cmds, "; "))
	if req.ForwardTo != "" {
		desc += ", to be forwarded to " + req.ForwardTo
	}
	subj := ""
	if req.ServiceRequest != "" {
		desc += ", service request " + req.ServiceRequest
		subj = "SR " + req.ServiceRequest
	}
	sp := spec{typ: TypeSendCLI, name: "SEND_CLI", severity: config.SeverityNormal, description: desc,
		commands: fixed(cmds), subject: subj}
	return s.line(what, s.deliver(ctx, cfg, sp, []*config.Profile{p}))
}

// validEmail is a light check of an address: one "@" with text on both
// sides and no blanks.
func validEmail(a string) bool {
	at := strings.IndexByte(a, '@')
	return at > 0 && at < len(a)-1 && strings.Count(a, "@") == 1 && !strings.ContainsAny(a, " \t\r\n<>,;")
}

// tacURL is the CiscoTAC-1 profile's URL.
func tacURL(cfg *config.Config) string {
	if p := cfg.Profile(config.CiscoTACProfile); p != nil && len(p.HTTPAddresses) > 0 {
		return p.HTTPAddresses[0]
	}
	return config.CiscoTACURL
}

// The kinds of "call-home request".
const (
	RequestOutputAnalysis   = "output-analysis"
	RequestConfigSanity     = "config-sanity"
	RequestBugsList         = "bugs-list"
	RequestCommandReference = "command-reference"
	RequestProductAdvisory  = "product-advisory"
)

// RequestKinds returns the kinds of "call-home request", in the guide's
// order.
func RequestKinds() []string {
	return []string{RequestOutputAnalysis, RequestConfigSanity, RequestBugsList, RequestCommandReference, RequestProductAdvisory}
}

// Request is "call-home request {output-analysis "COMMAND" | config-sanity
// | bugs-list | command-reference | product-advisory} [profile NAME]
// [ccoid USER]": a request message (type request, subtype the kind) to the
// named profile, CiscoTAC-1 by default, active or not. command is the
// output-analysis command (and must be empty for the other kinds); ccoid
// is written in ch:CCOID. It carries the command's output, or show
// running-config all, show version and show inventory, or for
// product-advisory the full inventory commands.
func (s *Sender) Request(ctx context.Context, kind, command, profile, ccoid string) (string, error) {
	const what = "call-home request"
	if !slices.Contains(RequestKinds(), kind) {
		return "", fmt.Errorf("%s: unknown request %q; expected %s", what, kind, strings.Join(RequestKinds(), ", "))
	}
	command = config.NormalizeCommand(command)
	var cmds []string
	desc := kind + " request"
	switch kind {
	case RequestOutputAnalysis:
		if command == "" {
			return "", fmt.Errorf("%s output-analysis: give the show command in quotes, e.g. \"show diag\"", what)
		}
		cmds, desc = []string{command}, fmt.Sprintf("output-analysis request for %q", command)
	case RequestProductAdvisory:
		cmds = fullInventoryCommands
	default:
		cmds = requestCommands
	}
	if kind != RequestOutputAnalysis && command != "" {
		return "", fmt.Errorf("%s %s: takes no command", what, kind)
	}
	if len(ccoid) > config.MaxCustomerID || strings.ContainsAny(ccoid, " \t\r\n") {
		return "", fmt.Errorf("%s: bad ccoid %q: one word of at most %d characters", what, ccoid, config.MaxCustomerID)
	}
	if profile == "" {
		profile = config.CiscoTACProfile
	}
	cfg := s.cfg()
	p, err := namedProfile(cfg, profile)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	sp := spec{typ: callhome.TypeRequest, subType: kind, severity: config.SeverityNormal, description: desc,
		commands: fixed(cmds), ccoid: ccoid}
	return s.line(what+" "+kind, s.deliver(ctx, cfg, sp, []*config.Profile{p}))
}

// namedProfile finds a profile named on the command line.
func namedProfile(cfg *config.Config, name string) (*config.Profile, error) {
	if name == "" {
		return nil, errors.New("give a profile: profile NAME")
	}
	p := cfg.Profile(name)
	if p == nil {
		return nil, fmt.Errorf("profile %q does not exist", name)
	}
	return p, nil
}

// fixed returns a spec's commands that are the same for every profile.
func fixed(cmds []string) func(*config.Config, *config.Profile) []string {
	return func(*config.Config, *config.Profile) []string { return cmds }
}

// line is a manual send's answer: the result line, and an error naming
// the command when nothing was queued.
func (s *Sender) line(what string, res Result) (string, error) {
	if err := res.Error(); err != nil {
		return res.String(), fmt.Errorf("%s: %w", what, err)
	}
	return res.String(), nil
}
