// Package detect registers event detectors at run time and feeds them:
// the Hub takes parsed syslog messages, injected OIR events, configuration
// changes, commands, EEM counter changes and manual runs, routes each to the detectors that
// want it (all syslog patterns through one match index), and calls each
// owner back with a Fired value when its event happens.
//
// The detector types live one per package (detect/syslog, detect/periodic,
// detect/oir, detect/config, detect/immediate, detect/callhome,
// detect/track, detect/none, detect/cli, detect/counter, and, checked but
// not run until the Linux event sources exist, detect/snmp,
// detect/routing, detect/iface, detect/nd), each declaring itself in a
// detector.Descriptor, and are listed in one table, detect/types. The
// Hub builds detectors through that table and feeds each through the
// input interfaces it implements (detector.SyslogInput, OIRInput …),
// with no switch on types. The interface, the Descriptor, the Fired value
// and its Payload are defined in detect/detector (a leaf package, so the
// type packages can import it) and re-exported here.
package detect
