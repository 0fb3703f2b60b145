package daemon

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/dsengine/dsengine/internal/english"
)

// MaxLogValue caps the message and each value of the daemon's log
// records: an action's result or error, a syslog line, an applet's output
// come from signed content, and a 16 MiB error() must not write 16 MiB of
// log. A longer value is cut and ends "… (N bytes cut)".
const MaxLogValue = 4096

// CapLogValue names the log cap in the daemon's cap counts.
const CapLogValue = "log-value"

// cutHandler is the daemon's log handler: it cuts long values before the
// handler it wraps sees them.
type cutHandler struct {
	h   slog.Handler
	hit func(cap string)
}

func (c cutHandler) Enabled(ctx context.Context, l slog.Level) bool { return c.h.Enabled(ctx, l) }

func (c cutHandler) Handle(ctx context.Context, r slog.Record) error {
	long := len(r.Message) > MaxLogValue
	r.Attrs(func(a slog.Attr) bool {
		long = long || tooLong(a.Value)
		return !long
	})
	if !long {
		return c.h.Handle(ctx, r)
	}
	c.hit(CapLogValue)
	cut := slog.NewRecord(r.Time, r.Level, english.Cut(r.Message, MaxLogValue), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		cut.AddAttrs(cutAttr(a))
		return true
	})
	return c.h.Handle(ctx, cut)
}

func (c cutHandler) WithAttrs(as []slog.Attr) slog.Handler {
	cut := make([]slog.Attr, len(as))
	for i, a := range as {
		cut[i] = cutAttr(a)
	}
	return cutHandler{h: c.h.WithAttrs(cut), hit: c.hit}
}

func (c cutHandler) WithGroup(name string) slog.Handler {
	return cutHandler{h: c.h.WithGroup(name), hit: c.hit}
}

// text returns the text a value is written as when it may be long: a
// string, an error, a Stringer.
func text(v slog.Value) (string, bool) {
	switch v.Kind() {
	case slog.KindString:
		return v.String(), true
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return x.Error(), true
		case fmt.Stringer:
			return x.String(), true
		}
	}
	return "", false
}

func tooLong(v slog.Value) bool {
	v = v.Resolve()
	if v.Kind() == slog.KindGroup {
		for _, a := range v.Group() {
			if tooLong(a.Value) {
				return true
			}
		}
		return false
	}
	s, ok := text(v)
	return ok && len(s) > MaxLogValue
}

func cutAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		g := v.Group()
		cut := make([]any, len(g))
		for i, x := range g {
			cut[i] = cutAttr(x)
		}
		return slog.Group(a.Key, cut...)
	}
	if s, ok := text(v); ok && len(s) > MaxLogValue {
		return slog.String(a.Key, english.Cut(s, MaxLogValue))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
