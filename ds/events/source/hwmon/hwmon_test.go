package hwmon

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/events/source/sourcetest"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 12, 6, 7, 37, 44, 0, time.UTC)

// A VM has no sensors: the tests read a copy of testdata/hwmon, a
// fixture shaped as /sys/class/hwmon (coretemp with a labelled
// temperature, a fan and two voltages), and rewrite its value files.
type rig struct {
	t     *testing.T
	root  string
	clk   *clock.Virtual
	src   *Source
	mu    sync.Mutex
	lines []string
	log   testserver.Buffer
}

func startRig(t *testing.T, args ...string) *rig {
	t.Helper()
	r := &rig{t: t, root: t.TempDir(), clk: clock.NewVirtual(t0)}
	if err := os.CopyFS(r.root, os.DirFS("testdata/hwmon")); err != nil {
		t.Fatal(err)
	}
	s, err := New(append([]string{"root", r.root, "poll", "60"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	r.src = s.(*Source)
	env := source.Env{Clock: r.clk, Log: slog.New(slog.NewTextHandler(&r.log, nil)), Hostname: "edge-1",
		Syslog: func(at time.Time, line string) bool {
			if !at.Equal(r.clk.Now()) {
				t.Errorf("line %q at %v, clock %v", line, at, r.clk.Now())
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.lines = append(r.lines, line)
			return true
		}}
	sourcetest.Run(t, s, env)
	r.waitPoll()
	return r
}

// waitPoll waits until Run has finished a poll and set its next timer.
func (r *rig) waitPoll() {
	r.t.Helper()
	if !testserver.Poll(10*time.Second, time.Millisecond, func() bool { return r.clk.Pending() == 1 }) {
		r.t.Fatal("the source did not schedule its next poll")
	}
}

// step writes files ("hwmon0/temp1_input=87000") and runs one poll.
func (r *rig) step(files ...string) []string {
	r.t.Helper()
	for _, f := range files {
		name, v, _ := strings.Cut(f, "=")
		if err := os.WriteFile(filepath.Join(r.root, name), []byte(v+"\n"), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.mu.Lock()
	n := len(r.lines)
	r.mu.Unlock()
	r.clk.Advance(time.Minute)
	r.waitPoll()
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines[n:])
}

func TestCrossings(t *testing.T) {
	r := startRig(t)
	if len(r.lines) != 0 {
		t.Fatalf("normal sensors raised %q", r.lines)
	}
	for _, c := range []struct {
		files []string
		want  []string
	}{
		{[]string{"hwmon0/temp1_input=87400"}, []string{"%ENVMON-4-ENVWARN: Package id 0 temperature 87C exceeds warning threshold 85C"}},
		{[]string{"hwmon0/temp1_input=88000"}, nil}, // the same state: no repeat
		{[]string{"hwmon0/temp1_input=96000"}, []string{"%ENVMON-2-ENVCRIT: Package id 0 temperature 96C exceeds critical threshold 95C"}},
		{[]string{"hwmon1/fan1_input=0"}, []string{"%ENVMON-3-BLOWER: Fan CPU fan speed 0 RPM below minimum 1200 RPM"}},
		{[]string{"hwmon1/in0_input=10800", "hwmon0/temp2_input=86000"}, []string{
			"%ENVMON-4-ENVWARN: coretemp temp2 temperature 86C exceeds warning threshold 85C",
			"%ENVMON-4-ENVWARN: nct6775 in0 voltage 10.800V below minimum 11.400V"}},
		{[]string{"hwmon0/temp1_input=40000", "hwmon1/fan1_input=2500"}, []string{
			"%ENVMON-5-ENVOK: Fan CPU fan speed 2500 RPM is back within its thresholds",
			"%ENVMON-5-ENVOK: Package id 0 temperature 40C is back within its thresholds"}},
		{nil, nil},
	} {
		got := r.step(c.files...)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("after %q: %q, want %q", c.files, got, c.want)
		}
	}
	if st := r.src.Stats(); st.Events != 7 || st.Errors != 0 || st.Dropped != 0 || !st.LastEvent.Equal(r.clk.Now().Add(-time.Minute)) {
		t.Errorf("stats %+v", st)
	}
}

// TestGarbage: a value file with garbage is counted and logged once, the
// other sensors go on, and the sensor is judged again once it reads.
func TestGarbage(t *testing.T) {
	r := startRig(t)
	if got := r.step("hwmon0/temp1_input=hot!", "hwmon1/fan1_input=100"); !slices.Equal(got, []string{"%ENVMON-3-BLOWER: Fan CPU fan speed 100 RPM below minimum 1200 RPM"}) {
		t.Errorf("lines %q", got)
	}
	r.step()
	if got := r.step("hwmon0/temp1_input=99000"); !slices.Equal(got, []string{"%ENVMON-2-ENVCRIT: Package id 0 temperature 99C exceeds critical threshold 95C"}) {
		t.Errorf("lines %q", got)
	}
	if st := r.src.Stats(); st.Errors != 1 {
		t.Errorf("stats %+v", st)
	}
	if log := r.log.String(); strings.Count(log, "cannot read a sensor") != 1 || !strings.Contains(log, `\"hot!\" is not a whole number`) {
		t.Errorf("log:\n%s", log)
	}
}

// TestAtStart: a sensor already past a threshold when the source starts
// is reported once.
func TestAtStart(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("testdata/hwmon")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "hwmon1/fan1_input"), []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := New([]string{"root", root})
	var lines []string
	w := &watch{src: s.(*Source), env: source.Env{Clock: clock.NewVirtual(t0), Log: slog.New(slog.DiscardHandler),
		Syslog: func(_ time.Time, l string) bool { lines = append(lines, l); return true }},
		state: map[string]string{}, bad: map[string]bool{}}
	w.poll()
	w.poll()
	if !slices.Equal(lines, []string{"%ENVMON-3-BLOWER: Fan CPU fan speed 0 RPM below minimum 1200 RPM"}) {
		t.Errorf("lines %q", lines)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, args := range [][]string{{"poll", "0.5"}, {"root", "sys"}, {"poll"}, {"speed", "1"}, {"poll", "5", "poll", "6"}} {
		if _, err := New(args); err == nil {
			t.Errorf("New(%q) accepted", args)
		}
	}
	var log bytes.Buffer
	s, _ := New([]string{"root", "/nonexistent/hwmon"})
	err := s.Run(context.Background(), source.Env{Clock: clock.NewVirtual(t0), Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err == nil || !strings.Contains(err.Error(), "root PATH") {
		t.Errorf("Run on no directory: %v", err)
	}
}
