package snmp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
	dssnmp "github.com/dsengine/dsengine/ds/snmp"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func parse(t *testing.T, line string) ds.Event {
	t.Helper()
	ev, err := eem.Parse(line, []eem.Form{*Descriptor.EEM})
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return ev
}

// agent is a fake SNMPGet answering the values of a slice, one a poll,
// and signalling each poll.
type agent struct {
	mu     sync.Mutex
	values []detector.SNMPValue
	errs   []error
	polled chan struct{}
}

func (a *agent) get(_ context.Context, oid string, next bool) (detector.SNMPValue, error) {
	a.mu.Lock()
	defer func() { a.mu.Unlock(); a.polled <- struct{}{} }()
	v, err := a.values[0], a.errs[0]
	a.values, a.errs = a.values[1:], a.errs[1:]
	return v, err
}

func ints(vs ...string) ([]detector.SNMPValue, []error) {
	out := make([]detector.SNMPValue, len(vs))
	errs := make([]error, len(vs))
	for i, v := range vs {
		out[i] = detector.SNMPValue{OID: "1.3.6.1.4.1.99999.1.0", Type: "Integer", Value: v}
	}
	return out, errs
}

// run polls len(values) times on a virtual clock and returns which polls
// fired.
func run(t *testing.T, line string, values []detector.SNMPValue, errs []error) ([]bool, *Detector) {
	t.Helper()
	clk := clock.NewVirtual(t0)
	a := &agent{values: values, errs: errs, polled: make(chan struct{}, len(values))}
	var mu sync.Mutex
	var fired []detector.Fired
	d, err := New(parse(t, line), detector.Env{Owner: "a", Clock: clk, SNMPGet: a.get, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Fire: func(f detector.Fired) { mu.Lock(); fired = append(fired, f); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	var got []bool
	for range values {
		mu.Lock()
		n := len(fired)
		mu.Unlock()
		// The virtual clock runs the poll (and an exit-time due before
		// it) in Advance; the next poll is scheduled once this one is done.
		clk.Advance(5 * time.Second)
		<-a.polled
		mu.Lock()
		got = append(got, len(fired) > n)
		if len(fired) > n {
			var v = map[string]string{}
			fired[n].Payload.Builtins(v)
			if v["_snmp_oid"] != "1.3.6.1.4.1.99999.1.0" || v["_snmp_oid_val"] == "" {
				t.Errorf("builtins %v", v)
			}
		}
		mu.Unlock()
	}
	return got, d
}

func eq(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		line   string
		values []string
		fires  []bool
	}{
		// No exit condition: every poll meeting the entry condition fires.
		{"event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op ge entry-val 90 poll-interval 5",
			[]string{"10", "95", "96", "50", "91"}, []bool{false, true, true, false, true}},
		// An exit value re-arms it.
		{"event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op ge entry-val 90 exit-op lt exit-val 50 poll-interval 5",
			[]string{"95", "96", "60", "40", "91"}, []bool{true, false, false, false, true}},
		// An exit time re-arms it 7 s after a fire.
		{"event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op ge entry-val 90 exit-time 7 poll-interval 5",
			[]string{"95", "95", "95", "95"}, []bool{true, false, true, false}},
		// exit-comb and: both the exit value (on the last poll) and the
		// exit time; it re-arms when the later of the two comes (the exit
		// time, 7 s after each fire, the 5 s polls having read 40).
		{"event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op ge entry-val 90 exit-comb and exit-op lt exit-val 50 exit-time 7 poll-interval 5",
			[]string{"95", "40", "95", "40", "95"}, []bool{true, false, true, false, true}},
		// and the exit value not met at the exit time: it waits for it.
		{"event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op ge entry-val 90 exit-comb and exit-op lt exit-val 50 exit-time 7 poll-interval 5",
			[]string{"95", "60", "95", "40", "95"}, []bool{true, false, false, false, true}},
		// increment: the change since the last poll; the first poll has none.
		{"event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op gt entry-val 10 entry-type increment poll-interval 5",
			[]string{"100", "200", "205", "300"}, []bool{false, true, false, true}},
		// rate: the increment per second (polls are 5 s apart).
		{"event snmp oid 1.3.6.1.4.1.99999.1.0 get-type next entry-op ge entry-val 10 entry-type rate poll-interval 5",
			[]string{"0", "50", "60", "200"}, []bool{false, true, false, true}},
	}
	for _, tc := range tests {
		vs, errs := ints(tc.values...)
		got, _ := run(t, tc.line, vs, errs)
		if !eq(got, tc.fires) {
			t.Errorf("%s\n%v: fired %v, want %v", tc.line, tc.values, got, tc.fires)
		}
	}
}

// A poll that fails (a timeout, a string for an integer) is counted and
// logged, and the detector goes on polling.
func TestPollErrors(t *testing.T) {
	vs, errs := ints("1", "x", "95", "95")
	errs[0] = errors.New("request timeout")
	vs[1].Type = "OctetString"
	vs[2].Value = "ninety"
	got, d := run(t, "event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op ge entry-val 90 poll-interval 5", vs, errs)
	if !eq(got, []bool{false, false, false, true}) || d.Errors() != 3 {
		t.Errorf("fired %v, %d errors", got, d.Errors())
	}
}

func TestNewRefuses(t *testing.T) {
	ev := parse(t, "event snmp oid 1.3.6.1.4.1.99999.1.0 get-type exact entry-op ge entry-val 90 poll-interval 5")
	if _, err := New(ev, detector.Env{}); err == nil || !strings.Contains(err.Error(), "snmp agent") {
		t.Errorf("New without an agent: %v", err)
	}
}

// Against a real snmpd whose pass script the test rewrites: a string for
// the integer is counted, the detector keeps polling and fires once the
// agent answers a number over the threshold; a stopped agent times out,
// counted, and polling goes on.
func TestRealAgent(t *testing.T) {
	a, set := testserver.StartSNMPDPass(t)
	set("string", "not a number")
	client := dssnmp.New(nil)
	client.Timeout, client.Retries = 300*time.Millisecond, -1
	target := dssnmp.Target{Address: a.Addr, Community: a.Community}
	get := func(ctx context.Context, oid string, next bool) (detector.SNMPValue, error) {
		v, err := client.Get(ctx, target, oid, next)
		return detector.SNMPValue{OID: v.OID, Type: v.Type, Value: v.Value}, err
	}
	clk := clock.NewVirtual(t0)
	fired := make(chan detector.Fired, 4)
	polls := make(chan error, 16)
	d, err := New(parse(t, "event snmp oid 1.3.6.1.4.1.99999 get-type next entry-op gt entry-val 40 poll-interval 1"),
		detector.Env{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Fire: func(f detector.Fired) { fired <- f },
			SNMPGet: func(ctx context.Context, oid string, next bool) (detector.SNMPValue, error) {
				v, err := get(ctx, oid, next)
				polls <- err
				return v, err
			}})
	if err != nil {
		t.Fatal(err)
	}
	d.Start(context.Background())
	defer d.Stop()
	step := func() error {
		t.Helper()
		if clk.Pending() != 1 {
			t.Fatal("no poll scheduled")
		}
		clk.Advance(time.Second)
		return <-polls
	}
	if err := step(); err != nil {
		t.Fatalf("string: the get itself should succeed: %v", err)
	}
	set("integer", "42")
	if err := step(); err != nil {
		t.Fatal(err)
	}
	var f detector.Fired
	if !testserver.Poll(10*time.Second, time.Millisecond, func() bool { return len(fired) > 0 }) {
		t.Fatal("42 > 40 did not fire")
	}
	f = <-fired
	v := map[string]string{}
	f.Payload.Builtins(v)
	if v["_snmp_oid"] != testserver.SNMPDPassOID || v["_snmp_oid_val"] != "42" {
		t.Errorf("builtins %v", v)
	}
	a.Stop()
	if err := step(); err == nil {
		t.Fatal("a stopped agent answered")
	}
	if clk.Pending() != 1 {
		t.Fatal("polling stopped after a timeout")
	}
	if d.Errors() != 2 {
		t.Errorf("%d errors, want 2 (the string, the timeout)", d.Errors())
	}
}
