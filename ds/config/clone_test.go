package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

func TestClone(t *testing.T) {
	c := Default()
	c.CallHome.HTTPProxy = &HTTPProxy{Host: "p", Port: 1}
	c.CallHome.MailServers = []MailServer{{Address: "m", Priority: 1}}
	c.IPSLAs = []IPSLA{{Number: 1, Schedule: &SLASchedule{Life: time.Second}}}
	c.EventManager.Applets = []*Applet{{Name: "A", Events: []ds.Event{{ID: "e1"}}, Trigger: &ds.Correlate{Expr: "e1"},
		TriggerBlock: &AppletTrigger{Correlate: []string{"event", "a"}}, Actions: []AppletAction{{Label: "1", Args: []string{"x"}}}}}
	n := c.Clone()
	if !reflect.DeepEqual(c, n) {
		t.Fatalf("the clone differs")
	}
	n.CallHome.HTTPProxy.Port = 2
	n.CallHome.MailServers[0].Priority = 2
	n.CallHome.AlertGroups[GroupCrash] = false
	n.CallHome.Profiles[0].Subscriptions[0].Severity = SeverityMajor
	n.IPSLAs[0].Schedule.Life = 0
	a := n.EventManager.Applets[0]
	a.Events[0].ID, a.Trigger.Expr, a.TriggerBlock.Correlate[1], a.Actions[0].Args[0] = "x", "x", "x", "y"
	if !reflect.DeepEqual(c, func() *Config {
		d := Default()
		d.CallHome.HTTPProxy = &HTTPProxy{Host: "p", Port: 1}
		d.CallHome.MailServers = []MailServer{{Address: "m", Priority: 1}}
		d.IPSLAs = []IPSLA{{Number: 1, Schedule: &SLASchedule{Life: time.Second}}}
		d.EventManager.Applets = []*Applet{{Name: "A", Events: []ds.Event{{ID: "e1"}}, Trigger: &ds.Correlate{Expr: "e1"},
			TriggerBlock: &AppletTrigger{Correlate: []string{"event", "a"}}, Actions: []AppletAction{{Label: "1", Args: []string{"x"}}}}}
		return d
	}()) {
		t.Errorf("changing the clone changed the original")
	}
}
