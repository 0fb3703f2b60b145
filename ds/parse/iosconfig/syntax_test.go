package iosconfig

import (
	"slices"
	"testing"

	"github.com/dsengine/dsengine/ds/events/detect/types"
)

// TestEventTypesHelp: "event ?" lists every event detector the event line
// parser takes, sorted as IOS lists them.
func TestEventTypesHelp(t *testing.T) {
	var want, got []string
	for _, f := range types.EEMForms() {
		want = append(want, f.Keyword)
	}
	for _, s := range eventTypes() {
		got = append(got, s.word)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the applet's event keywords are %v; the detector table's are %v", got, want)
	}
}
