package iface

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A parameter is how one IOS interface parameter is read from Linux's
// counters: either the sum of statistics files (a cumulative counter), or
// a value derived from two samples an interval apart (rates, load,
// reliability).
type parameter struct {
	files []string // statistics files summed (a counter), or those derive reads
	// derive, when set, computes the value from the samples before and
	// now, secs apart; speed is the link speed in Mb/s (0 unknown).
	derive func(before, now sample, secs float64, speed int64) int64
	speed  bool // derive needs /sys/class/net/NAME/speed
}

// sample is one read of an interface's statistics files.
type sample map[string]uint64

// delta is now[f]-before[f], 0 when the counter went back (the interface
// was re-created or its counters reset).
func delta(before, now sample, f string) float64 {
	if now[f] < before[f] {
		return 0
	}
	return float64(now[f] - before[f])
}

// ratePer returns the per-second rate of file f, times scale.
func ratePer(f string, scale float64) func(before, now sample, secs float64, _ int64) int64 {
	return func(before, now sample, secs float64, _ int64) int64 {
		return int64(delta(before, now, f) * scale / secs)
	}
}

// load is IOS's txload/rxload: the bit rate of bytes file f as a fraction
// of the link speed, out of 255. An unknown speed (a veth reports none)
// reads as 0 load.
func load(f string) func(before, now sample, secs float64, speed int64) int64 {
	return func(before, now sample, secs float64, speed int64) int64 {
		if speed <= 0 {
			return 0
		}
		l := int64(delta(before, now, f) * 8 / secs / (float64(speed) * 1e6) * 255)
		return min(l, 255)
	}
}

// reliability is IOS's reliability: 255 × (1 − errors/packets) over the
// interval, 255 when no packet passed.
func reliability(errs, pkts string) func(before, now sample, _ float64, _ int64) int64 {
	return func(before, now sample, _ float64, _ int64) int64 {
		p := delta(before, now, pkts)
		if p == 0 {
			return 255
		}
		return max(int64(255*(1-delta(before, now, errs)/p)), 0)
	}
}

// parameters maps the IOS parameters this build can read to Linux's
// /sys/class/net/NAME/statistics files (the README's table).
var parameters = map[string]parameter{
	"input_errors":           {files: []string{"rx_errors"}},
	"input_errors_crc":       {files: []string{"rx_crc_errors"}},
	"input_errors_frame":     {files: []string{"rx_frame_errors"}},
	"input_errors_overrun":   {files: []string{"rx_over_errors", "rx_fifo_errors"}},
	"input_packets_dropped":  {files: []string{"rx_dropped"}},
	"output_errors":          {files: []string{"tx_errors"}},
	"output_packets_dropped": {files: []string{"tx_dropped"}},
	"output_errors_underrun": {files: []string{"tx_fifo_errors"}},
	"receive_broadcasts":     {files: []string{"multicast"}}, // Linux counts multicast (with broadcast on most drivers), not broadcasts alone
	"receive_rate_bps":       {files: []string{"rx_bytes"}, derive: ratePer("rx_bytes", 8)},
	"receive_rate_pps":       {files: []string{"rx_packets"}, derive: ratePer("rx_packets", 1)},
	"transmit_rate_bps":      {files: []string{"tx_bytes"}, derive: ratePer("tx_bytes", 8)},
	"transmit_rate_pps":      {files: []string{"tx_packets"}, derive: ratePer("tx_packets", 1)},
	"rxload":                 {files: []string{"rx_bytes"}, derive: load("rx_bytes"), speed: true},
	"txload":                 {files: []string{"tx_bytes"}, derive: load("tx_bytes"), speed: true},
	"reliability_receive":    {files: []string{"rx_errors", "rx_packets"}, derive: reliability("rx_errors", "rx_packets")},
	"reliability_transmit":   {files: []string{"tx_errors", "tx_packets"}, derive: reliability("tx_errors", "tx_packets")},
}

// Unsupported are the IOS parameters Linux keeps no counter for: a line
// naming one is refused when it is registered.
func Unsupported() []string {
	var out []string
	for _, p := range Parameters() {
		if _, ok := parameters[p]; !ok {
			out = append(out, p)
		}
	}
	return out
}

// errGone says the interface (or its statistics) is not there.
var errGone = errors.New("no such interface")

// read reads p's statistics files of interface name under root (the
// sysfs mount), and its speed in Mb/s when p needs it (0 when the
// driver reports none, as a veth does).
func (p parameter) read(root, name string) (sample, int64, error) {
	dir := filepath.Join(root, "class", "net", name)
	s := make(sample, len(p.files))
	for _, f := range p.files {
		path := filepath.Join(dir, "statistics", f)
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, fmt.Errorf("%s: %w", path, errGone)
		}
		if err != nil {
			return nil, 0, err
		}
		n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %q is not a counter", path, clip(string(b)))
		}
		s[f] = n
	}
	var speed int64
	if p.speed {
		// Reading speed fails (EINVAL) or gives -1 on a link that is down
		// or has no speed: the load is then 0.
		if b, err := os.ReadFile(filepath.Join(dir, "speed")); err == nil {
			speed, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		}
	}
	return s, speed, nil
}

// value is p's value from the samples: the summed counter for a counter
// parameter (now), or the derived value over the interval.
func (p parameter) value(before, now sample, secs float64, speed int64) int64 {
	if p.derive != nil {
		return p.derive(before, now, secs, speed)
	}
	var sum uint64
	for _, f := range p.files {
		sum += now[f]
	}
	return int64(min(sum, 1<<63-1))
}

// counter reports whether p's value is a cumulative counter (so that an
// increment or a rate of it means something from the second poll on).
func (p parameter) counter() bool { return p.derive == nil }

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// seconds is d in seconds, at least a nanosecond's worth (no division by 0).
func seconds(d time.Duration) float64 { return max(d, 1).Seconds() }
