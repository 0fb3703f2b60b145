package script_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dsengine/dsengine/ds/actions/script"
)

// logHost is a Host that only logs: every other API call fails with
// ErrUnsupported.
type logHost struct{ script.UnimplementedHost }

func (logHost) Syslog(_ context.Context, m script.SyslogMessage) error {
	fmt.Printf("%%HA_EM-%d-LOG: %s\n", m.Severity, m.Msg)
	return nil
}

func ExampleRunner_Run() {
	r := script.NewRunner(script.Options{Timeout: time.Second})
	res, err := r.Run(context.Background(),
		script.Script{Name: "6040", Text: `
			local e = event_reqinfo()
			action_syslog{priority = "warning", msg = ds_hostname .. ": " .. e.msg}
			ds_flaps = tostring(tonumber(ds_flaps) + 1)
			print("done")`},
		script.Env{
			Vars:  map[string]string{"ds_hostname": "edge-1", "ds_flaps": "2"},
			Event: script.EventInfo{Type: "syslog", Msg: "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down"},
		},
		logHost{})
	fmt.Printf("%q %v %v\n", res.Output, res.Vars, err)
	// Output:
	// %HA_EM-4-LOG: edge-1: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down
	// "done\n" map[ds_flaps:3] <nil>
}
