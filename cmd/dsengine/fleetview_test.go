package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/fleet"
	"github.com/dsengine/dsengine/ds/fleet/fleettest"
	"github.com/dsengine/dsengine/ds/fleet/worker"
	"github.com/dsengine/dsengine/internal/testserver"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestShowFleetView: `show call-home diagnostic-signature` on a fleet
// worker adds the statistics of the live workers, summed per DS; a worker
// whose heartbeat stopped is not counted.
func TestShowFleetView(t *testing.T) {
	c, _, b := startFleet(t)
	ctx := context.Background()
	// Two other workers: w8 live, w9 gone (no heartbeat).
	if err := fleet.NewStatsWriter(b.Stats, "w8").Write(ctx, time.Now(), []fleet.DSStats{
		{DS: "6030", Triggers: 4, Runs: 3, FailedRuns: 1, ActionsRun: 9, RunTime: 3 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stats.Put(ctx, "ds.w9.6030", []byte(`{"ds":"6030","triggers":50,"runs":50}`)); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	conf := "dsengine\n syslog listen udp " + testserver.Addr(testserver.FreeUDPPort(t)) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "dsengine.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, dir, "--jetstream", c.URL(), "--worker-id", "w1")
	show := func() string {
		r := dsengineNow(t, dir, "--config", filepath.Join(dir, "dsengine.conf"), "--bootflash", filepath.Join(dir, "bootflash"),
			"show", "call-home", "diagnostic-signature")
		if r.code != exitOK {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		return r.stdout
	}
	var out string
	// w1's first heartbeat is written as its fleet stage starts.
	testserver.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		out = show()
		return strings.Contains(out, "w1, w8")
	})
	want := `
Fleet statistics (2 live workers: w1, w8):
DS ID      Triggered  Completed  Suppressed Failed     Actions    Failed act Avg run
---------- ---------- ---------- ---------- ---------- ---------- ---------- ----------
6030       4          3          0          1          9          0          1s
`
	if !strings.HasSuffix(out, want) {
		t.Errorf("show call-home diagnostic-signature on a fleet worker:\n%s\nwant it to end with:%s", out, want)
	}
}

// TestFleetExecutorRunsAnIntentOnce: a worker's executor runs an intent
// with its daemon's engine and acks it once the run ended, records it in
// DS_DONE, and does not run it again when it comes back (an ack lost).
func TestFleetExecutorRunsAnIntentOnce(t *testing.T) {
	c, js, _ := startFleet(t)
	ctx := context.Background()
	dir := t.TempDir()
	sig := `<?xml version="1.0" encoding="UTF-8"?>
<DiagnosticSignature id="7700" revision="1.0">
  <Name>Down</Name>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/></Events>
  <Actions><Action type="message">down ${ds_syslog_1}</Action></Actions>
</DiagnosticSignature>
`
	if err := os.WriteFile(filepath.Join(dir, "7700.xml"), []byte(sig), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := dsengineNow(t, dir, "ds", "sign", "--key", repoFile(t, "signatures/keys/demo-secret.asc"), "7700.xml"); r.code != exitOK {
		t.Fatalf("sign: %s", r.stderr)
	}
	writeConfig(t, dir, "dsengine\n syslog listen udp "+testserver.Addr(testserver.FreeUDPPort(t))+"\n")
	if r := dsengineNow(t, dir, "call-home", "diagnostic-signature", "install", "7700", "--file", "7700.xml"); r.code != exitOK {
		t.Fatalf("install: %s%s", r.stdout, r.stderr)
	}
	d := startDaemon(t, dir, "--jetstream", c.URL(), "--worker-id", "w1", "--role", "executor")

	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	in := fleet.Intent{ID: "7700/dev1//5/0", DS: "7700", Device: "dev1", Seq: 5, Trigger: engine.Trigger{Time: at,
		Events: []engine.Event{{ID: "e1", Type: "syslog", Time: at, Text: "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down",
			Vars: map[string]string{"ds_syslog_1": "Gi0/1"}}}}}
	publish := func(msgID string) {
		b, _ := in.Marshal()
		msg := &nats.Msg{Subject: fleet.IntentSubject(in.DS), Data: b, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, msgID)
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	acked := func() bool {
		s, err := js.Stream(ctx, fleet.StreamActions)
		if err != nil {
			return false
		}
		info, err := s.Info(ctx)
		return err == nil && info.State.Msgs == 0
	}
	triggered := func() string {
		r := dsengineNow(t, dir, "show", "call-home", "diagnostic-signature", "7700", "statistics")
		return r.stdout
	}
	publish(in.ID)
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, acked) {
		t.Fatalf("the intent was not acked\n%s", d.log.String())
	}
	// Acked after the run: its statistics are there already.
	if st := triggered(); !strings.Contains(st, "Completed runs: 1") {
		t.Fatalf("acked before the run completed:\n%s", st)
	}
	// The fleet's runs of the DS follow this worker's, once its
	// statistics are written (every fleet.StatsInterval).
	var st string
	if !testserver.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		st = triggered()
		return strings.Contains(st, "\nFleet statistics (1 live worker: w1):\n Triggered:      1\n Completed runs: 1")
	}) {
		t.Errorf("no fleet statistics of DS 7700 under its local ones:\n%s", st)
	}
	done, err := fleet.EnsureDone(ctx, js, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := done.Get(ctx, worker.DoneKey(in.ID)); err != nil {
		t.Errorf("the completed intent is not in %s: %v", fleet.BucketDone, err)
	}
	// Delivered again (another message ID: past JetStream's own
	// de-duplication, as a redelivery after a lost ack would be).
	publish(in.ID + "#again")
	if !testserver.Poll(30*time.Second, 20*time.Millisecond, acked) {
		t.Fatalf("the intent delivered again was not acked\n%s", d.log.String())
	}
	if st := triggered(); !strings.Contains(st, "Triggered:      1") {
		t.Errorf("the intent ran again:\n%s", st)
	}
}

// startFleet starts a one-node nats-server with the fleet's streams (two
// partitions) and buckets.
func startFleet(t *testing.T) (*fleettest.Cluster, jetstream.JetStream, fleet.Buckets) {
	t.Helper()
	f := fleettest.StartFleet(t, 1, 2, fleet.DefaultLeaseTTL)
	return f.Cluster, f.JS, f.Buckets
}

// metricsText is the text of GET http://addr/metrics.
func metricsText(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFleetMetrics: a relay with `metrics listen` exports its counters
// (a line sent over UDP is counted received and published, JetStream is
// not away) and, with `metrics pprof`, its profiles; a worker's daemon
// exports the fleet worker's and executor's (its partitions, its lines).
func TestFleetMetrics(t *testing.T) {
	c, _, _ := startFleet(t)
	relayDir, workerDir := t.TempDir(), t.TempDir()
	udp := testserver.FreeUDPPort(t)
	relayMetrics, workerMetrics := testserver.Addr(testserver.FreePort(t)), testserver.Addr(testserver.FreePort(t))
	writeConfig(t, relayDir, "dsengine\n syslog listen udp "+testserver.Addr(udp)+"\n metrics listen "+relayMetrics+"\n metrics pprof\n")
	writeConfig(t, workerDir, "dsengine\n metrics listen "+workerMetrics+"\n")
	startCommand(t, relayDir, "relay running", "relay", "--jetstream", c.URL(), "--partitions", "2")
	startDaemon(t, workerDir, "--jetstream", c.URL(), "--worker-id", "w1")

	if out, err := exec.Command("logger", "-n", "127.0.0.1", "-P", strconv.Itoa(udp), "-d",
		"<189>1: dev1: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down").CombinedOutput(); err != nil {
		t.Fatalf("logger: %v %s", err, out)
	}
	var text string
	if !testserver.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		text = metricsText(t, relayMetrics)
		return strings.Contains(text, "\ndsengine_relay_lines_published_total 1\n")
	}) {
		t.Fatalf("relay metrics:\n%s", text)
	}
	for _, want := range []string{"\ndsengine_relay_lines_received_total 1\n", "\ndsengine_relay_jetstream_away 0\n",
		"\ndsengine_relay_spool_bytes 0\n", "\ndsengine_input_received_total{input=\"udp:" + testserver.Addr(udp) + "\"} 1\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("relay metrics without %q", strings.TrimSpace(want))
		}
	}
	// `metrics pprof` serves the relay's profiles as the daemon's.
	resp, err := http.Get("http://" + relayMetrics + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("relay with metrics pprof: /debug/pprof/heap answered %s", resp.Status)
	}
	// The worker takes both partitions and evaluates the line.
	if !testserver.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		text = metricsText(t, workerMetrics)
		return strings.Contains(text, "\ndsengine_fleet_partitions 2\n") && strings.Contains(text, "\ndsengine_fleet_lines_total 1\n")
	}) {
		t.Fatalf("worker metrics:\n%s", text)
	}
	if !strings.Contains(text, "\ndsengine_fleet_intents_run_total 0\n") {
		t.Errorf("worker metrics without the executor's")
	}
}
