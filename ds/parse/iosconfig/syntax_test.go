package iosconfig

import (
	"slices"
	"testing"

	"github.com/dsengine/dsengine/ds/events/detect/types"
)

// TestEventTypesHelp: "event ?" lists every event detector the event line
// parser takes, in the detector table's order.
func TestEventTypesHelp(t *testing.T) {
	var want, got []string
	for _, f := range types.EEMForms() {
		want = append(want, f.Keyword)
	}
	for _, s := range eventTypes() {
		got = append(got, s.word)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the applet's event keywords are %v; the detector table's are %v", got, want)
	}
}
