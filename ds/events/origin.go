package events

import "context"

// MaxEchoDepth is how many of the engine's own lines may follow one
// another in a chain (A's message fires B, B's fires C …): a line echoed
// at this depth triggers nothing, which cuts a cycle through several DS or
// applets.
const MaxEchoDepth = 4

// Origin says which of the engine's own runs logged a line: a DS's
// message action, a script's action_syslog, an applet's syslog action.
// The zero Origin is a line from outside.
type Origin struct {
	// Owner is the DS id, or "applet:NAME", whose run logged the line; it
	// is also whom the run's saved contexts are charged to. "" for a line
	// from outside.
	Owner string
	// Depth is how deep in a chain of echoes the line is: 1 for a line
	// logged by a run that an outside event triggered, d+1 for a line
	// logged by a run that a line of depth d triggered.
	Depth int
}

// IsEcho reports whether the line came from one of the engine's own runs.
func (o Origin) IsEcho() bool { return o.Owner != "" || o.Depth > 0 }

type originKey struct{}

// WithOrigin returns ctx carrying the origin of the run it belongs to:
// the engine and the applets set it for every run, and the device marks
// the lines the run logs with it.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the origin WithOrigin put in ctx, or the zero Origin.
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
