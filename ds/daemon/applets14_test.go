package daemon

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/internal/testserver"
)

// fileHost answers every command with "ok" and keeps files in a
// bootflash directory as the daemon does.
type fileHost struct {
	applet.MemoryState
	files *applet.DirFiles
}

func (h *fileHost) CLI(context.Context, string) (string, error)    { return "ok", nil }
func (h *fileHost) Syslog(context.Context, int, string) error      { return nil }
func (h *fileHost) Mail(context.Context, applet.Mail) error        { return nil }
func (h *fileHost) Reload(context.Context) error                   { return errors.New("reload refused") }
func (h *fileHost) DeleteFile(ctx context.Context, n string) error { return h.files.Delete(ctx, n) }
func (h *fileHost) OpenFile(ctx context.Context, n, m string) (applet.File, error) {
	return h.files.Open(ctx, n, m)
}

type lineTerm struct {
	in  []string
	out strings.Builder
}

func (l *lineTerm) Gets(context.Context) (string, error) {
	if len(l.in) == 0 {
		return "", errors.New("closed")
	}
	s := l.in[0]
	l.in = l.in[1:]
	return s, nil
}
func (l *lineTerm) Puts(_ context.Context, s string) error { l.out.WriteString(s); return nil }

func newTestApplets(t *testing.T, conf string) (*applets, *bytes.Buffer, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	clk := clock.NewVirtual(t0)
	hub := detect.NewHub(ctx, detect.Options{Clock: clk, Host: "edge-1"})
	t.Cleanup(hub.Close)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "call_home"), 0o700); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	a := &applets{ctx: ctx, hub: hub, clock: clk, host: &fileHost{files: appletFiles(dir)},
		log: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	a.load(mustConfig(t, conf))
	t.Cleanup(func() { a.close(); cancel(); a.wait() })
	return a, &log, dir
}

const manualConf = `hostname edge-1
event manager applet ASK
 event none
 action 1.0 puts nonewline "name? "
 action 2.0 gets who
 action 3.0 cli command "show clock"
 action 4.0 puts "hi $who from $_none_arg1 ($_none_argc): $_cli_result"
 action 5.0 file open fh flash:note.txt w
 action 6.0 file puts fh "$who"
 action 7.0 file close fh
 action 8.0 exit 4
event manager applet STORE
 event none
 action 1.0 file open fh flash:call_home/state.json w
event manager applet A
 event none
 action 1 policy B
event manager applet B
 event none
 action 1 policy A
event manager applet TIMER
 event timer countdown time 100
 action 1 puts x
`

