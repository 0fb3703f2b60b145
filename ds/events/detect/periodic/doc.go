// Package periodic fires on a schedule of the injected clock: a cron entry,
// an interval, or an EEM watchdog, countdown or absolute timer.
//
// It reads <Event type="periodic" cron="*/5 * * * *"/> (5 fields, 6 with
// seconds first, or a descriptor such as @daily or @every 90s) or
// <Event type="periodic" interval="90s"/>, and the EEM lines
// `event timer cron cron-entry "M H DOM MON DOW"` and
// `event timer watchdog|countdown|absolute time S`.
//
// Cron entries are parsed with github.com/robfig/cron/v3 and scheduled with
// its Schedule.Next on the ds.Clock (never its own scheduler, which reads
// the wall clock), in the location of the clock's times.
package periodic
