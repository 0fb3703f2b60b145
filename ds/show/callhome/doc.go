// Package callhome renders the `show call-home` outputs (summary, detail,
// alert-group, mail-server status, profile and statistics) in the layout of
// IOS XE, from the configuration and the live delivery data passed in.
package callhome
