package track

import (
	_ "embed"
	"fmt"
	"strconv"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the track event type to the detector table.
var Descriptor = detector.Descriptor{
	Type:    ds.EventTrack,
	Summary: "a tracked object of the configuration changes state",
	README:  readme,
	Attrs: []detector.Attr{
		{Name: "object", Doc: "required: the track object number, 1 to 1000"},
		{Name: "state", Doc: "the new state that fires: up, down or any; default any"},
	},
	ParseAttrs: parseAttrs,
	EEM:        &eem.Form{Keyword: "track", Parse: parseEEM},
	New:        detector.Constructor(New),
	Show:       show,
	Builtins:   []string{"_track_number", "_track_state"},
}

func parseAttrs(a detector.Attrs, ev *ds.Event) {
	if v, ok := a.Required("object"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			a.Errorf("object", "object %q is not a track object number from 1 to 1000", a.Clip(v))
		}
		ev.TrackObject = n
	}
	ev.TrackState = a.OneOf("state", "any", "up", "down", "any")
}

// parseEEM reads `event track N [state up|down|any]`.
func parseEEM(l *eem.Line, det eem.Field) error {
	l.Event.Type, l.Event.TrackState = ds.EventTrack, "any"
	v, ok := l.Next()
	if !ok {
		return l.Errorf(det.Offset, "missing object number after track; expected 1-1000")
	}
	n, err := strconv.Atoi(v.Text)
	if err != nil || v.Quoted {
		return l.Errorf(v.Offset, "track object %q is not a number; expected 1-1000", v.Text)
	}
	if n < 1 || n > 1000 {
		return l.Errorf(v.Offset, "track object %d is out of range; expected 1-1000", n)
	}
	l.Event.TrackObject = n
	state := eem.Option{Name: "state", Value: "up, down or any", Set: func(l *eem.Line, v eem.Field) error {
		switch v.Text {
		case "up", "down", "any":
			l.Event.TrackState = v.Text
			return nil
		}
		return l.Errorf(v.Offset, "state %q is not up, down or any", v.Text)
	}}
	return l.Options("event track", []eem.Option{state})
}

func show(e ds.Event) string {
	return fmt.Sprintf("track %d, state %s", e.TrackObject, e.TrackState)
}
