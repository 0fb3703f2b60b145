package counter

import (
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

// parse reads an `event counter` line with this package's form.
func parse(t *testing.T, line string) ds.Event {
	t.Helper()
	ev, err := eem.Parse(line, []eem.Form{*Descriptor.EEM})
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return ev
}

// run builds the detector of line and feeds it the steps: a number is a
// new value of counter "c" (a word "other=N" a value of another counter),
// "+S" advances the clock S seconds. It returns the values that fired.
func run(t *testing.T, line string, steps ...string) []int64 {
	t.Helper()
	v := clock.NewVirtual(t0)
	var fired []int64
	d, err := New(parse(t, line), detector.Env{Owner: "A", Clock: v, Fire: func(f detector.Fired) {
		p := f.Payload.(Fire)
		if p.Name != "c" || !f.Time.Equal(v.Now()) || f.Type != ds.EventCounter {
			t.Errorf("fire %+v", f)
		}
		fired = append(fired, p.Value)
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		switch {
		case strings.HasPrefix(s, "+"):
			sec, _ := eem.ParseSeconds(s[1:])
			v.Advance(sec)
		case strings.HasPrefix(s, "other="):
			d.Counter(v.Now(), "other", atoi(t, s[len("other="):]))
		default:
			d.Counter(v.Now(), "c", atoi(t, s))
		}
	}
	return fired
}

func atoi(t *testing.T, s string) int64 {
	var n int64
	neg := strings.HasPrefix(s, "-")
	for _, c := range strings.TrimPrefix(s, "-") {
		if c < '0' || c > '9' {
			t.Fatalf("bad step %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n
}

func TestCounter(t *testing.T) {
	cases := []struct {
		name  string
		line  string
		steps []string
		want  []int64
	}{
		{"exit value re-arms", "event counter name c entry-op ge entry-val 5 exit-op lt exit-val 2",
			[]string{"4", "5", "6", "9", "other=1", "1", "6", "2", "0", "7"}, []int64{5, 6, 7}},
		{"the re-arming change does not fire", "event counter name c entry-op ne entry-val 0 exit-op eq exit-val 3",
			[]string{"1", "3", "3", "4"}, []int64{1, 3}},
		{"exit time re-arms", "event counter name c entry-op gt entry-val 10 exit-time 30",
			[]string{"11", "+29.999", "12", "+0.001", "13", "+60", "9", "14"}, []int64{11, 13, 14}},
		{"exit-comb or: either", "event counter name c entry-op eq entry-val -1 exit-comb or exit-op gt exit-val 0 exit-time 60",
			[]string{"-1", "+60", "-1", "1", "-1"}, []int64{-1, -1, -1}},
		{"exit-comb and: both", "event counter name c entry-op lt entry-val 0 exit-comb and exit-op ge exit-val 0 exit-time 10",
			[]string{"-5", "0", "-1", "+10", "-2", "3", "-3"}, []int64{-5, -3}},
		{"and: the value first, then the time", "event counter name c entry-op lt entry-val 0 exit-comb and exit-op ge exit-val 0 exit-time 10",
			[]string{"-5", "+5", "0", "+5", "-1"}, []int64{-5, -1}},
		{"le", "event counter name c entry-op le entry-val 2147483647 exit-op gt exit-val 2147483646",
			[]string{"2147483647", "2147483647", "-2147483648", "0"}, []int64{2147483647, -2147483648}},
	}
	for _, c := range cases {
		if got := run(t, c.line, c.steps...); !slices.Equal(got, c.want) {
			t.Errorf("%s: fired at %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCounterStop(t *testing.T) {
	v := clock.NewVirtual(t0)
	fired := 0
	d, err := New(parse(t, "event counter name c entry-op gt entry-val 0 exit-time 5"),
		detector.Env{Clock: v, Fire: func(detector.Fired) { fired++ }})
	if err != nil {
		t.Fatal(err)
	}
	d.Counter(v.Now(), "c", 1)
	d.Stop()
	v.Advance(time.Minute)
	d.Counter(v.Now(), "c", 2)
	if fired != 1 || d.Armed() {
		t.Errorf("fired %d times, armed %v after Stop", fired, d.Armed())
	}
	if _, ok := v.Next(); ok {
		t.Error("Stop left the exit-time timer pending")
	}
}

func TestNewRefuses(t *testing.T) {
	for _, ev := range []ds.Event{
		{ID: "e", Threshold: ds.Threshold{EntryOp: "gt", ExitTime: time.Second}},
		{ID: "e", Name: "c", Threshold: ds.Threshold{EntryOp: "gte", ExitTime: time.Second}},
		{ID: "e", Name: "c", Threshold: ds.Threshold{EntryOp: "gt"}},
		{ID: "e", Name: "c", Threshold: ds.Threshold{EntryOp: "gt", ExitOp: "x"}},
		{ID: "e", Name: "c", Threshold: ds.Threshold{EntryOp: "gt", ExitOp: "lt", ExitComb: "and"}},
	} {
		if _, err := New(ev, detector.Env{}); err == nil || !strings.Contains(err.Error(), "counter event e") {
			t.Errorf("New(%+v) = %v", ev, err)
		}
	}
}

func TestParse(t *testing.T) {
	ev := parse(t, `event tag c1 counter exit-time 1.5 name "my counter" exit-val -3 entry-val 7 exit-op le entry-op ne exit-comb or ratelimit 5`)
	want := ds.Event{ID: "c1", Type: ds.EventCounter, Name: "my counter", Severity: ds.SeverityAny, RateLimit: 5 * time.Second,
		Threshold: ds.Threshold{EntryOp: "ne", EntryVal: 7, ExitComb: "or", ExitOp: "le", ExitVal: -3, ExitTime: 1500 * time.Millisecond},
		EEMLine:   ev.EEMLine}
	if ev != want {
		t.Errorf("got  %+v\nwant %+v", ev, want)
	}
	if s := Descriptor.Show(ev); s != `counter "my counter" ne 7, re-armed when le -3 or after 1.5s` {
		t.Errorf("show %q", s)
	}
}