func TestRunAppletWithTerminal(t *testing.T) {
	a, log, dir := newTestApplets(t, manualConf)
	term := &lineTerm{in: []string{"ann"}}
	res, err := a.runManual(context.Background(), "ASK", []string{"vty0"}, term)
	if err != nil {
		t.Fatal(err)
	}
	if want := "name? hi ann from vty0 (1): ok\nedge-1#\n"; term.out.String() != want || res.Exit != 4 {
		t.Errorf("terminal %q exit %d, want %q and 4", term.out.String(), res.Exit, want)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "note.txt")); err != nil || string(data) != "ann\n" {
		t.Errorf("note.txt: %q %v", data, err)
	}
	if !strings.Contains(log.String(), `msg="applet ASK action 2.0 gets: ok"`) {
		t.Errorf("no debug line per action:\n%s", log)
	}
	// No terminal: gets fails, and the run is in the history as an error.
	if _, err := a.runManual(context.Background(), "ASK", nil, nil); !errors.Is(err, applet.ErrNoTerminal) {
		t.Errorf("no terminal: %v", err)
	}
	// The call-home store is off limits.
	if _, err := a.runManual(context.Background(), "STORE", nil, nil); err == nil || !strings.Contains(err.Error(), "call_home belongs to dsengine") {
		t.Errorf("store: %v", err)
	}
	if _, err := a.runManual(context.Background(), "TIMER", nil, nil); !errors.Is(err, ErrNotManual) {
		t.Errorf("timer applet: %v", err)
	}
	// A and B loop through policies: config check refuses them, so they
	// are not registered and do not run.
	if _, err := a.runManual(context.Background(), "A", nil, nil); err == nil || !strings.Contains(err.Error(), "applet A is not registered") {
		t.Errorf("A: %v", err)
	}
	if !strings.Contains(log.String(), "policy loop A → B → A") {
		t.Errorf("the loop is not logged:\n%s", log)
	}
	h := a.history
	if len(h) != 3 || h[0].Status != "success" || h[0].Exit != 4 || h[0].EventType != "none" || h[0].Job != 1 ||
		h[1].Status != "error" || !strings.Contains(h[1].Err, "no terminal") || h[2].Applet != "STORE" || !h[0].Time.Equal(t0) {
		t.Errorf("history %+v", h)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	a, _, _ := newTestApplets(t, "event manager applet X\n event none\n action 1 puts x\n")
	for range HistorySize + 5 {
		if _, err := a.runManual(context.Background(), "X", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(a.history) != HistorySize || a.history[0].Job != 6 || a.history[HistorySize-1].Job != HistorySize+5 {
		t.Errorf("history: %d runs, jobs %d to %d", len(a.history), a.history[0].Job, a.history[len(a.history)-1].Job)
	}
}

// An applet's `action counter` reaches the `event counter` detectors: the
// second increment meets WATCH's entry condition and WATCH runs once.
func TestCounterActionFiresCounterEvent(t *testing.T) {
	a, _, _ := newTestApplets(t, `event manager applet BUMP
 event none
 action 1 counter name c op inc value 1
event manager applet WATCH
 event counter name c entry-op ge entry-val 2 exit-op lt exit-val 1
 action 1 puts "$_counter_name reached $_counter_value_remain"
`)
	a.host = countingHost{a.host, a.hub}
	for range 3 {
		if _, err := a.runManual(context.Background(), "BUMP", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	var watch []AppletRun
	testserver.Poll(10*time.Second, time.Millisecond, func() bool {
		watch = slices.DeleteFunc(a.historyCopy(), func(r AppletRun) bool { return r.Applet != "WATCH" })
		return len(watch) > 0
	})
	if len(watch) != 1 || watch[0].EventType != "counter" || watch[0].Status != "success" {
		t.Errorf("WATCH runs: %+v", watch)
	}
}

// An applet without an event line is configured (a vty builds applets a
// line at a time) but not registered, and the log says why.
func TestAppletWithoutEventNotRegistered(t *testing.T) {
	a, log, _ := newTestApplets(t, "event manager applet HALF\n action 1.0 puts x\n")
	if a.lookup("HALF") != nil || len(a.regs) != 0 {
		t.Errorf("HALF registered: %v", a.regs)
	}
	if !strings.Contains(log.String(), "it has no event line") {
		t.Errorf("the log does not say why:\n%s", log)
	}
}

// A reload keeps the registrations of the applets whose events, trigger
// and environment did not change, and runs their new actions; an applet
// whose event changed is registered afresh.
func TestReloadKeepsUnchangedApplets(t *testing.T) {
	conf := func(bAction, bEvent string) string {
		return "event manager applet A\n event none\n action 1 puts a\n" +
			"event manager applet B\n " + bEvent + "\n action 1 puts " + bAction + "\n"
	}
	a, _, _ := newTestApplets(t, conf("one", "event none"))
	ids := func() map[string][]uint64 {
		m := map[string][]uint64{}
		for _, r := range a.hub.Registrations() {
			m[r.Owner] = append(m[r.Owner], r.ID)
		}
		return m
	}
	before := ids()
	a.load(mustConfig(t, conf("two", "event none")))
	if after := ids(); !maps.EqualFunc(before, after, slices.Equal) {
		t.Errorf("new actions re-registered: %v, then %v", before, after)
	}
	if res, err := a.runManual(context.Background(), "B", nil, nil); err != nil || res.Output != "two\n" {
		t.Errorf("B after the reload: %q %v", res.Output, err)
	}
	a.load(mustConfig(t, conf("two", "event none sync yes")))
	after := ids()
	if !slices.Equal(after["applet:A"], before["applet:A"]) || slices.Equal(after["applet:B"], before["applet:B"]) || len(after["applet:B"]) != 1 {
		t.Errorf("B's event changed: %v, then %v", before, after)
	}
	a.load(mustConfig(t, "event manager applet A\n event none\n action 1 puts a\n"))
	if after := ids(); len(after) != 1 || a.lookup("B") != nil {
		t.Errorf("B removed: registrations %v", after)
	}
}
