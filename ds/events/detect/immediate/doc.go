// Package immediate fires once, right when its DS registers, through the
// clock so that a `ds test` replay orders it with the other events.
//
// It reads <Event type="immediate"/>, which has no attributes.
package immediate
