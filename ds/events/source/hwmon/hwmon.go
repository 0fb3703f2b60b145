// Package hwmon is the host's hardware sensors as a native event source
// (`source hwmon`): it polls /sys/class/hwmon's temperature, fan and
// voltage sensors against their kernel thresholds and raises IOS's
// environment messages (%ENVMON-4-ENVWARN, -2-ENVCRIT, -3-BLOWER) when a
// sensor crosses one, and %ENVMON-5-ENVOK when it is back.
package hwmon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// DefaultRoot is the hwmon class directory.
const DefaultRoot = "/sys/class/hwmon"

// DefaultPoll is how often the sensors are read.
const DefaultPoll = 60 * time.Second

// maxSensors bounds the sensors watched: a fixture or a strange driver
// cannot make one poll read without end.
const maxSensors = 1024

// Descriptor describes the source to the table.
var Descriptor = source.Descriptor{
	Name:    "hwmon",
	Summary: "temperature, fan and voltage sensors (/sys/class/hwmon) crossing their thresholds: %ENVMON-4-ENVWARN, -2-ENVCRIT, -3-BLOWER, -5-ENVOK",
	Usage:   "source hwmon [root PATH] [poll SECONDS]",
	New:     New,
}

// Source polls the sensors.
type Source struct {
	root string
	poll time.Duration
	c    source.Counters
}

// New reads `[root PATH] [poll SECONDS]`, opening nothing.
func New(args []string) (source.Source, error) {
	s := &Source{root: DefaultRoot, poll: DefaultPoll}
	seen := map[string]bool{}
	for i := 0; i < len(args); i += 2 {
		k := args[i]
		if k != "root" && k != "poll" {
			return nil, fmt.Errorf("unknown argument %q; expected root PATH or poll SECONDS", k)
		}
		if seen[k] {
			return nil, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		if i+1 >= len(args) {
			return nil, fmt.Errorf("%s needs a value", k)
		}
		v := args[i+1]
		switch k {
		case "root":
			if !filepath.IsAbs(v) {
				return nil, fmt.Errorf("root %q is not an absolute path such as %s", v, DefaultRoot)
			}
			s.root = filepath.Clean(v)
		case "poll":
			d, ok := eem.ParseSeconds(v)
			if !ok || d < time.Second {
				return nil, fmt.Errorf("poll %q is not a number of seconds of at least 1", v)
			}
			s.poll = d
		}
	}
	return s, nil
}

// Name is "hwmon".
func (s *Source) Name() string { return "hwmon" }

// Stats returns the counters: events are the lines raised, errors the
// sensor files that could not be read.
func (s *Source) Stats() source.Stats { return s.c.Snapshot("hwmon") }

// Run reads the sensors now and every poll on env's clock until ctx ends.
// A sensor raises a line only when its state changes.
func (s *Source) Run(ctx context.Context, env source.Env) error {
	if _, err := os.Stat(s.root); err != nil {
		return fmt.Errorf("source hwmon: %w: give the hwmon class directory with root PATH (a VM has none)", err)
	}
	w := &watch{src: s, env: env, state: map[string]string{}, bad: map[string]bool{}}
	tick := make(chan struct{}, 1)
	for {
		w.poll()
		t := env.Clock.AfterFunc(s.poll, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
		})
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-tick:
		}
	}
}

// watch is the state of a running source, owned by Run's goroutine.
type watch struct {
	src   *Source
	env   source.Env
	state map[string]string // sensor key → its state's name ("" normal)
	bad   map[string]bool   // sensor files unreadable at the last poll (logged once)
}

var inputFile = regexp.MustCompile(`^(temp|fan|in)([0-9]+)_input$`)

// poll reads every sensor once.
func (w *watch) poll() {
	now := w.env.Clock.Now()
	chips, _ := filepath.Glob(filepath.Join(w.src.root, "hwmon*"))
	slices.Sort(chips)
	seen := map[string]bool{}
	n := 0
	for _, chip := range chips {
		ents, err := os.ReadDir(chip)
		if err != nil {
			continue
		}
		chipName := strings.TrimSpace(readString(filepath.Join(chip, "name")))
		if chipName == "" {
			chipName = filepath.Base(chip)
		}
		for _, e := range ents {
			m := inputFile.FindStringSubmatch(e.Name())
			if m == nil {
				continue
			}
			if n++; n > maxSensors {
				break
			}
			key := filepath.Base(chip) + "/" + m[1] + m[2]
			seen[key] = true
			w.sensor(now, chip, chipName, m[1], m[1]+m[2], key)
		}
	}
	for key := range w.state {
		if !seen[key] {
			delete(w.state, key) // the sensor is gone (a module unloaded): forget it
		}
	}
}

