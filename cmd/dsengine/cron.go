package main

import "github.com/robfig/cron/v3"

// parseCron reads a standard 5-field cron entry or a descriptor.
func parseCron(spec string) (cron.Schedule, error) {
	return cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor).Parse(spec)
}
