package routing

import (
	_ "embed"
	"net/netip"
	"strconv"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the routing event type (EEM `event routing`) to the
// detector table. Only an EEM line names it; the line is parsed and
// checked, but its detector needs the Linux event sources (issue 17).
var Descriptor = detector.Descriptor{
	Type:        ds.EventRouting,
	Summary:     "a route is added, removed or changed (needs the Linux event sources)",
	README:      readme,
	EEMOnly:     true,
	EEM:         &eem.Form{Keyword: "routing", Parse: parseEEM},
	New:         detector.NeedsEventSources(ds.EventRouting),
	Show:        detector.ShowNeedsEventSources("routing"),
	Unavailable: "event routing needs the Linux event sources (issue 17): it is checked but never fires in this build",
	Builtins:    []string{"_routing_network", "_routing_mask", "_routing_type", "_routing_protocol"},
}

// parseEEM reads `event routing network PREFIX/LEN [type
// add|remove|modify|all] [ge N] [le N] [protocol P]`.
func parseEEM(l *eem.Line, kw eem.Field) error {
	l.Event.Type = ds.EventRouting
	var prefix netip.Prefix
	var ge, le int
	opts := []eem.Option{
		{Name: "network", Value: "a prefix such as 10.0.0.0/8", Set: func(l *eem.Line, v eem.Field) error {
			p, err := netip.ParsePrefix(v.Text)
			if err != nil || v.Quoted {
				return l.Errorf(v.Offset, "network %q is not a prefix such as 10.0.0.0/8 or 2001:db8::/32", v.Text)
			}
			prefix = p
			return nil
		}},
		eem.KeywordOption("type", "add", "remove", "modify", "all"),
		{Name: "ge", Value: "a prefix length", Set: func(l *eem.Line, v eem.Field) error { return length(l, v, "ge", &ge) }},
		{Name: "le", Value: "a prefix length", Set: func(l *eem.Line, v eem.Field) error { return length(l, v, "le", &le) }},
		eem.KeywordOption("protocol", "all", "bgp", "connected", "eigrp", "isis", "ospf", "ospfv3", "rip", "static"),
	}
	if err := l.Options("event routing", opts); err != nil {
		return err
	}
	if err := l.Require(kw, "event routing", "network", "network <prefix/length>"); err != nil {
		return err
	}
	bits := prefix.Addr().BitLen()
	for _, b := range []struct {
		name string
		n    int
	}{{"ge", ge}, {"le", le}} {
		if l.Seen(b.name) && (b.n < prefix.Bits() || b.n > bits) {
			return l.Errorf(kw.Offset, "event routing %s %d is outside %d-%d, from the network's length to the address's", b.name, b.n, prefix.Bits(), bits)
		}
	}
	if l.Seen("ge") && l.Seen("le") && ge > le {
		return l.Errorf(kw.Offset, "event routing ge %d is above le %d", ge, le)
	}
	return nil
}

// length reads the prefix length of ge or le into n.
func length(l *eem.Line, v eem.Field, name string, n *int) error {
	x, err := strconv.Atoi(v.Text)
	if err != nil || x < 0 || x > 128 || v.Quoted {
		return l.Errorf(v.Offset, "%s %q is not a prefix length from 0 to 128", name, v.Text)
	}
	*n = x
	return nil
}
