package types

import (
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/callhome"
	"github.com/dsengine/dsengine/ds/events/detect/cli"
	"github.com/dsengine/dsengine/ds/events/detect/config"
	"github.com/dsengine/dsengine/ds/events/detect/counter"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/iface"
	"github.com/dsengine/dsengine/ds/events/detect/immediate"
	"github.com/dsengine/dsengine/ds/events/detect/nd"
	"github.com/dsengine/dsengine/ds/events/detect/none"
	"github.com/dsengine/dsengine/ds/events/detect/oir"
	"github.com/dsengine/dsengine/ds/events/detect/periodic"
	"github.com/dsengine/dsengine/ds/events/detect/routing"
	"github.com/dsengine/dsengine/ds/events/detect/snmp"
	"github.com/dsengine/dsengine/ds/events/detect/syslog"
	"github.com/dsengine/dsengine/ds/events/detect/track"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// table is every event type, the one list a new type is added to. Its
// order is the order in which error messages and documents list the
// types: <Event type="..."> values (those not EEMOnly) and EEM keywords
// (those with an EEM form).
var table = [...]detector.Descriptor{
	syslog.Descriptor,
	periodic.Descriptor,
	oir.Descriptor,
	config.Descriptor,
	immediate.Descriptor,
	callhome.Descriptor,
	eemLine,
	none.Descriptor,
	track.Descriptor,
	cli.Descriptor,
	counter.Descriptor,
	snmp.Descriptor,
	routing.Descriptor,
	iface.Descriptor,
	nd.Descriptor,
}

// eemLine is <Event type="eem">: not a detector of its own but an IOS EEM
// event line, the element's text, that names one of the others through
// their EEM forms. ds/parse reads the line into that type when it reads
// the DS, and the Hub when it registers an event that kept its line.
var eemLine = detector.Descriptor{
	Type:    ds.EventEEM,
	Summary: "an IOS EEM event line, as the element's text, names one of the other types",
	README:  eem.README(),
}

// All returns every type's descriptor, in table order.
func All() []detector.Descriptor {
	out := make([]detector.Descriptor, len(table))
	copy(out, table[:])
	return out
}

// Lookup returns the descriptor of type t.
func Lookup(t ds.EventType) (detector.Descriptor, bool) {
	for _, d := range table {
		if d.Type == t {
			return d, true
		}
	}
	return detector.Descriptor{}, false
}

// DSTypes returns the types <Event type="..."> may name, in table order.
func DSTypes() []ds.EventType {
	var out []ds.EventType
	for _, d := range table {
		if !d.EEMOnly {
			out = append(out, d.Type)
		}
	}
	return out
}

// EEMForms returns the EEM event-line forms of the types that have one,
// in table order.
func EEMForms() []eem.Form {
	var out []eem.Form
	for _, d := range table {
		if d.EEM != nil {
			out = append(out, *d.EEM)
		}
	}
	return out
}

// ParseEEM parses an IOS EEM event line, such as
// `event syslog pattern "OSPF-5-ADJCHG" occurs 2`, with the forms of the
// table (eem.Parse): the event's Type is the type whose keyword the line
// names.
func ParseEEM(line string) (ds.Event, error) { return eem.Parse(line, EEMForms()) }
