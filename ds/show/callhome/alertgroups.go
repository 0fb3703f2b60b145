package callhome

import (
	"fmt"
	"io"

	"github.com/dsengine/dsengine/ds/config"
)

// AlertGroups writes `show call-home alert-group`: every alert group with
// its state (Enable or Disable) and description.
func AlertGroups(w io.Writer, cfg *config.Config) {
	fmt.Fprintln(w, "Available alert groups:")
	fmt.Fprintf(w, "%s%-24s %-7s %s\n", indent, "Keyword", "State", "Description")
	fmt.Fprintf(w, "%s%s %s %s\n", indent, dashes(24), dashes(7), dashes(31))
	for _, g := range config.AlertGroups() {
		state := "Enable"
		if on, ok := cfg.CallHome.AlertGroups[g]; ok && !on {
			state = "Disable"
		}
		fmt.Fprintf(w, "%s%-24s %-7s %s\n", indent, g, state, groupDescription(g))
	}
}

// groupDescription is the Description column of an alert group.
func groupDescription(g config.AlertGroup) string {
	switch g {
	case config.GroupConfiguration:
		return "configuration info"
	case config.GroupCrash:
		return "crash and traceback info"
	case config.GroupEnvironment:
		return "environmental info"
	case config.GroupInventory:
		return "inventory info"
	case config.GroupSnapshot:
		return "snapshot info"
	case config.GroupSyslog:
		return "syslog info"
	}
	return string(g) + " info"
}
