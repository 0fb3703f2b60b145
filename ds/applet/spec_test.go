package applet

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// TestSpecExample runs the applet of SPEC §5's sample configuration.
func TestSpecExample(t *testing.T) {
	data, err := os.ReadFile("testdata/spec5.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := iosconfig.Parse("spec5.conf", data)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Applet("LINKDOWN")
	if a == nil {
		t.Fatal("no applet LINKDOWN")
	}
	if err := Check(a); err != nil {
		t.Fatal(err)
	}
	h := newHost()
	h.output["show interfaces"] = "GigabitEthernet1/0/1 is down, line protocol is down\n"
	env := Env{
		Vars: cfg.EventManager.Environment.Map(),
		Event: map[string]string{
			"_event_type":    "syslog",
			"_syslog_msg":    "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down",
			"_event_pub_sec": "1714564800",
		},
		Clock: clock.NewVirtual(time.Unix(1714564800, 0)),
	}
	res, err := Run(context.Background(), a, env, h)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cli show interfaces", "syslog 6 %HA_EM-6-LOG: LINKDOWN: link flapped"}
	if !slices.Equal(h.Calls(), want) {
		t.Errorf("host calls %q, want %q", h.Calls(), want)
	}
	if res.Vars["_cli_result"] != h.output["show interfaces"]+"Router#" || res.Exit != 0 || res.Output != "" {
		t.Errorf("result %+v", res)
	}
}
