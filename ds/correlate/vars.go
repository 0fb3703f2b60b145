package correlate

import (
	"strings"
	"time"
)

// KeyVar is the variable a trigger of a grouped event or correlation sets
// to its key: the group-by values joined by spaces.
const KeyVar = "ds_key"

// eventVarPrefix is what the per-event names replace.
const eventVarPrefix = "ds_syslog_"

// EventVars returns vars with each ds_syslog_X also set as ds_<id>_X, and
// ds_<id>_time set to at (UTC, as ds_timestamp), for an event that took
// part in a correlation. vars is not changed. Lint knows these names
// from parse.EventVarNames.
func EventVars(eventID string, vars map[string]string, at time.Time) map[string]string {
	out := make(map[string]string, 2*len(vars)+1)
	for k, v := range vars {
		out[k] = v
		if rest, ok := strings.CutPrefix(k, eventVarPrefix); ok {
			out["ds_"+eventID+"_"+rest] = v
		}
	}
	out["ds_"+eventID+"_time"] = at.UTC().Format("2006-01-02 15:04:05")
	return out
}
