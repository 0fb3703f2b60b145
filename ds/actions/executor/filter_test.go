package executor

import (
	"strings"
	"testing"
)

const runningConfig = `hostname edge-1
interface Gi0/1
 description uplink
 no shutdown
interface Gi0/2
 shutdown
router ospf 1
 network 10.0.0.0 0.255.255.255 area 0
`

func TestModifiers(t *testing.T) {
	for _, tc := range []struct {
		cmd, base, want string
	}{
		{"show run", "show run", runningConfig},
		{"show run | include ^interface", "show run", "interface Gi0/1\ninterface Gi0/2\n"},
		{"show run | i shut", "show run", " no shutdown\n shutdown\n"},
		{`show run | exclude ^\s`, "show run", "hostname edge-1\ninterface Gi0/1\ninterface Gi0/2\nrouter ospf 1\n"},
		{"show run | begin router", "show run", "router ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n"},
		{"show run | section Gi0/2", "show run", "interface Gi0/2\n shutdown\n"},
		{"show run | count interface", "show run", "Number of lines which match regexp = 2\n"},
		{"show run | inc interface|router | ex Gi0/2", "show run", "interface Gi0/1\nrouter ospf 1\n"},
	} {
		base, filters, err := splitModifiers(tc.cmd)
		if err != nil {
			t.Errorf("%q: %v", tc.cmd, err)
			continue
		}
		if got := applyFilters(runningConfig, filters); base != tc.base || got != tc.want {
			t.Errorf("%q: base %q, output\n%s\nwant base %q, output\n%s", tc.cmd, base, got, tc.base, tc.want)
		}
	}
	for _, tc := range []struct{ cmd, want string }{
		{"show run | redirect flash:x", `"| redirect" is not supported`},
		{"show run | include", `"| include" needs a regular expression`},
		{"show run |", "empty output modifier"},
		{"show run | include (", "missing closing )"},
	} {
		if _, _, err := splitModifiers(tc.cmd); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v; want %q", tc.cmd, err, tc.want)
		}
	}
}
