package vty

import "context"

// Terminal is a vty's terminal as an applet run from it sees it: `gets`
// reads a line the user types, `puts` prints.
type Terminal interface {
	Gets(ctx context.Context) (string, error)
	Puts(ctx context.Context, text string) error
}

type terminalKey struct{}

// WithTerminal returns ctx carrying t: a command the vty runs (`event
// manager run`) finds the terminal of its session there.
func WithTerminal(ctx context.Context, t Terminal) context.Context {
	return context.WithValue(ctx, terminalKey{}, t)
}

// TerminalFrom is the terminal of the vty the command runs from, nil when
// none.
func TerminalFrom(ctx context.Context) Terminal {
	t, _ := ctx.Value(terminalKey{}).(Terminal)
	return t
}
