package callhome

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/config"
)

// ErrTooLarge is wrapped by the error of a renderer when even the message
// without any command output exceeds the message-size-limit. The caller
// counts the message as failed: no truncation can make it fit.
var ErrTooLarge = errors.New("message does not fit message-size-limit")

// Options are what a renderer needs from the destination profile.
type Options struct {
	// To is aml-session:To, the destination (the profile's URL or e-mail
	// address). Only XML carries it.
	To string
	// SizeLimit is the profile's message-size-limit in bytes,
	// config.MinMessageSize to config.MaxMessageSize; 0 means
	// config.DefaultMessageSize. No rendered message is longer.
	//
	// When the whole message would be longer, the command outputs are cut,
	// largest first, to one common length (the largest that fits):
	// outputs no longer than it stay whole; longer ones keep their
	// beginning (cut at a line end when one lies in the second half of
	// what is kept, never inside a UTF-8 sequence) and end with the line
	// TruncationNote(SizeLimit):
	//
	//	*** output truncated: message-size-limit 3145728 ***
	//
	// and the description ends with a space and the same note. When the
	// message does not fit even with every output cut to nothing (or the
	// format, short text, carries none), the renderer returns an error
	// that wraps ErrTooLarge.
	SizeLimit int
}

// Render writes m in the given format (config.FormatXML,
// config.FormatLongText or config.FormatShortText; "" is XML).
func Render(m *Message, f config.MessageFormat, o Options) ([]byte, error) {
	switch f {
	case config.FormatXML, "":
		return XML(m, o)
	case config.FormatLongText:
		return LongText(m, o)
	case config.FormatShortText:
		return ShortText(m, o)
	}
	return nil, fmt.Errorf("callhome: unknown message format %q", f)
}

// format is one way to write a message.
type format interface {
	name() string
	// prepare returns an attachment output, already sanitized, as the
	// format carries it.
	prepare(out string) string
	// cost returns, for a prepared output, a function giving how many
	// bytes its first n bytes add to the message. It is nondecreasing.
	cost(out string) func(n int) int
	// attachments reports whether the format carries command outputs.
	attachments() bool
	// write renders m, whose fields are sanitized and outputs prepared.
	write(m *Message, o Options) []byte
}

// render applies the checks, the sanitizing and the size limit (see
// Options.SizeLimit) that every format shares.
func render(f format, m *Message, o Options) ([]byte, error) {
	limit := o.SizeLimit
	if limit == 0 {
		limit = config.DefaultMessageSize
	}
	if limit < config.MinMessageSize || limit > config.MaxMessageSize {
		return nil, fmt.Errorf("callhome %s: message-size-limit %d is outside %d-%d", f.name(), limit, config.MinMessageSize, config.MaxMessageSize)
	}
	if m.Severity < config.SeverityDebugging || m.Severity > config.SeverityCatastrophic {
		return nil, fmt.Errorf("callhome %s: severity %d is outside 0-9", f.name(), int(m.Severity))
	}
	if m.Type == "" {
		return nil, fmt.Errorf("callhome %s: message has no type", f.name())
	}
	s := sanitized(m, f)
	o.To = Sanitize(o.To)
	out := f.write(s, o)
	if len(out) <= limit {
		return out, nil
	}
	return truncate(f, s, o, limit, len(out))
}

// sanitized returns a copy of m with every field sanitized and every
// output prepared for f.
func sanitized(m *Message, f format) *Message {
	s := *m
	s.Type = Sanitize(m.Type)
	s.SubType = Sanitize(m.SubType)
	s.Name = Sanitize(m.Name)
	s.Group = Sanitize(m.Group)
	s.Description = Sanitize(m.Description)
	c := &s.Customer
	for _, p := range []*string{&c.Hostname, &c.ContactName, &c.ContactEmail, &c.PhoneNumber, &c.StreetAddress, &c.CustomerID, &c.SiteID, &c.ContractID, &c.CCOID} {
		*p = Sanitize(*p)
	}
	d := &s.Device
	for _, p := range []*string{&d.Product, &d.BuilderVersion, &d.Brand, &d.Series, &d.PID, &d.Serial, &d.HardwareVersion, &d.PartNumber, &d.SoftwareVersion, &d.SystemObjectID, &d.SystemDescription} {
		*p = Sanitize(*p)
	}
	if !f.attachments() {
		s.Attachments = nil
		return &s
	}
	s.Attachments = make([]Attachment, len(m.Attachments))
	for i, a := range m.Attachments {
		s.Attachments[i] = Attachment{Command: Sanitize(a.Command), Output: f.prepare(Sanitize(a.Output))}
	}
	return &s
}

