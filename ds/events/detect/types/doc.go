// Package types is the detector table: the one list of event types, each
// declared by its own package (detect/syslog, detect/periodic, …) as a
// detector.Descriptor. ds/parse reads <Event> attributes and EEM lines
// through it, the detect.Hub builds detectors with it, and the show views
// describe events with it.
//
// It imports the detector packages but not the Hub, so that ds/parse and
// ds/show can use it without the Hub's match index and inputs. A new
// detector type is one new package under ds/events/detect, one line in
// table.go and its rows in docs/ds-format.md; TestTable checks that its
// descriptor is complete and documented.
package types
