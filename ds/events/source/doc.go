// Package source is the shape of the host's native event sources: netlink,
// kmsg, journal, udev, hwmon, coredump, lldp. Where a router's IOS raises
// an event (a link goes down, a card is inserted, a process crashes), a
// source watches the Linux facility that reports it and hands the engine
// the IOS-shaped event: a syslog line such as "%LINK-3-UPDOWN: …" that
// goes through the pump like a received one, or a typed event for the
// detectors of its type (detector.HostEvent).
//
// Each source is a package under ds/events/source/ with its Descriptor;
// the table in ds/events/source/types lists them, and a "source NAME"
// line of the configuration's dsengine block runs one.
package source