// TruncationNote is the line a cut output ends with, and what the
// description ends with, for a given message-size-limit.
func TruncationNote(limit int) string {
	return fmt.Sprintf("*** output truncated: message-size-limit %d ***", limit)
}

// truncate cuts the outputs of s so that it renders within limit (see
// Options.SizeLimit). The cost functions are exact, so the cut is the
// largest common one: a binary search over it, with each output's cut found
// by a binary search over its cost.
func truncate(f format, s *Message, o Options, limit, size int) ([]byte, error) {
	tooLarge := func(base int) error {
		if !f.attachments() {
			return fmt.Errorf("callhome %s message %s: %d bytes, message-size-limit %d: %w",
				f.name(), s.AMLMessageID(), size, limit, ErrTooLarge)
		}
		return fmt.Errorf("callhome %s message %s: %d bytes, %d with every command output cut, message-size-limit %d: %w",
			f.name(), s.AMLMessageID(), size, base, limit, ErrTooLarge)
	}
	n := len(s.Attachments)
	outs := make([]string, n)
	costs := make([]func(int) int, n)
	full := make([]int, n)
	maxFull := 0
	for i, a := range s.Attachments {
		outs[i] = a.Output
		costs[i] = f.cost(a.Output)
		full[i] = costs[i](len(a.Output))
		maxFull = max(maxFull, full[i])
	}
	note := TruncationNote(limit)
	attNote := f.prepare("\n" + note + "\n")
	noteCost := f.cost(attNote)(len(attNote))

	s.Description += " " + note
	for i := range s.Attachments {
		s.Attachments[i].Output = ""
	}
	base := len(f.write(s, o))
	if !f.attachments() || maxFull == 0 {
		return nil, tooLarge(base)
	}
	budget := limit - base

	// cut returns the length of the longest prefix of output i that costs
	// at most c bytes and ends on a UTF-8 boundary.
	cut := func(i, c int) int {
		if c <= 0 {
			return 0
		}
		k := sort.Search(len(outs[i])+1, func(k int) bool { return costs[i](k) > c }) - 1
		for k > 0 && k < len(outs[i]) && !utf8.RuneStart(outs[i][k]) {
			k--
		}
		return k
	}
	// total is what the outputs cost when each is cut to c bytes,
	// truncation line included.
	total := func(c int) int {
		t := 0
		for i := range outs {
			if full[i] <= c {
				t += full[i]
			} else {
				t += costs[i](cut(i, c-noteCost)) + noteCost
			}
		}
		return t
	}
	lo, hi := noteCost, maxFull-1
	if lo > hi || total(lo) > budget {
		return nil, tooLarge(base)
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if total(mid) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	for i := range outs {
		if full[i] <= lo {
			s.Attachments[i].Output = outs[i]
			continue
		}
		p := outs[i][:cut(i, lo-noteCost)]
		if j := strings.LastIndexByte(p, '\n'); j >= 0 && j >= len(p)/2 {
			p = p[:j]
		}
		s.Attachments[i].Output = p + attNote
	}
	out := f.write(s, o)
	if len(out) > limit {
		// The costs are exact, so this does not happen; refuse rather than
		// send an oversized message.
		return nil, fmt.Errorf("callhome %s message %s: %d bytes after truncation, message-size-limit %d: %w",
			f.name(), s.AMLMessageID(), len(out), limit, ErrTooLarge)
	}
	return out, nil
}

// identityCost is the cost of an output written as is.
func identityCost(n int) int { return n }
