package routing

import (
	_ "embed"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the routing event type (EEM `event routing`) to the
// detector table. Only an EEM line names it; the host's netlink source
// (`source netlink`) publishes the route changes it reads.
var Descriptor = detector.Descriptor{
	Type:    ds.EventRouting,
	Summary: "a route is added, removed or changed (source netlink)",
	README:  readme,
	EEMOnly: true,
	EEM:     &eem.Form{Keyword: "routing", Parse: func(l *eem.Line, kw eem.Field) error { return parseInto(l, kw, &spec{}) }},
	New:     detector.Constructor(New),
	Show:    show,
	Builtins: []string{"_routing_network", "_routing_mask", "_routing_type", "_routing_protocol",
		"_routing_lastgateway", "_routing_lastinterface", "_routing_metric"},
}

// spec is what an `event routing` line asks for. The shared event model
// has no fields for it, so the detector reads it again from the line.
type spec struct {
	network  netip.Prefix
	ge, le   int // -1 when the line has none
	typ      string
	protocol string
}

// parseSpec reads the spec of an `event routing` line.
func parseSpec(line string) (spec, error) {
	var s spec
	_, err := eem.Parse(line, []eem.Form{{Keyword: "routing", Parse: func(l *eem.Line, kw eem.Field) error { return parseInto(l, kw, &s) }}})
	return s, err
}

// parseInto reads `event routing network PREFIX/LEN [type
// add|remove|modify|all] [ge N] [le N] [protocol P]` into s.
func parseInto(l *eem.Line, kw eem.Field, s *spec) error {
	l.Event.Type = ds.EventRouting
	s.typ, s.protocol, s.ge, s.le = typeAll, "all", -1, -1
	opts := []eem.Option{
		{Name: "network", Value: "a prefix such as 10.0.0.0/8", Set: func(l *eem.Line, v eem.Field) error {
			p, err := netip.ParsePrefix(v.Text)
			if err != nil || v.Quoted {
				return l.Errorf(v.Offset, "network %q is not a prefix such as 10.0.0.0/8 or 2001:db8::/32", v.Text)
			}
			s.network = p.Masked()
			return nil
		}},
		keyword("type", &s.typ, TypeAdd, TypeRemove, TypeModify, typeAll),
		{Name: "ge", Value: "a prefix length", Set: func(l *eem.Line, v eem.Field) error { return length(l, v, "ge", &s.ge) }},
		{Name: "le", Value: "a prefix length", Set: func(l *eem.Line, v eem.Field) error { return length(l, v, "le", &s.le) }},
		keyword("protocol", &s.protocol, "all", "bgp", "connected", "eigrp", "isis", "ospf", "ospfv3", "rip", "static"),
	}
	if err := l.Options("event routing", opts); err != nil {
		return err
	}
	if err := l.Require(kw, "event routing", "network", "network <prefix/length>"); err != nil {
		return err
	}
	bits := s.network.Addr().BitLen()
	for _, b := range []struct {
		name string
		n    int
	}{{"ge", s.ge}, {"le", s.le}} {
		if l.Seen(b.name) && (b.n < s.network.Bits() || b.n > bits) {
			return l.Errorf(kw.Offset, "event routing %s %d is outside %d-%d, from the network's length to the address's", b.name, b.n, s.network.Bits(), bits)
		}
	}
	if l.Seen("ge") && l.Seen("le") && s.ge > s.le {
		return l.Errorf(kw.Offset, "event routing ge %d is above le %d", s.ge, s.le)
	}
	return nil
}

// keyword is eem.KeywordOption storing the word in *dst.
func keyword(name string, dst *string, words ...string) eem.Option {
	o := eem.KeywordOption(name, words...)
	check := o.Set
	o.Set = func(l *eem.Line, v eem.Field) error {
		if err := check(l, v); err != nil {
			return err
		}
		*dst = v.Text
		return nil
	}
	return o
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

// show is "network 10.0.0.0/8 ge 16 le 24, type add, protocol static".
func show(ev ds.Event) string {
	s, err := parseSpec(ev.EEMLine)
	if err != nil {
		return "unparsable: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "network %s", s.network)
	if s.ge >= 0 {
		fmt.Fprintf(&b, " ge %d", s.ge)
	}
	if s.le >= 0 {
		fmt.Fprintf(&b, " le %d", s.le)
	}
	fmt.Fprintf(&b, ", type %s, protocol %s", s.typ, s.protocol)
	return b.String()
}
