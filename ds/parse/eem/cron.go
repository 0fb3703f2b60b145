package eem

import (
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"
)

var (
	standardCron = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	secondsCron  = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
)

// CheckCron reports whether spec is a cron entry the engine can schedule:
// five fields (minute hour day-of-month month day-of-week), or a descriptor
// such as @daily or @every 5m; with seconds, also six fields starting with
// seconds. Time-zone prefixes (TZ=, CRON_TZ=) are refused: schedules run in
// the host's time zone.
func CheckCron(spec string, seconds bool) (err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return fmt.Errorf("empty cron entry")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return fmt.Errorf("time-zone prefixes are not supported; schedules run in the host's time zone")
	}
	p := standardCron
	if seconds {
		p = secondsCron
	}
	// The cron library is third-party code run on untrusted input: turn a
	// panic into an error rather than taking the engine down.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid cron entry")
		}
	}()
	_, err = p.Parse(spec)
	return err
}
