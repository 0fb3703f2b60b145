package transport

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Error is a failed delivery to some or all of an envelope's destinations.
type Error struct {
	Transport string   // "email" or "http"
	Dest      []string // the destinations not delivered; empty means all of the envelope's
	Server    string   // the mail server or URL host involved, if any
	Code      int      // the HTTP status or SMTP reply code; 0 if there was no answer
	Retry     bool     // sending again later may succeed
	// RetryAfter is how long the receiver asked to wait (HTTP
	// Retry-After); 0 if it did not say.
	RetryAfter time.Duration
	Err        error
}

// Error returns "email a@x, b@y via 192.0.2.1:25: 550 ...: permanent".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Transport)
	if len(e.Dest) > 0 {
		b.WriteString(" ")
		b.WriteString(strings.Join(e.Dest, ", "))
	}
	if e.Server != "" && !(len(e.Dest) == 1 && e.Dest[0] == e.Server) {
		b.WriteString(" via ")
		b.WriteString(e.Server)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("failed")
	}
	if e.Retry {
		b.WriteString(" (will retry)")
	} else {
		b.WriteString(" (permanent)")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether sending again later may succeed.
func (e *Error) Retryable() bool { return e.Retry }

// Errors returns every *Error in err's tree (through Unwrap and
// errors.Join), outermost first.
func Errors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// Retryable reports whether err says that sending again later may help:
// some *Error in it is retryable, or it holds no *Error at all (an error a
// transport did not classify, such as a cancelled context, is not taken as
// final).
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	es := Errors(err)
	if len(es) == 0 {
		return true
	}
	for _, e := range es {
		if e.Retry {
			return true
		}
	}
	return false
}

// RetryAfter returns the longest wait any *Error in err asks for.
func RetryAfter(err error) time.Duration {
	var d time.Duration
	for _, e := range Errors(err) {
		d = max(d, e.RetryAfter)
	}
	return d
}

// Undelivered sorts the destinations to, which were handed to Send, by what
// err (Send's result) says of them: retry are worth sending again, failed
// will never be delivered. A destination named by no *Error was delivered;
// an *Error without Dest covers all of them; an error that is no *Error
// makes all of them retry. A destination that is both retryable and failed
// counts as failed.
func Undelivered(err error, to []string) (retry, failed []string) {
	if err == nil {
		return nil, nil
	}
	es := Errors(err)
	if len(es) == 0 {
		return slices.Clone(to), nil
	}
	state := map[string]int{} // 1 retry, 2 failed
	for _, e := range es {
		dests := e.Dest
		if len(dests) == 0 {
			dests = to
		}
		s := 1
		if !e.Retry {
			s = 2
		}
		for _, d := range dests {
			state[d] = max(state[d], s)
		}
	}
	for _, d := range to {
		switch state[d] {
		case 1:
			retry = append(retry, d)
		case 2:
			failed = append(failed, d)
		}
	}
	return retry, failed
}

// errConfig marks configuration problems: never retryable.
var errConfig = errors.New("configuration")

// configError is a permanent error caused by the configuration.
func configError(transport, format string, args ...any) *Error {
	return &Error{Transport: transport, Err: fmt.Errorf("%w: "+format, append([]any{errConfig}, args...)...)}
}
