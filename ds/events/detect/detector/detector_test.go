package detector

import (
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

func TestCompilePattern(t *testing.T) {
	re, err := CompilePattern(`Interface ${ds_intf}, changed`, map[string]string{"ds_intf": "Gi1/0/1"})
	if err != nil || re.String() != `Interface Gi1/0/1, changed` {
		t.Fatalf("%v %v", re, err)
	}
	if _, err := CompilePattern(`${ds_a} ${ds_b}`, map[string]string{"ds_a": "x"}); err == nil || !strings.Contains(err.Error(), "ds_b") {
		t.Errorf("unresolved: %v", err)
	}
	if _, err := CompilePattern(`a(`, nil); err == nil {
		t.Error("no error for a bad pattern")
	}
}

func TestSyslogVars(t *testing.T) {
	var m events.Message
	syslogmsg.ParseString("<187>343: sw1: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up", time.Now(), &m)
	v := SyslogVars(&m, []string{"whole", "GigabitEthernet1/0/12", ""})
	want := map[string]string{
		"ds_syslog_msg": "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up", "ds_syslog_facility": "LINK",
		"ds_syslog_severity": "3", "ds_syslog_mnemonic": "UPDOWN", "ds_syslog_host": "sw1",
		"ds_syslog_1": "GigabitEthernet1/0/12", "ds_syslog_2": "",
	}
	if len(v) != len(want) {
		t.Errorf("vars %v", v)
	}
	for k, w := range want {
		if got, ok := v[k]; !ok || got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
}

func TestBase(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := Env{Owner: "6030", Host: "edge-1"}.Base(ds.Event{ID: "e1", Type: ds.EventOIR}, at)
	if f.Owner != "6030" || f.EventID != "e1" || f.Type != ds.EventOIR || !f.Time.Equal(at) || f.Host != "edge-1" || f.Count != 1 {
		t.Errorf("%+v", f)
	}
}
