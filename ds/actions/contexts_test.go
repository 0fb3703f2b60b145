package actions

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// scriptDS is a DS whose only action is the Lua script lua.
func scriptDS(t *testing.T, id, lua string) *ds.Signature {
	t.Helper()
	return mustSig(t, fmt.Sprintf(`<DiagnosticSignature id=%q revision="1"><Name>s</Name>
  <Events><Event type="syslog" pattern="%%SYS-5-RESTART"/></Events>
  <Actions><Action type="script" lang="lua"><![CDATA[%s]]></Action></Actions></DiagnosticSignature>`, id, lua))
}

// liveEngine runs DS synchronously on the daemon's device.
func liveEngine(t *testing.T, l *Live) (*engine.Engine, *[]engine.Record) {
	return liveEngineCaps(t, l, nil)
}

// liveEngineCaps is liveEngine with the actions' caps counted by onCap.
func liveEngineCaps(t *testing.T, l *Live, onCap func(string)) (*engine.Engine, *[]engine.Record) {
	t.Helper()
	clk := clock.NewVirtual(t0)
	var records []engine.Record
	eng := engine.New(engine.Options{Clock: clk, Synchronous: true, Hostname: "edge-1",
		Actions: New(l, action.Deps{Clock: clk, OnCap: onCap}),
		Report:  func(r engine.Record) { records = append(records, r) }})
	return eng, &records
}

// fire runs DS id once and returns its action's record.
func fire(t *testing.T, eng *engine.Engine, records *[]engine.Record, id string) engine.Record {
	t.Helper()
	n := len(*records)
	eng.Fire(context.Background(), id, engine.Trigger{Time: t0, Events: []engine.Event{{ID: "e1", Type: ds.EventSyslog,
		Time: t0, Text: "%SYS-5-RESTART: System restarted"}}})
	for _, r := range (*records)[n:] {
		if r.Kind == "action" || r.Kind == "error" {
			return r
		}
	}
	t.Fatalf("DS %s ran no action: %v", id, (*records)[n:])
	return engine.Record{}
}

// TestContextSaveIsCappedPerDS: a script that saves contexts under new
// names run after run is refused at the cap on their number, and one that
// saves big values at the cap on their bytes, each with a script error
// naming the cap; what another DS retrieves no longer counts, and another
// DS has caps of its own.
func TestContextSaveIsCappedPerDS(t *testing.T) {
	l := &Live{}
	eng, records := liveEngine(t, l)
	many := scriptDS(t, "7001", `for i = 1, 50 do context_save("n" .. i .. "-" .. math.random(1e9), {v = "x"}) end`)
	big := scriptDS(t, "7002", `for i = 1, 4 do context_save("big" .. i, {v = string.rep("x", 300000)}) end`)
	taker := scriptDS(t, "7003", `context_save("mine", {v = "y"}) local n = 0
for i = 1, 4 do if context_retrieve("big" .. i) then n = n + 1 end end print("took " .. n)`)
	for _, s := range []*ds.Signature{many, big, taker} {
		eng.Add(context.Background(), s, nil)
	}
	if r := fire(t, eng, records, "7001"); r.Failed {
		t.Fatalf("the first 50 contexts: %s", r.Detail)
	}
	r := fire(t, eng, records, "7001")
	if !r.Failed || !strings.Contains(r.Detail, "CONTEXT_ERR: context_save") || !strings.Contains(r.Detail, "64 saved contexts") ||
		!strings.Contains(r.Detail, "DS 7001") {
		t.Errorf("the 51st to 100th contexts: %v %s; want a script error naming the 64-context cap", r.Failed, r.Detail)
	}
	r = fire(t, eng, records, "7002")
	if !r.Failed || !strings.Contains(r.Detail, "1048576") || !strings.Contains(r.Detail, "DS 7002") {
		t.Errorf("4 × 300 kB: %v %s; want a script error naming the 1 MiB cap", r.Failed, r.Detail)
	}
	// 7003 takes the three that fit: 7002 may save them again.
	if r := fire(t, eng, records, "7003"); r.Failed || !strings.Contains(r.Detail, "took 3") {
		t.Errorf("7003: %s", r.Detail)
	}
	if r := fire(t, eng, records, "7002"); !r.Failed {
		t.Errorf("7002 again saved 4 × 300 kB: %s", r.Detail)
	}
	st := l.ContextStats()
	if st.Refused != 3 || st.Saved != 64+3+1+3 {
		t.Errorf("stats %+v, want 3 refused and 71 saved", st)
	}
}

// TestAppletContextsAreCappedApart: applets share the contexts with the
// scripts, charged to "applet:NAME", and are capped like a DS.
func TestAppletContextsAreCappedApart(t *testing.T) {
	l := &Live{}
	l.Contexts.MaxCount = 2
	host := applet.OnDevice(l)
	cfg, err := iosconfig.Parse("t.conf", []byte("event manager applet SAVER\n event none\n action 1.0 set x 1\n"+
		" action 2.0 context save key \"$_none_arg1\" variable \"x\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	ap := cfg.EventManager.Applets[0]
	run := func(key string) error {
		ctx := events.WithOrigin(context.Background(), events.Origin{Owner: "applet:SAVER", Depth: 1})
		_, err := applet.Run(ctx, ap, applet.Env{Event: map[string]string{"_none_arg1": key}, Clock: clock.NewVirtual(t0)}, host)
		return err
	}
	for _, k := range []string{"a", "b"} {
		if err := run(k); err != nil {
			t.Fatal(err)
		}
	}
	if err := run("c"); err == nil || !strings.Contains(err.Error(), "applet:SAVER has 2 saved contexts") {
		t.Errorf("the third context: %v", err)
	}
	// A DS's contexts count apart.
	if err := l.SaveContext(events.WithOrigin(context.Background(), events.Origin{Owner: "7001"}), "c", nil); err != nil {
		t.Errorf("DS 7001 after the applet's cap: %v", err)
	}
}
