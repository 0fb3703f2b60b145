// Package types is the table of the host's native event sources: one line
// per source package. The daemon runs the sources a configuration's
// "source" lines name; config check checks those lines against it.
package types

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/coredump"
	"github.com/dsengine/dsengine/ds/events/source/hwmon"
	"github.com/dsengine/dsengine/ds/events/source/journal"
	"github.com/dsengine/dsengine/ds/events/source/kmsg"
	"github.com/dsengine/dsengine/ds/events/source/lldp"
	"github.com/dsengine/dsengine/ds/events/source/netlink"
	"github.com/dsengine/dsengine/ds/events/source/udev"
	"github.com/dsengine/dsengine/internal/english"
)

// table is every source, by name. A new source is a package under
// ds/events/source/ with its Descriptor, one line here, and its row in
// docs/operations.md.
var table = []source.Descriptor{
	hwmon.Descriptor,
	udev.Descriptor,
	coredump.Descriptor,
	journal.Descriptor,
	kmsg.Descriptor,
	netlink.Descriptor,
	lldp.Descriptor,
}

// All returns the descriptors, sorted by name.
func All() []source.Descriptor {
	out := slices.Clone(table)
	slices.SortFunc(out, func(a, b source.Descriptor) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the descriptor of the source name.
func Lookup(name string) (source.Descriptor, bool) {
	i := slices.IndexFunc(table, func(d source.Descriptor) bool { return d.Name == name })
	if i < 0 {
		return source.Descriptor{}, false
	}
	return table[i], true
}

// New returns the source a configuration line names, opening nothing;
// the error names the line's file and number and says what is wrong.
func New(file string, ref config.SourceRef) (source.Source, error) {
	s, err := build(ref)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", file, ref.Line, err)
	}
	return s, nil
}

// Check returns what is wrong with a source line, or nil; the error does
// not name the line.
func Check(ref config.SourceRef) error {
	_, err := build(ref)
	return err
}

func build(ref config.SourceRef) (source.Source, error) {
	d, ok := Lookup(ref.Name)
	if !ok {
		names := make([]string, 0, len(table))
		for _, d := range All() {
			names = append(names, d.Name)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("source %s: this build has no native event sources", ref.Name)
		}
		return nil, fmt.Errorf("source %s: no such source; the sources are %s", ref.Name, english.OrList(names))
	}
	s, err := d.New(ref.Args)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w (usage: %s)", ref.Name, err, d.Usage)
	}
	return s, nil
}