// sensor reads one sensor and raises a line when its state changed.
func (w *watch) sensor(now time.Time, chip, chipName, kind, prefix, key string) {
	path := func(suffix string) string { return filepath.Join(chip, prefix+"_"+suffix) }
	in, err := readInt(path("input"))
	if err != nil {
		if !w.bad[key] {
			w.src.c.Errors.Add(1)
			w.env.Log.Warn("hwmon: cannot read a sensor; it is skipped until it reads again", "sensor", key, "error", err)
		}
		w.bad[key] = true
		return
	}
	delete(w.bad, key)
	label := strings.TrimSpace(readString(path("label")))
	if label == "" {
		label = chipName + " " + prefix
	}
	st, line := judge(kind, label, in, func(s string) (int64, bool) {
		v, err := readInt(path(s))
		return v, err == nil
	})
	prev, known := w.state[key]
	w.state[key] = st
	if st == prev && (known || st == "") {
		return
	}
	if st == "" {
		line = recovered(kind, label, in)
	}
	w.src.c.Syslog(w.env, now, line)
}

// judge returns the state of a sensor reading ("" normal) and the line
// that reports it. limit reads a threshold file ("max", "crit", "min").
func judge(kind, label string, in int64, limit func(string) (int64, bool)) (string, string) {
	switch kind {
	case "temp":
		if c, ok := limit("crit"); ok && in >= c {
			return "crit", fmt.Sprintf("%%ENVMON-2-ENVCRIT: %s temperature %dC exceeds critical threshold %dC", label, milli(in), milli(c))
		}
		if m, ok := limit("max"); ok && in >= m {
			return "warn", fmt.Sprintf("%%ENVMON-4-ENVWARN: %s temperature %dC exceeds warning threshold %dC", label, milli(in), milli(m))
		}
		if m, ok := limit("min"); ok && in < m {
			return "low", fmt.Sprintf("%%ENVMON-4-ENVWARN: %s temperature %dC below minimum threshold %dC", label, milli(in), milli(m))
		}
	case "fan":
		if m, ok := limit("min"); ok && in < m {
			return "low", fmt.Sprintf("%%ENVMON-3-BLOWER: Fan %s speed %d RPM below minimum %d RPM", label, in, m)
		}
	case "in":
		if m, ok := limit("max"); ok && in > m {
			return "high", fmt.Sprintf("%%ENVMON-4-ENVWARN: %s voltage %s exceeds maximum %s", label, volts(in), volts(m))
		}
		if m, ok := limit("min"); ok && in < m {
			return "low", fmt.Sprintf("%%ENVMON-4-ENVWARN: %s voltage %s below minimum %s", label, volts(in), volts(m))
		}
	}
	return "", ""
}

// recovered is the line of a sensor back within its thresholds.
func recovered(kind, label string, in int64) string {
	switch kind {
	case "temp":
		return fmt.Sprintf("%%ENVMON-5-ENVOK: %s temperature %dC is back within its thresholds", label, milli(in))
	case "fan":
		return fmt.Sprintf("%%ENVMON-5-ENVOK: Fan %s speed %d RPM is back within its thresholds", label, in)
	}
	return fmt.Sprintf("%%ENVMON-5-ENVOK: %s voltage %s is back within its thresholds", label, volts(in))
}

// milli is a millidegree reading in whole degrees.
func milli(v int64) int64 { return int64(math.Round(float64(v) / 1000)) }

// volts is a millivolt reading as volts.
func volts(mv int64) string { return strconv.FormatFloat(float64(mv)/1000, 'f', 3, 64) + "V" }

// readInt reads a sysfs value file holding one whole number.
func readInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("%s: no such file", path)
		}
		return 0, err
	}
	t := strings.TrimSpace(string(b))
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if len(t) > 40 {
			t = t[:40] + "..."
		}
		return 0, fmt.Errorf("%s: %q is not a whole number", path, t)
	}
	return n, nil
}

// readString reads a short text file, "" when it cannot.
func readString(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b := make([]byte, 128) // a label or name; more is not a label
	n, _ := f.Read(b)
	return string(b[:n])
}
