package iface

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

var t0 = time.Date(2026, 12, 6, 7, 37, 44, 0, time.UTC)

// fixture is a sysfs tree in a temporary directory with interface eth9's
// statistics, which the test rewrites between polls.
type fixture struct {
	t    *testing.T
	root string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, root: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(f.root, "class/net/eth9/statistics"), 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// set writes counters, "rx_packets=5" each, and "speed=1000".
func (f *fixture) set(kv ...string) {
	f.t.Helper()
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		path := filepath.Join(f.root, "class/net/eth9/statistics", k)
		if k == "speed" {
			path = filepath.Join(f.root, "class/net/eth9/speed")
		}
		if err := os.WriteFile(path, []byte(v+"\n"), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
}

type run struct {
	d     *Detector
	clk   *clock.Virtual
	fired []Fire
	log   bytes.Buffer
}

func start(t *testing.T, f *fixture, line string) *run {
	t.Helper()
	ev, err := eem.Parse(line, []eem.Form{*Descriptor.EEM})
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	r := &run{clk: clock.NewVirtual(t0)}
	d, err := New(ev, detector.Env{Owner: "A", Clock: r.clk, SysRoot: f.root, Log: slog.New(slog.NewTextHandler(&r.log, nil)),
		Fire: func(fd detector.Fired) {
			if fd.Type != ds.EventInterface || !fd.Time.Equal(r.clk.Now()) {
				t.Errorf("fire %+v at %v", fd, r.clk.Now())
			}
			r.fired = append(r.fired, fd.Payload.(Fire))
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r.d = d
	return r
}

func (r *run) values() []int64 {
	var out []int64
	for _, f := range r.fired {
		out = append(out, f.Value)
	}
	return out
}

// TestThresholds polls a fixture (a VM's interfaces raise no errors on
// demand, so the error counters are written by the test) through the
// entry types and exit conditions.
func TestThresholds(t *testing.T) {
	cases := []struct {
		name string
		line string
		// steps: counter values written before each 10 s poll
		steps []string
		want  []int64
	}{
		{"value, re-armed by exit value", "event interface name eth9 parameter input_errors entry-op ge entry-val 5 exit-op lt exit-val 5 poll-interval 10",
			[]string{"rx_errors=5", "rx_errors=6", "rx_errors=4", "rx_errors=7"}, []int64{5, 7}},
		{"no exit: fires on every poll", "event interface name eth9 parameter input_errors_crc entry-op gt entry-val 0 poll-interval 10",
			[]string{"rx_crc_errors=1", "rx_crc_errors=1", "rx_crc_errors=0"}, []int64{1, 1}},
		{"increment since the last poll", "event interface name eth9 parameter input_packets_dropped entry-op ge entry-val 10 entry-type increment poll-interval 10",
			[]string{"rx_dropped=5", "rx_dropped=20", "rx_dropped=25", "rx_dropped=100"}, []int64{15, 75}},
		{"a counter reset is no increment", "event interface name eth9 parameter output_errors entry-op ge entry-val 1 entry-type increment poll-interval 10",
			[]string{"tx_errors=50", "tx_errors=0", "tx_errors=3"}, []int64{50, 3}},
		{"rate per second", "event interface name eth9 parameter output_packets_dropped entry-op gt entry-val 2 entry-type rate poll-interval 10",
			[]string{"tx_dropped=20", "tx_dropped=50", "tx_dropped=60"}, []int64{3}},
		{"overrun sums two counters", "event interface name eth9 parameter input_errors_overrun entry-op eq entry-val 7 poll-interval 10",
			[]string{"rx_over_errors=3 rx_fifo_errors=4"}, []int64{7}},
		{"receive_rate_pps from packets", "event interface name eth9 parameter receive_rate_pps entry-op ge entry-val 100 poll-interval 10",
			[]string{"rx_packets=500", "rx_packets=2000", "rx_packets=2100"}, []int64{150}},
		{"transmit_rate_bps from bytes", "event interface name eth9 parameter transmit_rate_bps entry-op ge entry-val 8000 poll-interval 10",
			[]string{"tx_bytes=10000", "tx_bytes=10010"}, []int64{8000}},
		{"rxload out of 255 of the speed", "event interface name eth9 parameter rxload entry-op ge entry-val 100 poll-interval 10",
			[]string{"rx_bytes=625000000", "rx_bytes=625000000"}, []int64{127}},
		{"reliability 255×(1−errors/packets)", "event interface name eth9 parameter reliability_receive entry-op lt entry-val 255 poll-interval 10",
			[]string{"rx_packets=100 rx_errors=0", "rx_packets=200 rx_errors=50", "rx_packets=200 rx_errors=50"}, []int64{127}},
		{"exit-event fires on exit", "event interface name eth9 parameter input_errors entry-op ge entry-val 5 exit-op lt exit-val 1 exit-event true poll-interval 10",
			[]string{"rx_errors=5", "rx_errors=0", "rx_errors=0"}, []int64{5, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.set("rx_errors=0", "rx_crc_errors=0", "rx_dropped=0", "tx_errors=0", "tx_dropped=0", "rx_over_errors=0",
				"rx_fifo_errors=0", "rx_packets=0", "tx_bytes=0", "rx_bytes=0", "speed=1000")
			r := start(t, f, c.line)
			for _, s := range c.steps {
				f.set(strings.Fields(s)...)
				r.clk.Advance(10 * time.Second)
			}
			if got := r.values(); !slices.Equal(got, c.want) {
				t.Errorf("fired %v, want %v", got, c.want)
			}
		})
	}
}

func TestExitTimeAndBuiltins(t *testing.T) {
	f := newFixture(t)
	f.set("rx_errors=0")
	r := start(t, f, "event interface name eth9 parameter input_errors entry-op gt entry-val 0 exit-time 25 poll-interval 10")
	f.set("rx_errors=1")
	r.clk.Advance(10 * time.Second) // fires
	r.clk.Advance(10 * time.Second) // disarmed
	r.clk.Advance(10 * time.Second) // exit time passed at 35 s: re-armed, the 30 s poll did not fire
	r.clk.Advance(10 * time.Second) // fires
	if got := r.values(); !slices.Equal(got, []int64{1, 1}) {
		t.Fatalf("fired %v", got)
	}
	v := map[string]string{}
	r.fired[0].Builtins(v)
	if v["_interface_name"] != "eth9" || v["_interface_parameter"] != "input_errors" || v["_interface_value"] != "1" {
		t.Errorf("builtins %v", v)
	}
}

// TestVanishedAndGarbage: the interface goes away and a file holds
// garbage while polled; each is logged once and the detector polls on,
// firing again once the counters are back.
func TestVanishedAndGarbage(t *testing.T) {
	f := newFixture(t)
	f.set("rx_packets=0")
	r := start(t, f, "event interface name eth9 parameter receive_rate_pps entry-op ge entry-val 1 poll-interval 1")
	if err := os.RemoveAll(filepath.Join(f.root, "class/net/eth9")); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(3 * time.Second)
	f = &fixture{t: t, root: f.root}
	if err := os.MkdirAll(filepath.Join(f.root, "class/net/eth9/statistics"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.set("rx_packets=10")
	r.clk.Advance(time.Second) // back: a new base, no rate yet
	f.set("rx_packets=garbage")
	r.clk.Advance(3 * time.Second)
	f.set("rx_packets=100")
	r.clk.Advance(time.Second) // a new base
	f.set("rx_packets=105")
	r.clk.Advance(time.Second)
	log := r.log.String()
	if strings.Count(log, "the interface is gone") != 1 || strings.Count(log, "cannot read its counters") != 1 ||
		!strings.Contains(log, `\"garbage\\n\" is not a counter`) || strings.Count(log, "readable again") != 2 {
		t.Errorf("log:\n%s", log)
	}
	if got := r.values(); !slices.Equal(got, []int64{5}) {
		t.Errorf("fired %v, want [5]", got)
	}
	r.d.Stop()
	if r.clk.Pending() != 0 {
		t.Error("Stop left a poll pending")
	}
}

func TestNewRefuses(t *testing.T) {
	for line, want := range map[string]string{
		"event interface name eth0 parameter receive_giants entry-op gt entry-val 0 poll-interval 10":          "receive_giants has no Linux counter",
		"event interface name eth0 parameter interface_resets entry-op gt entry-val 0 poll-interval 10":        "interface_resets has no Linux counter",
		"event interface name Gi1/0/1 parameter input_errors entry-op gt entry-val 0 poll-interval 10":         "not a Linux interface name",
		"event interface name 0123456789abcdef parameter input_errors entry-op gt entry-val 0 poll-interval 1": "not a Linux interface name",
	} {
		ev, err := eem.Parse(line, []eem.Form{*Descriptor.EEM})
		if err != nil {
			t.Fatal(err)
		}
		ev.ID = "e1"
		if _, err := New(ev, detector.Env{}); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "interface event e1") {
			t.Errorf("%s: %v", line, err)
		}
	}
	if n := len(Unsupported()); n != 6 {
		t.Errorf("unsupported %v", Unsupported())
	}
}

func TestParseSpec(t *testing.T) {
	sp, err := parseSpec("event tag x interface name veth1 parameter txload entry-op ge entry-val 3 entry-type rate exit-type increment exit-event true average-factor 4 poll-interval 2.5")
	want := spec{name: "veth1", parameter: "txload", entryType: "rate", exitType: "increment", exitEvent: true, averageFactor: 4, poll: 2500 * time.Millisecond}
	if err != nil || sp != want {
		t.Errorf("%+v %v", sp, err)
	}
}
