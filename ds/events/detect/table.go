package detect

import (
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/callhome"
	"github.com/dsengine/dsengine/ds/events/detect/cli"
	"github.com/dsengine/dsengine/ds/events/detect/config"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/immediate"
	"github.com/dsengine/dsengine/ds/events/detect/none"
	"github.com/dsengine/dsengine/ds/events/detect/oir"
	"github.com/dsengine/dsengine/ds/events/detect/periodic"
	"github.com/dsengine/dsengine/ds/events/detect/syslog"
	"github.com/dsengine/dsengine/ds/events/detect/track"
)

// constructor builds the detector of one event; it validates the event
// and fills in its ${ds_x} references.
type constructor func(ev ds.Event, env detector.Env) (detector.Detector, error)

// table is every detector type, the one list a new type is added to.
// Type eem is not here: its line is parsed into one of these first.
var table = [...]struct {
	typ ds.EventType
	new constructor
}{
	{ds.EventSyslog, adapt(syslog.New)},
	{ds.EventPeriodic, adapt(periodic.New)},
	{ds.EventOIR, adapt(oir.New)},
	{ds.EventConfig, adapt(config.New)},
	{ds.EventImmediate, adapt(immediate.New)},
	{ds.EventCallHome, adapt(callhome.New)},
	{ds.EventTrack, adapt(track.New)},
	{ds.EventNone, adapt(none.New)},
	{ds.EventCLI, adapt(cli.New)},
}

// adapt turns a type package's New into a constructor (without turning a
// nil *D into a non-nil interface).
func adapt[D detector.Detector](f func(ds.Event, detector.Env) (D, error)) constructor {
	return func(ev ds.Event, env detector.Env) (detector.Detector, error) {
		d, err := f(ev, env)
		if err != nil {
			return nil, err
		}
		return d, nil
	}
}

// lookup returns the constructor of a type.
func lookup(t ds.EventType) (constructor, bool) {
	for _, e := range table {
		if e.typ == t {
			return e.new, true
		}
	}
	return nil, false
}

// Types returns the event types the Hub can register, in table order
// (plus eem, whose line names one of them).
func Types() []ds.EventType {
	ts := make([]ds.EventType, 0, len(table)+1)
	for _, e := range table {
		ts = append(ts, e.typ)
	}
	return append(ts, ds.EventEEM)
}
