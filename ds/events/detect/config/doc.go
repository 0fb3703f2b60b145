// Package config detects a change of the device configuration: a
// %SYS-5-CONFIG_I (or CONFIG_P) message, or a watched configuration file
// modified on disk, optionally only when the change line matches a
// pattern.
//
// It reads <Event type="config" pattern="vty"/> (pattern optional, RE2,
// ${ds_x} filled in) and the EEM line `event config [pattern "RE"]`. The
// change line is the message text of a %SYS-5-CONFIG_I message
// ("Configured from console by admin on vty0 (192.0.2.1)") or
// "file PATH changed" for a file the filewatch.Watcher reports.
package config
