// Package detect registers event detectors at run time and feeds them:
// the Hub takes parsed syslog messages, injected OIR events, configuration
// changes, commands and manual runs, routes each to the detectors that
// want it (all syslog patterns through one match index), and calls each
// owner back with a Fired value when its event happens.
//
// The detector types live one per package (detect/syslog, detect/periodic,
// detect/oir, detect/config, detect/immediate, detect/callhome,
// detect/track, detect/none, detect/cli) and are listed in one table,
// table.go. The interface they implement and the Fired value are defined
// in detect/detector (a leaf package, so the type packages can import it
// while this one imports them) and re-exported here.
package detect
