package lldp

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/nd"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/internal/testserver"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The fixtures are lldpd 1.0.16's own output (`lldpcli -f json0 watch`
// between two namespaces); updated.json is added.json under the key of
// an update.
func TestParseFixtures(t *testing.T) {
	for _, tc := range []struct{ file, notif, mgmt string }{
		{"added.json", nd.Add, ""}, {"updated.json", nd.Update, ""}, {"deleted.json", nd.Delete, "fe80::8007:b5ff:fef1:1095"},
	} {
		got, bad := Parse(fixture(t, tc.file), t0)
		if bad != 0 || len(got) != 1 {
			t.Fatalf("%s: %d changes, %d bad", tc.file, len(got), bad)
		}
		c := got[0]
		if c.Notification != tc.notif || c.Protocol != nd.ProtocolLLDP || c.Interface != "vxa" || c.ChassisID != "82:07:b5:f1:10:95" ||
			c.PortID != "82:07:b5:f1:10:95" || c.PortDescr != "vxb" || c.SystemName != "vm" || c.TTL != 120 || !c.Time.Equal(t0) ||
			c.MgmtAddress != tc.mgmt || !slices.Equal(c.Enabled, []string{"Station"}) || len(c.Capabilities) != 4 {
			t.Errorf("%s: %+v", tc.file, c)
		}
	}
}

// Entries of the wrong shape are counted and skipped; the good one in
// the same object still goes through, and other protocols are skipped
// silently.
func TestParseMalformed(t *testing.T) {
	got, bad := Parse(fixture(t, "malformed.json"), t0)
	// bad: a numeric name, no chassis, no port id, a TTL of words, a numeric TTL.
	if len(got) != 1 || bad != 5 || got[0].Interface != "vxa" {
		t.Errorf("%d changes %+v, %d bad; want 1 change, 5 bad", len(got), got, bad)
	}
	for _, raw := range []string{`[]`, `{}`, `{"lldp-added": 3}`, `{"lldp-moved": [{"interface": []}]}`, `{"lldp-added": [{}]}`, `"x"`} {
		if got, bad := Parse([]byte(raw), t0); len(got) != 0 || bad == 0 {
			t.Errorf("%s: %d changes, %d bad", raw, len(got), bad)
		}
	}
}

func TestNew(t *testing.T) {
	s, err := New([]string{"socket", "/run/x.sock", "cdp"})
	if err != nil || s.socket != "/run/x.sock" || !s.cdp {
		t.Fatalf("%+v %v", s, err)
	}
	for _, args := range [][]string{{"socket"}, {"sock", "x"}, {"cdp", "extra"}} {
		if _, err := New(args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	if CDP(nil) || !CDP([]string{"cdp"}) {
		t.Error("CDP")
	}
}

type sink struct {
	mu  sync.Mutex
	got []nd.Change
	ch  chan struct{}
}

func (s *sink) publish(e detector.HostEvent) {
	s.mu.Lock()
	s.got = append(s.got, e.(nd.Change))
	s.mu.Unlock()
	s.ch <- struct{}{}
}

// Run follows lldpcli's stream of objects; JSON it cannot follow ends the
// watch, counted, and the source starts lldpcli again after a wait on its
// clock. The lldpcli here is a script printing fixtures, then watching
// (sleeping) on: the source ends it at the broken JSON.
func TestRunRestarts(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "lldpcli")
	stream := filepath.Join(dir, "stream")
	if err := os.WriteFile(stream, append(append(fixture(t, "added.json"), fixture(t, "deleted.json")...), []byte("{\"lldp-added\": [ oops")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte("#!/bin/sh\n[ \"$1 $2 $3 $4 $5\" = \"-u /x.sock -f json0 watch\" ] || { echo bad args \"$@\" >&2; exit 2; }\ncat "+stream+"\nexec sleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := New([]string{"socket", "/x.sock"})
	if err != nil {
		t.Fatal(err)
	}
	s.Command = script
	clk := clock.NewVirtual(t0)
	out := &sink{ch: make(chan struct{}, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- s.Run(ctx, source.Env{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Publish: out.publish})
	}()
	<-out.ch
	<-out.ch
	// The broken tail ends the watch: one error for it, and a retry timer.
	if !testserver.Poll(10*time.Second, time.Millisecond, func() bool { return clk.Pending() == 1 }) {
		t.Fatal("no retry scheduled")
	}
	clk.Advance(minRetry)
	<-out.ch
	<-out.ch
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	out.mu.Lock()
	defer out.mu.Unlock()
	if st.Events != 4 || st.Errors < 1 || st.Source != "lldp" || out.got[0].Notification != nd.Add || out.got[1].Notification != nd.Delete {
		t.Errorf("stats %+v, changes %+v", st, out.got)
	}
}

// A CDP neighbour (two lldpd -cc talking CDPv1) is a Change of protocol
// cdp.
func TestParseCDP(t *testing.T) {
	got, bad := Parse(fixture(t, "cdp-added.json"), t0)
	if bad != 0 || len(got) != 1 {
		t.Fatalf("%d changes, %d bad", len(got), bad)
	}
	c := got[0]
	if c.Protocol != nd.ProtocolCDP || c.Notification != nd.Add || c.Interface != "vca" || c.ChassisID != "vm" || c.PortID != "vcb" ||
		c.TTL != 120 || !slices.Equal(c.Enabled, []string{"Station"}) {
		t.Errorf("%+v", c)
	}
}
